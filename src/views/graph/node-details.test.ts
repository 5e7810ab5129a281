import { describe, expect, it } from 'vitest';
import type { FrameMessage, Graph } from '../../protocol/messages';
import { describeNode, tickPlace } from './node-details';

const graph: Graph = {
  nodes: [
    { id: 0, role: 'input' },
    { id: 1, role: 'hidden' },
    { id: 2, role: 'output' },
  ],
  edges: [
    { id: 10, source: 1, target: 0 },
    { id: 11, source: 2, target: 0 },
    { id: 12, source: 0, target: 0 },
    { id: 13, source: 0, target: 1 },
  ],
  nextNodeId: 3,
  nextEdgeId: 14,
};

const frame = {
  type: 'frame',
  frameId: 1,
  step: 42,
  tick: 0,
  stepsPerSecond: 0,
  stepNumbers: new Float64Array(0),
  losses: new Float32Array(0),
  accuracies: new Float32Array(0),
  stepMs: new Float32Array(0),
  // Packed order: node 1 at position 0, node 0 at position 1 (node 2 not packed yet).
  nodeIds: Int32Array.from([1, 0]),
  slotEdge: Int32Array.from([13, -1, -1, 11, 10, 12]),
  ticks: 2,
  K: 3,
  activity: Float32Array.from([0.5, 0, 0.25, 1.5]),
  gates: Float32Array.from([0.9, 0, 0, 0.2, 0.7, 0.4, 0.9, 0, 0, 0.3, 0.1, 0.8]),
  active: Uint8Array.from([1, 0, 0, 1]),
  threads: Int32Array.from([1, 0]),
  reads: Uint8Array.from([0, 1]),
  visitShare: Float32Array.from([0.25, 0.75]),
  detail: null,
} satisfies FrameMessage;

describe('describeNode', () => {
  it('reads the node on the tick shown, gates sorted open first', () => {
    const d = describeNode(0, graph, frame, 1);
    expect(d).toMatchObject({ id: 0, role: 'input', activity: 1.5, visitShare: 0.75, active: true, tick: 1, ticks: 2, step: 42, threadsHere: 1 });
    expect(d?.gates.map((g) => [g.sourceId, g.gate])).toEqual([
      [0, expect.closeTo(0.8)],
      [2, expect.closeTo(0.3)],
      [1, expect.closeTo(0.1)],
    ]);
  });

  it('lists in-edges without values for a node the frame does not cover', () => {
    const d = describeNode(2, graph, frame, 0);
    expect(d).toMatchObject({ id: 2, activity: null, visitShare: null, active: null, gates: [] });
  });

  it('returns null for an unknown node and works without a frame', () => {
    expect(describeNode(9, graph, frame, 0)).toBeNull();
    expect(describeNode(1, graph, null, 0)?.gates).toEqual([{ edgeId: 13, sourceId: 0, gate: null }]);
  });
});

describe('the tick readout', () => {
  it('counts ticks within a symbol, as many as Think ticks, not the probe run’s total', () => {
    // Two probe symbols at 3 think ticks: reads on the last tick of each symbol.
    const reads = Uint8Array.from([0, 0, 1, 0, 0, 1]);
    const six = { ...frame, ticks: 6, K: 0, slotEdge: new Int32Array(0), gates: new Float32Array(0), activity: new Float32Array(12), active: new Uint8Array(12), threads: new Int32Array(0), reads };
    const d = describeNode(0, graph, six, 3);
    expect(d).toMatchObject({ tick: 0, ticks: 3, symbol: 1, symbols: 2 });
    expect(describeNode(0, graph, six, 5)).toMatchObject({ tick: 2, ticks: 3, symbol: 1, symbols: 2 });
  });

  it('one think tick per symbol reads "tick 1 of 1" on every tick (LARA’s default)', () => {
    for (const t of [0, 1]) expect(tickPlace(Uint8Array.from([1, 1]), 2, t)).toEqual({ tick: 0, ticks: 1, symbol: t, symbols: 2 });
  });

  it('read-node pacing: a symbol lasts until its read; ticks after the last read form a symbol under way', () => {
    const reads = Uint8Array.from([0, 1, 0, 0, 0, 1, 0]);
    expect(tickPlace(reads, 7, 0)).toEqual({ tick: 0, ticks: 2, symbol: 0, symbols: 3 });
    expect(tickPlace(reads, 7, 4)).toEqual({ tick: 2, ticks: 4, symbol: 1, symbols: 3 });
    expect(tickPlace(reads, 7, 6)).toEqual({ tick: 0, ticks: 1, symbol: 2, symbols: 3 });
  });
});
