import { describe, expect, it } from 'vitest';
import { generateGraph, generatorLayoutHint, generatorPositions, type GeneratorOptions } from '../../engine/graph-generators';
import type { Graph } from '../../protocol/messages';
import { depthOf, fixedPositions, layerPositions, layoutKindOf } from './fixed-layouts';

const base = { hidden: 1000, inputs: 4, outputs: 4, readNode: false, degree: 4, selfLoops: true, seed: 7 } as const;

function hinted(generator: GeneratorOptions['generator']): Graph {
  const opts: GeneratorOptions = { ...base, generator };
  const layout = generatorLayoutHint(opts);
  return layout ? { ...generateGraph(opts), layout } : generateGraph(opts);
}

describe('fixed layouts from the generator', () => {
  it('puts a ring lattice and Watts–Strogatz on a circle, in id order, neighbours next to each other', () => {
    for (const generator of ['lattice', 'watts-strogatz'] as const) {
      const g = hinted(generator);
      expect(layoutKindOf(g)).toBe('ring');
      const pos = fixedPositions(g, 10);
      expect(pos).not.toBeNull();
      const hidden = g.nodes.filter((n) => n.role === 'hidden');
      const radii = hidden.map((n) => Math.hypot(pos?.get(n.id)?.x ?? NaN, pos?.get(n.id)?.y ?? NaN));
      const r = radii[0] as number;
      expect(r).toBeGreaterThan(1000);
      for (const x of radii) expect(x).toBeCloseTo(r, 6);
      // Consecutive ids are adjacent on the circle: one arc step apart.
      const step = (2 * Math.PI * r) / hidden.length;
      for (let i = 1; i < hidden.length; i++) {
        const a = pos?.get((hidden[i - 1] as { id: number }).id) as { x: number; y: number };
        const b = pos?.get((hidden[i] as { id: number }).id) as { x: number; y: number };
        expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeCloseTo(step, 1);
      }
      // Inputs inside the circle on the left, outputs on the right.
      for (const n of g.nodes) {
        const p = pos?.get(n.id) as { x: number; y: number };
        if (n.role === 'input') expect(p.x).toBeLessThan(0);
        if (n.role === 'output') expect(p.x).toBeGreaterThan(0);
        if (n.role !== 'hidden') expect(Math.hypot(p.x, p.y)).toBeLessThan(r);
      }
    }
  });

  it('places Waxman nodes at the positions the generator drew its links from', () => {
    const opts: GeneratorOptions = { ...base, hidden: 300, generator: 'waxman' };
    const g: Graph = { ...generateGraph(opts), layout: generatorLayoutHint(opts) as NonNullable<Graph['layout']> };
    expect(layoutKindOf(g)).toBe('plane');
    const drawn = generatorPositions(opts) ?? [];
    const pos = fixedPositions(g, 10);
    expect(drawn).toHaveLength(300);
    // The map from unit square to world is one scale and one shift for every node.
    const a = drawn[0] as { id: number; x: number; y: number };
    const b = drawn[1] as { id: number; x: number; y: number };
    const pa = pos?.get(a.id) as { x: number; y: number };
    const pb = pos?.get(b.id) as { x: number; y: number };
    const scale = (pa.x - pb.x) / (a.x - b.x);
    expect(scale).toBeGreaterThan(0);
    for (const p of drawn) {
      const q = pos?.get(p.id) as { x: number; y: number };
      expect(q.x - pa.x).toBeCloseTo((p.x - a.x) * scale, 6);
      expect(q.y - pa.y).toBeCloseTo((p.y - a.y) * scale, 6);
    }
    // Inputs left of the square, outputs right of it.
    const xs = drawn.map((p) => (pos?.get(p.id) as { x: number }).x);
    for (const n of g.nodes) {
      if (n.role === 'input') expect((pos?.get(n.id) as { x: number }).x).toBeLessThan(Math.min(...xs));
      if (n.role === 'output') expect((pos?.get(n.id) as { x: number }).x).toBeGreaterThan(Math.max(...xs));
    }
  });

  it('lays a feed-forward graph out in columns ordered by depth', () => {
    const opts: GeneratorOptions = { ...base, hidden: 600, generator: 'feed-forward', layers: 3 };
    const layout = generatorLayoutHint(opts);
    expect(layout).toEqual({ kind: 'layers' });
    const g: Graph = { ...generateGraph(opts), layout: { kind: 'layers' } };
    const depth = depthOf(g);
    const pos = layerPositions(g, 10);
    // Every edge runs left to right: a reader sits right of what it reads.
    for (const e of g.edges) {
      if (e.source === e.target) continue;
      expect(depth.get(e.target) as number).toBeGreaterThan(depth.get(e.source) as number);
      expect((pos.get(e.target) as { x: number }).x).toBeGreaterThan((pos.get(e.source) as { x: number }).x);
    }
    // The three hidden layers are depths 1, 2, 3 (contiguous id blocks), outputs at 4.
    const hidden = g.nodes.filter((n) => n.role === 'hidden').map((n) => depth.get(n.id));
    expect(new Set(hidden)).toEqual(new Set([1, 2, 3]));
    for (const n of g.nodes) if (n.role === 'output') expect(depth.get(n.id)).toBe(4);
    // No two nodes share a spot.
    const spots = new Set([...pos.values()].map((p) => `${p.x.toFixed(3)},${p.y.toFixed(3)}`));
    expect(spots.size).toBe(g.nodes.length);
  });

  it('leaves the generators without geometry (and LARA’s graphs) to the force layout', () => {
    expect(layoutKindOf(hinted('erdos-renyi'))).toBe('force');
    expect(layoutKindOf(hinted('barabasi-albert'))).toBe('force');
    expect(fixedPositions(hinted('erdos-renyi'), 10)).toBeNull();
  });

  it('takes breadth-first depth where a graph has cycles', () => {
    const g: Graph = {
      nodes: [
        { id: 0, role: 'input' },
        { id: 1, role: 'hidden' },
        { id: 2, role: 'hidden' },
        { id: 3, role: 'output' },
      ],
      edges: [
        { id: 0, source: 0, target: 1 },
        { id: 1, source: 1, target: 2 },
        { id: 2, source: 2, target: 1 },
        { id: 3, source: 2, target: 3 },
      ],
      nextNodeId: 4,
      nextEdgeId: 4,
    };
    expect([...depthOf(g).entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });
});
