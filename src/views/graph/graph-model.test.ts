import { describe, expect, it } from 'vitest';
import type { TopologyUpdate } from '../../client/lab-client';
import { DEFAULT_EXPERIMENT } from '../../protocol/experiment';
import type { FrameMessage, GraphEdge, GraphNode, TopologyEvent } from '../../protocol/messages';
import { GraphModel } from './graph-model';

function update(nodes: number[], edges: [number, number, number][], events: TopologyEvent[] = []): TopologyUpdate {
  const gn: GraphNode[] = nodes.map((id) => ({ id, role: id === 0 ? 'input' : id === 1 ? 'output' : 'hidden' }));
  const ge: GraphEdge[] = edges.map(([id, source, target]) => ({ id, source, target }));
  return { graph: { nodes: gn, edges: ge, nextNodeId: 100, nextEdgeId: 100 }, events, experiment: DEFAULT_EXPERIMENT, step: 0 };
}

/** A ring 0-1-2 with both directions and a self-loop on 2. */
const RING: [number, number, number][] = [
  [0, 1, 0],
  [1, 0, 1],
  [2, 2, 1],
  [3, 1, 2],
  [4, 2, 0],
  [5, 0, 2],
  [6, 2, 2],
];

function frame(nodeIds: number[], K: number, slotEdge: number[], ticks: number, activity: number[], gates: number[], threads: number[]): FrameMessage {
  const L = nodeIds.length;
  return {
    type: 'frame',
    frameId: 1,
    step: 10,
    tick: 0,
    stepsPerSecond: 1,
    stepNumbers: new Float64Array(0),
    losses: new Float32Array(0),
    accuracies: new Float32Array(0),
    stepMs: new Float32Array(0),
    nodeIds: Int32Array.from(nodeIds),
    slotEdge: Int32Array.from(slotEdge),
    ticks,
    K,
    activity: Float32Array.from(activity),
    gates: Float32Array.from(gates),
    active: Uint8Array.from(activity.map((a) => (a > 0 ? 1 : 0))),
    threads: Int32Array.from(threads),
    reads: new Uint8Array(ticks),
    visitShare: Float32Array.from({ length: L }, (_, p) => (p === 0 ? 0.5 : 0.25)),
    detail: null,
  };
}

describe('GraphModel', () => {
  it('builds one spring per connected pair and one base line per pair', () => {
    const m = new GraphModel();
    const change = m.applyTopology(update([0, 1, 2], RING), 0);
    expect(change.kind).toBe('first');
    expect(m.nodes.map((n) => n.id)).toEqual([0, 1, 2]);
    expect(m.links).toHaveLength(3);
    expect(m.edges.filter((e) => e.drawBase)).toHaveLength(3);
    expect(new Set(m.nodes.map((n) => n.slot)).size).toBe(3);
  });

  it('keeps node objects and positions across updates and places a birth next to its parent', () => {
    const m = new GraphModel();
    m.applyTopology(update([0, 1, 2], RING), 0);
    const two = m.byId.get(2);
    if (!two) throw new Error('node 2 missing');
    two.x = 500;
    two.y = -300;
    const birth: TopologyEvent = { kind: 'birth', nodeId: 7, tick: 5, cause: 'split', parentId: 2, edgeIds: [20, 21] };
    const change = m.applyTopology(
      update(
        [0, 1, 2, 7],
        [
          ...RING,
          [20, 7, 2],
          [21, 2, 7],
        ],
        [birth],
      ),
      1000,
    );
    expect(change).toMatchObject({ kind: 'grow', structural: true, added: 1, removed: 0 });
    expect(m.byId.get(2)).toBe(two);
    const born = m.byId.get(7);
    expect(born?.bornAt).toBe(1000);
    expect(Math.hypot((born?.x ?? 0) - 500, (born?.y ?? 0) + 300)).toBeLessThan(10);
  });

  it('fades a dead node and its edges out, then frees them', () => {
    const m = new GraphModel();
    m.applyTopology(update([0, 1, 2], RING), 0);
    const death: TopologyEvent = { kind: 'death', nodeId: 2, tick: 9, cause: 'starved', edgeIds: [2, 3, 4, 5, 6] };
    m.applyTopology(update([0, 1], RING.slice(0, 2), [death]), 100);
    expect(m.nodes.map((n) => n.id)).toEqual([0, 1]);
    expect(m.ghosts.map((n) => n.id)).toEqual([2]);
    expect(m.ghostEdges).toHaveLength(5);
    expect(m.settleAnimations(400, 600)).toBe(true);
    expect(m.settleAnimations(800, 600)).toBe(false);
    expect(m.ghosts).toHaveLength(0);
    expect(m.ghostEdges).toHaveLength(0);
  });

  it('drops removed nodes at once on a replace (reset, import, rollback)', () => {
    const m = new GraphModel();
    m.applyTopology(update([0, 1, 2], RING), 0);
    const change = m.applyTopology(update([0, 1], RING.slice(0, 2)), 100);
    expect(change.kind).toBe('replace');
    expect(m.ghosts).toHaveLength(0);
    expect(m.ghostEdges).toHaveLength(0);
  });

  it('does not report a structural change for the same graph', () => {
    const m = new GraphModel();
    m.applyTopology(update([0, 1, 2], RING), 0);
    expect(m.applyTopology(update([0, 1, 2], RING), 10).structural).toBe(false);
  });

  it('maps packed positions and slots of a frame onto nodes and edges', () => {
    const m = new GraphModel();
    m.applyTopology(update([0, 1, 2], RING), 0);
    // Packed order differs from the graph's: positions hold nodes 2, 0, 1; K = 3.
    const slotEdge = [3, 4, 6, /* node 0 */ 1, 5, -1, /* node 1 */ 0, 2, -1];
    const activity = [/* tick 0 */ 1, 0, 2, /* tick 1 */ 4, 4, 4];
    const gates = [/* tick 0 */ 0.1, 0.2, 0.3, 0.4, 0.5, 0, 0.6, 0.7, 0, /* tick 1 */ 1, 1, 1, 1, 1, 0, 1, 1, 0];
    m.ingestFrame(frame([2, 0, 1], 3, slotEdge, 2, activity, gates, [0, 2]));
    m.applyTick(0);
    const slot = (id: number) => m.byId.get(id)?.slot ?? -1;
    const edgeSlot = (id: number) => m.edgeById.get(id)?.slot ?? -1;
    expect(m.active[slot(2)]).toBe(1);
    expect(m.active[slot(0)]).toBe(0);
    expect(m.intensity[slot(1)]).toBeGreaterThan(m.intensity[slot(2)] ?? 1);
    expect(m.gate[edgeSlot(6)]).toBeCloseTo(0.3);
    expect(m.gate[edgeSlot(0)]).toBeCloseTo(0.6);
    expect(m.threadCount).toBe(1);
    expect(m.threadNode(1, 0)?.id).toBe(2);
    expect(m.radius[slot(2)]).toBeGreaterThan(m.radius[slot(0)] ?? Infinity);
  });

  it('draws a symmetric pair as one edge whose strength is the stronger direction (no half-lit edges)', () => {
    const m = new GraphModel();
    m.applyTopology(update([0, 1, 2], RING), 0);
    const drawn = m.edges.filter((e) => e.drawBase || e.source === e.target);
    // Three undirected pairs and one self-loop: four lines, not seven halves.
    expect(drawn).toHaveLength(4);
    const e01 = m.edgeById.get(0);
    const e10 = m.edgeById.get(1);
    expect(e01?.reverse).toBe(e10);
    expect(e10?.reverse).toBe(e01);
    expect(m.edgeById.get(6)?.reverse).toBeNull();
    m.gate[e01?.slot ?? -1] = 0.2;
    m.gate[e10?.slot ?? -1] = 0.9;
    expect(m.pairStrength(e01 as never)).toBeCloseTo(0.9);
    expect(m.pairStrength(e10 as never)).toBeCloseTo(0.9);
  });

  it('rewires an edge whose id stays but whose ends change (a new seed or generator with as many edges)', () => {
    const m = new GraphModel();
    m.applyTopology(update([0, 1, 2], RING), 0);
    const rewired = RING.map(([id, s, t]): [number, number, number] => (id === 4 ? [4, 1, 0] : id === 0 ? [0, 2, 0] : [id, s, t]));
    const change = m.applyTopology(update([0, 1, 2], rewired), 1);
    expect(change.structural).toBe(true);
    expect(m.edgeById.get(4)?.source.id).toBe(1);
    expect(m.edgeById.get(0)?.source.id).toBe(2);
  });
});
