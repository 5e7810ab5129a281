/** Growth on hand-made host models: splits, births, deaths, bounds, and what a split does to the network's function. */
import { describe, expect, it } from 'vitest';
import { graphProblem, type Graph } from '../graph';
import { packGraph, packRows, rowIds } from '../packing';
import { createRng } from '../random';
import { graphOf } from '../reference/fixtures';
import { laraReference } from '../reference/lara-reference';
import { growthCheck, INITIAL_LOSS_PLATEAU, LOSS_EMA, lossStuck, trackLoss, type GrowthContext, type LossPlateau } from './lara-growth';
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

/** The split and birth mechanics below are tested under the visits-only trigger; the plateau trigger has its own block. */
function context(p: Partial<GrowthParams>, seed = 2, plateau: LossPlateau = INITIAL_LOSS_PLATEAU): GrowthContext {
  const params: GrowthParams = {
    ...DEFAULT_LARA_PARAMS.growth,
    enabled: true,
    trigger: 'visits',
    splitAbove: 1, // no growth unless a test asks for it
    deleteBelow: 0,
    patience: 1,
    minNodes: 3,
    maxNodes: 16,
    maxDegree: 8,
    ...p,
  };
  return { params, gate: 'gaussian', selfLoops: true, degree: 3, tick: 42, rng: createRng(seed), plateau };
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

/**
 * The plateau trigger against a plain reference. The reference states the
 * rule in words, one step at a time: smooth the loss with an EMA; an EMA that
 * falls more than minImprovement (relative) below the best improving EMA so
 * far is an improvement; the loss is stuck when the last improvement (or the
 * last birth) is at least plateauSteps steps back and the EMA is above
 * lossFloor. A busy node grows on a check only while the loss is stuck.
 */
function referenceBirthSteps(
  losses: readonly number[],
  p: Pick<GrowthParams, 'every' | 'plateauSteps' | 'minImprovement' | 'lossFloor'>,
  busy: boolean,
): number[] {
  const births: number[] = [];
  let ema = NaN;
  let best = Infinity;
  let lastReset = 0; // step of the last improvement or birth
  losses.forEach((loss, i) => {
    const step = i + 1;
    ema = i === 0 ? loss : (1 - LOSS_EMA) * ema + LOSS_EMA * loss;
    if (ema < best * (1 - p.minImprovement)) {
      best = ema;
      lastReset = step;
    }
    const stuck = ema > p.lossFloor && step - lastReset >= p.plateauSteps;
    if (step % p.every === 0 && busy && stuck) {
      births.push(step);
      lastReset = step;
    }
  });
  return births;
}

/** Drives growthCheck the way the trainer does: trackLoss every step, a check every `every` steps. */
function simulate(losses: readonly number[], p: Partial<GrowthParams>, shares: readonly number[]): { births: number[]; deaths: number[]; nodes: number } {
  let m = model(shares);
  let starving: ReadonlyMap<number, number> = new Map();
  let plateau = INITIAL_LOSS_PLATEAU;
  const ctx = context({ trigger: 'plateau', splitAbove: 0.3, ...p }, 2);
  const births: number[] = [];
  const deaths: number[] = [];
  losses.forEach((loss, i) => {
    const step = i + 1;
    plateau = trackLoss(plateau, loss, ctx.params);
    if (step % ctx.params.every !== 0) return;
    const r = growthCheck(m, starving, { ...ctx, plateau });
    for (const e of r.events) (e.kind === 'birth' ? births : deaths).push(step);
    // Visit shares as a trainer would see them: the busy node stays busy (its split halves are re-measured).
    m = { ...r.model, visitShare: new Map([...r.model.visitShare].map(([id]) => [id, shares[id] ?? 0.3])) };
    ({ starving, plateau } = r);
  });
  return { births, deaths, nodes: m.graph.nodes.length };
}

/** A seeded loss curve: `at(step)` plus ±`jitter` relative noise. */
function curve(steps: number, at: (step: number) => number, jitter: number, seed = 5): number[] {
  const rng = createRng(seed);
  return Array.from({ length: steps }, (_, i) => at(i + 1) * (1 + jitter * (2 * rng.next() - 1)));
}

describe('growthCheck: the plateau trigger (a reason to grow)', () => {
  const p = { every: 25, plateauSteps: 100, minImprovement: 0.03, lossFloor: 0.1 };
  const busy = [0.1, 0.5, 0.1, 0.1, 0.1, 0.1]; // hidden node 1 is busy

  it('a solved task: the loss falls fast and plateaus low; no births at all, while the visits-only rule keeps splitting', () => {
    const solved = curve(1000, (s) => 1.386 * Math.exp(-s / 15) + 0.002, 0.3);
    expect(referenceBirthSteps(solved, p, true)).toEqual([]);
    expect(simulate(solved, p, busy).births).toEqual([]);
    const old = simulate(solved, { ...p, trigger: 'visits', maxNodes: 64 }, busy);
    expect(old.births).toHaveLength(1000 / 25);
  });

  it('a high loss that has stalled, with a busy node: a birth after plateauSteps, then one per plateauSteps at most', () => {
    const stalled = curve(1000, () => Math.log(3), 0.02);
    const ref = referenceBirthSteps(stalled, p, true);
    // Step 1 is the first best; stuck from step 101, so the first check after it (125), then every plateauSteps.
    expect(ref).toEqual([125, 225, 325, 425, 525, 625, 725, 825, 925]);
    expect(simulate(stalled, p, busy).births).toEqual(ref);
  });

  it('a stall after some learning: births start only once the loss stops improving, and agree with the reference', () => {
    // Falls to 0.6 by step ~300, flat after.
    const l = curve(900, (s) => 0.6 + 0.5 * Math.max(0, 1 - s / 300), 0.05);
    const ref = referenceBirthSteps(l, p, true);
    expect(ref.length).toBeGreaterThan(0);
    expect(ref[0] as number).toBeGreaterThanOrEqual(300);
    expect(simulate(l, p, busy).births).toEqual(ref);
  });

  it('a loss still improving (3% per 50 steps) never counts as stuck', () => {
    const improving = curve(1000, (s) => 2 * Math.pow(0.97, s / 50), 0.01);
    expect(referenceBirthSteps(improving, p, true)).toEqual([]);
    expect(simulate(improving, p, busy).births).toEqual([]);
  });

  it('a stuck loss but no busy node: no birth', () => {
    const stalled = curve(400, () => Math.log(3), 0.02);
    expect(simulate(stalled, p, [0.2, 0.2, 0.2, 0.2, 0.1, 0.1]).births).toEqual([]);
  });

  it('starved nodes still die on a solved task', () => {
    const solved = curve(300, (s) => 1.386 * Math.exp(-s / 15) + 0.002, 0.3);
    const r = simulate(solved, { ...p, deleteBelow: 0.01, patience: 2 }, [0.2, 0.3, 0.2, 0.1, 0, 0.2]);
    expect(r.births).toEqual([]);
    expect(r.deaths).toEqual([50]);
  });

  it('lossStuck: not before the first loss, not below the floor, and trackLoss ignores non-finite losses', () => {
    expect(lossStuck(INITIAL_LOSS_PLATEAU, p)).toBe(false);
    expect(lossStuck({ ema: 0.05, best: 0.05, stale: 1000 }, p)).toBe(false);
    expect(lossStuck({ ema: 1, best: 1, stale: 100 }, p)).toBe(true);
    expect(lossStuck({ ema: 1, best: 1, stale: 99 }, p)).toBe(false);
    const s = trackLoss(INITIAL_LOSS_PLATEAU, 1, p);
    expect(trackLoss(s, NaN, p)).toBe(s);
  });
});
