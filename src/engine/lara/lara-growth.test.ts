/** Growth on hand-made host models: splits, births, deaths, bounds, and what a split does to the network's function. */
import { describe, expect, it } from 'vitest';
import { graphProblem, type Graph } from '../graph';
import { packGraph, packRows, rowIds } from '../packing';
import { createRng } from '../random';
import { graphOf } from '../reference/fixtures';
import { laraReference } from '../reference/lara-reference';
import { growthCheck, type GrowthContext } from './lara-growth';
import { initLaraModel, LARA_TABLE_NAMES, LARA_TABLES, type LaraHostModel } from './lara-model';
import { DEFAULT_LARA_PARAMS, type GrowthParams } from './lara-params';

const DIMS = { width: 3, inputSize: 3, outputSize: 3, readAll: false };

/** A ring 0-1-2-3-4-0 with a leaf 5 on node 3 (so 3 is a cut node), self-loops everywhere. Input 0, output 2. */
function ringWithLeaf(): Graph {
  const links = [
    [0, 1],
    [1, 2],
    [2, 3],
    [3, 4],
    [4, 0],
    [3, 5],
  ];
  const edges: [number, number][] = [];
  for (let n = 0; n < 6; n++) {
    edges.push([n, n]);
    for (const [a, b] of links) {
      if (a === n) edges.push([b as number, n]);
      if (b === n) edges.push([a as number, n]);
    }
  }
  return graphOf(['input', 'hidden', 'output', 'hidden', 'hidden', 'hidden'], edges);
}

function model(shares: readonly number[], seed = 1): LaraHostModel {
  const m = initLaraModel(ringWithLeaf(), DIMS, 'gaussian', seed);
  return { ...m, visitShare: new Map(shares.map((s, id) => [id, s])) };
}

function context(p: Partial<GrowthParams>, seed = 2): GrowthContext {
  const params: GrowthParams = {
    ...DEFAULT_LARA_PARAMS.growth,
    enabled: true,
    splitAbove: 1, // no growth unless a test asks for it
    deleteBelow: 0,
    patience: 1,
    minNodes: 3,
    maxNodes: 16,
    maxDegree: 8,
    ...p,
  };
  return { params, gate: 'gaussian', selfLoops: true, degree: 3, tick: 42, rng: createRng(seed) };
}

const edgeId = (g: Graph, source: number, target: number): number => {
  const e = g.edges.find((x) => x.source === source && x.target === target);
  if (!e) throw new Error(`no edge ${source} -> ${target}`);
  return e.id;
};

/** Deep copy of every row, to check the input model is left alone. */
const rowsOf = (m: LaraHostModel): string => JSON.stringify(LARA_TABLE_NAMES.map((n) => [...m.tables[n].rows].map(([id, r]) => [id, Array.from(r)])));

describe('growthCheck: split', () => {
  const parent = 1;
  const before = model([0.1, 0.5, 0.1, 0.1, 0.1, 0.1]);
  const frozen = rowsOf(before);
  const r = growthCheck(before, new Map(), context({ mode: 'split', splitAbove: 0.3 }));
  const g = r.model.graph;
  const child = before.graph.nextNodeId;
  const edgeW = r.model.tables.edgeW.rows;
  const oldW = (id: number): Float32Array => before.tables.edgeW.rows.get(id) as Float32Array;

  it('adds one hidden node with the next id, as a split event', () => {
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ kind: 'birth', cause: 'split', nodeId: child, parentId: parent, tick: 42 });
    expect(g.nodes.find((n) => n.id === child)?.role).toBe('hidden');
    expect(g.nextNodeId).toBe(child + 1);
    expect(graphProblem(g)).toBeNull();
    expect(rowsOf(before)).toBe(frozen);
  });

  it("copies the parent's in-edges (self-loop to self-loop) with jittered weights and equal gates", () => {
    const parentSources = before.graph.edges.filter((e) => e.target === parent).map((e) => e.source);
    const childSources = g.edges.filter((e) => e.target === child).map((e) => e.source);
    expect(childSources).toEqual(parentSources.map((s) => (s === parent ? child : s)));
    for (const source of parentSources) {
      const from = edgeId(before.graph, source, parent);
      const to = edgeId(g, source === parent ? child : source, child);
      const w = edgeW.get(to) as Float32Array;
      const diff = Math.max(...Array.from(w, (x, i) => Math.abs(x - (oldW(from)[i] as number))));
      expect(diff).toBeGreaterThan(0);
      expect(diff).toBeLessThan(0.01);
      expect(Array.from(r.model.tables.gateU.rows.get(to) as Float32Array)).toEqual(Array.from(before.tables.gateU.rows.get(from) as Float32Array));
      expect(Array.from(r.model.tables.gateV.rows.get(to) as Float32Array)).toEqual(Array.from(before.tables.gateV.rows.get(from) as Float32Array));
    }
  });

  it("halves the parent's outgoing weights and gives the child the other half", () => {
    const targets = before.graph.edges.filter((e) => e.source === parent && e.target !== parent).map((e) => e.target);
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) {
      const half = Array.from(oldW(edgeId(before.graph, parent, target)), (x) => x / 2);
      expect(Array.from(edgeW.get(edgeId(g, parent, target)) as Float32Array)).toEqual(half);
      expect(Array.from(edgeW.get(edgeId(g, child, target)) as Float32Array)).toEqual(half);
    }
    // The self-loop is the parent's own input, not an outgoing contribution: unchanged.
    expect(edgeW.get(edgeId(g, parent, parent))).toEqual(oldW(edgeId(before.graph, parent, parent)));
    const newEdges = g.edges.filter((e) => e.source === child || e.target === child).map((e) => e.id);
    expect([...(r.events[0]?.edgeIds ?? [])].sort()).toEqual(newEdges.sort());
  });

  it('shares the visit share between parent and child', () => {
    expect(r.model.visitShare.get(parent)).toBeCloseTo(0.25);
    expect(r.model.visitShare.get(child)).toBeCloseTo(0.25);
  });

  it('respects maxNodes', () => {
    const full = growthCheck(before, new Map(), context({ mode: 'split', splitAbove: 0.3, maxNodes: 6 }));
    expect(full.events).toHaveLength(0);
    expect(full.model.graph.nodes).toHaveLength(6);
  });
});

describe('growthCheck: birth', () => {
  const before = model([0.05, 0.4, 0.1, 0.3, 0.1, 0.05]);
  const r = growthCheck(before, new Map(), context({ mode: 'birth', splitAbove: 0.3 }));
  const g = r.model.graph;
  const id = before.graph.nextNodeId;

  it('adds a fresh node that reads the busiest nodes (degree - self-loop of them) and feeds them with zero weight', () => {
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ kind: 'birth', cause: 'birth', nodeId: id, parentId: 1 });
    expect(graphProblem(g)).toBeNull();
    const sources = g.edges.filter((e) => e.target === id).map((e) => e.source);
    expect(sources.sort()).toEqual([1, 3, id].sort());
    const targets = g.edges.filter((e) => e.source === id && e.target !== id).map((e) => e.target);
    expect(targets.sort()).toEqual([1, 3]);
    for (const t of targets) expect((r.model.tables.edgeW.rows.get(edgeId(g, id, t)) as Float32Array).every((x) => x === 0)).toBe(true);
    // Its own in-edges are live.
    expect((r.model.tables.edgeW.rows.get(edgeId(g, 1, id)) as Float32Array).some((x) => x !== 0)).toBe(true);
    expect(r.model.visitShare.get(id)).toBe(0);
  });
});

describe('growthCheck: deaths', () => {
  it('a node starving for `patience` checks dies with its edges and rows', () => {
    let m = model([0.2, 0.2, 0.2, 0.2, 0, 0.2]);
    let starving: ReadonlyMap<number, number> = new Map();
    const ctx = context({ deleteBelow: 0.01, patience: 3 });
    for (let check = 1; check <= 2; check++) {
      const r = growthCheck(m, starving, ctx);
      expect(r.events).toHaveLength(0);
      expect(r.starving.get(4)).toBe(check);
      expect(r.starving.get(1)).toBe(0);
      ({ model: m, starving } = r);
    }
    const gone = m.graph.edges.filter((e) => e.source === 4 || e.target === 4).map((e) => e.id);
    const r = growthCheck(m, starving, ctx);
    expect(r.events).toEqual([{ kind: 'death', nodeId: 4, tick: 42, cause: 'starved', edgeIds: gone }]);
    const g = r.model.graph;
    expect(g.nodes.map((n) => n.id)).toEqual([0, 1, 2, 3, 5]);
    expect(g.edges.some((e) => e.source === 4 || e.target === 4)).toBe(false);
    expect(graphProblem(g)).toBeNull();
    for (const name of ['edgeW', 'gateU', 'gateV'] as const) for (const e of gone) expect(r.model.tables[name].rows.has(e)).toBe(false);
    expect(r.model.visitShare.has(4)).toBe(false);
  });

  it('a starving node whose death would disconnect the graph survives', () => {
    const r = growthCheck(model([0.2, 0.2, 0.2, 0, 0.2, 0.2]), new Map([[3, 5]]), context({ deleteBelow: 0.01 }));
    expect(r.events).toHaveLength(0);
    expect(r.model.graph.nodes).toHaveLength(6);
    expect(r.starving.get(3)).toBe(6);
  });

  it('input and output nodes never die', () => {
    const r = growthCheck(model([0, 0.3, 0, 0.3, 0.2, 0.2]), new Map([[0, 9], [2, 9]]), context({ deleteBelow: 0.01 }));
    expect(r.events).toHaveLength(0);
  });

  it('respects minNodes', () => {
    const r = growthCheck(model([0.2, 0.2, 0.2, 0.2, 0, 0.2]), new Map(), context({ deleteBelow: 0.01, minNodes: 6 }));
    expect(r.events).toHaveLength(0);
  });
});

/**
 * What a split does to the network's function, computed with the plain-TS
 * reference: same inputs, greedy routing, states given per node id.
 */
function run(m: LaraHostModel, inputs: Int32Array, h0ById: ReadonlyMap<number, Float32Array>): { logits: Float64Array; visited: Set<number> } {
  const packing = packGraph(m.graph, m.dims.readAll);
  const weights = Object.fromEntries(LARA_TABLE_NAMES.map((n) => [n, packRows(m.tables[n], rowIds(packing, LARA_TABLES[n]))])) as Record<
    (typeof LARA_TABLE_NAMES)[number],
    Float32Array
  >;
  const H = m.dims.width;
  const h0 = new Float32Array(packing.L * H);
  packing.nodeIds.forEach((id, i) => h0.set(h0ById.get(id) ?? new Float32Array(H), i * H));
  const r = laraReference({
    packing,
    width: H,
    inputSize: m.dims.inputSize,
    outputSize: m.dims.outputSize,
    weights,
    lanes: 1,
    h0,
    threads0: [packing.inputPositions[0] as number],
    inputs,
    targets: new Int32Array(inputs.length).fill(0),
    thinkTicks: 1,
    gate: 'gaussian',
    exploration: 'epsilon',
  });
  return { logits: r.logits, visited: new Set(Array.from(r.threadTrace, (pos) => packing.nodeIds[pos] as number)) };
}

const maxDiff = (a: Float64Array, b: Float64Array): number => Math.max(...Array.from(a, (x, i) => Math.abs(x - (b[i] as number))));

describe('growthCheck: a split and the function of the network', () => {
  const inputs = Int32Array.from([0, 2, 1, 1, 0, 2]);
  const parent = 3; // hidden; the output (2) reads it

  it('is preserved while the parent rests, given the child starts from the parent state', () => {
    // Only the parent's outgoing slots have non-zero gate vectors: every other
    // slot has G = exp(0) = 1, so the parent's slots (and the child's equal ones)
    // never win the routing, while its message (G < 1) still reaches the output.
    const base = model([0.1, 0.1, 0.1, 0.5, 0.1, 0.1], 4);
    for (const name of ['gateU', 'gateV'] as const) {
      for (const e of base.graph.edges) {
        const row = base.tables[name].rows.get(e.id) as Float32Array;
        row.fill(name === 'gateV' && e.source === parent && e.target !== parent ? 0.4 : 0);
      }
    }
    const split = growthCheck(base, new Map(), context({ mode: 'split', splitAbove: 0.3 })).model;
    const child = base.graph.nextNodeId;
    const h = new Map(base.graph.nodes.map((n) => [n.id, Float32Array.from([0.5, 1, 0.25].map((x) => x + 0.1 * n.id))]));
    const original = run(base, inputs, h);
    expect(original.visited.has(parent)).toBe(false);
    // The parent's cached state does reach the read-out.
    expect(maxDiff(run(base, inputs, new Map([...h, [parent, new Float32Array(3)]])).logits, original.logits)).toBeGreaterThan(1e-3);

    const after = run(split, inputs, new Map([...h, [child, h.get(parent) as Float32Array]]));
    expect(maxDiff(after.logits, original.logits)).toBeLessThan(1e-6);
  });

  // Net2Net assumes the child computes whenever the parent does. In LARA only
  // nodes holding a thread compute, so once the thread visits one copy the two
  // diverge: a split preserves the function only until then (help panel says so).
  const visitedModel = model([0, 0, 0, 0, 0, 0], 4);
  const visited = run(visitedModel, inputs, new Map()).visited;
  const busy = visitedModel.graph.nodes.find((n) => n.role === 'hidden' && visited.has(n.id))?.id ?? -1;
  const busyModel = { ...visitedModel, visitShare: new Map(visitedModel.graph.nodes.map((n) => [n.id, n.id === busy ? 0.5 : 0.1])) };

  it('(setup) the thread visits a hidden node, which then splits', () => {
    expect(busy).toBeGreaterThan(0);
    const events = growthCheck(busyModel, new Map(), context({ mode: 'split', splitAbove: 0.3 })).events;
    expect(events[0]).toMatchObject({ cause: 'split', parentId: busy });
  });

});
