/**
 * Extinction (seed 004, docs/ARCHITECTURE.md) on host arrays, no tfjs: which
 * cells split and which die, the new cell set, and the birth/death events.
 * Also the plateau trigger that says when an extinction happens.
 */
import type { TopologyEvent } from '../training/step-result';
import { randInt, shuffle, type Rng } from '../random';
import type { DnaParams } from './dna-params';

/** The layer's cells as parallel arrays, one entry per cell, in graph.edges order. */
export interface Cells {
  /** Cell (edge) id, never reused. */
  readonly ids: Int32Array;
  /** Input index i and output index j. */
  readonly input: Int32Array;
  readonly output: Int32Array;
  readonly w: Float32Array;
  readonly b: Float32Array;
  /** Mean |w·x_i + b| over recent batches. */
  readonly passthrough: Float32Array;
}

export type ExtinctionSettings = Pick<DnaParams, 'extinction' | 'splitPercent' | 'deletePercent' | 'initialWeight'> & Partial<Pick<DnaParams, 'regrowth'>>;

export interface ExtinctionContext {
  readonly rng: Rng;
  /** Id of the next cell born. */
  readonly nextEdgeId: number;
  /** Tick stamped on the events (the epoch count). */
  readonly tick: number;
  /** Node id of each output index, for the events. */
  readonly outputNodeIds: ArrayLike<number>;
  /** Splits stop when the layer would hold more cells than this. */
  readonly maxCells: number;
  /** Input and output counts D and C (SET and RigL pick among the D·C pairs). */
  readonly inputSize?: number;
  readonly classes?: number;
  /** RigL: dL/dW of the dense weight [D·C], entry i·C + j, on a batch taken at the event. */
  readonly denseGradient?: ArrayLike<number>;
}

export interface ExtinctionResult {
  readonly cells: Cells;
  readonly events: readonly TopologyEvent[];
  readonly nextEdgeId: number;
  /** Per new cell, the index in the old cells it continues (survivor or split parent A), or -1 for a newborn B. */
  readonly origin: Int32Array;
}

/** Cells the layer may hold, as a multiple of the fully connected start (keeps threshold mode from growing without bound). */
export const MAX_CELLS_FACTOR = 4;

/**
 * One extinction event.
 *
 * Percent mode ranks cells by passthrough (ties in a seeded random order):
 * the top ceil(E·split%) split, the bottom ceil(E·delete%) die; ceil so that
 * a small layer (4 cells on the 2-D sets) still changes at 5%. A cell never
 * both splits and dies.
 *
 * Threshold mode splits cells with |w| > 2·w0 and kills those with |w| < w0/2.
 * The seed takes a cell's passthrough to be its weight; we compare |w|, since
 * w can go negative and a large negative weight passes as much signal.
 *
 * Either way the strongest cell of every output (by the mode's score) is
 * protected, so no output is ever left without a cell. A split keeps the
 * function: A keeps its id, w/2 and b; B is new (same i -> j) with w/2 and
 * b = 0, so w_A·x + w_B·x = w·x and b_A + b_B = b. Both get half the parent's
 * passthrough (exact when b = 0; the EMA corrects it within a few batches).
 *
 * With regrowth 'set' or 'rigl' nothing splits: the same cells die and as
 * many input-output pairs as they removed are regrown (regrowPairs), so the
 * layer keeps its density.
 */
export function extinction(cells: Cells, settings: ExtinctionSettings, ctx: ExtinctionContext): ExtinctionResult {
  const E = cells.ids.length;
  const threshold = settings.extinction === 'threshold';
  const score = (c: number): number => (threshold ? Math.abs(cells.w[c] as number) : (cells.passthrough[c] as number));
  // Shuffle first so the stable sort breaks ties (e.g. MNIST's always-blank border pixels) at random, not by id.
  const order = shuffle(
    ctx.rng,
    Array.from({ length: E }, (_, c) => c),
  ).sort((a, b) => score(b) - score(a));

  const guarded = new Set<number>();
  const seenOutput = new Set<number>();
  for (const c of order) {
    const j = cells.output[c] as number;
    if (!seenOutput.has(j)) guarded.add(c);
    seenOutput.add(j);
  }

  let splitters: number[];
  let dying: number[];
  const regrow = settings.regrowth === 'set' || settings.regrowth === 'rigl';
  if (threshold) {
    const w0 = settings.initialWeight;
    splitters = regrow ? [] : order.filter((c) => score(c) > 2 * w0);
    dying = order.filter((c) => score(c) < w0 / 2 && !guarded.has(c));
  } else {
    const count = (percent: number): number => (percent > 0 ? Math.ceil((E * percent) / 100) : 0);
    splitters = regrow ? [] : order.slice(0, count(settings.splitPercent));
    const splitting = new Set(splitters);
    dying = [...order]
      .reverse()
      .filter((c) => !splitting.has(c) && !guarded.has(c))
      .slice(0, count(settings.deletePercent));
  }
  const dead = new Set(dying);
  splitters = splitters.slice(0, Math.max(0, ctx.maxCells - (E - dead.size)));
  const splitting = new Set(splitters);

  const survivors: number[] = [];
  for (let c = 0; c < E; c++) if (!dead.has(c)) survivors.push(c);
  const grown = regrow ? regrowPairs(cells, survivors, settings.regrowth === 'rigl', ctx) : [];
  const n = survivors.length + splitters.length + grown.length;
  const out = {
    ids: new Int32Array(n),
    input: new Int32Array(n),
    output: new Int32Array(n),
    w: new Float32Array(n),
    b: new Float32Array(n),
    passthrough: new Float32Array(n),
  };
  const origin = new Int32Array(n);
  const put = (k: number, from: number, id: number, w: number, b: number, pass: number): void => {
    out.ids[k] = id;
    out.input[k] = cells.input[from] as number;
    out.output[k] = cells.output[from] as number;
    out.w[k] = w;
    out.b[k] = b;
    out.passthrough[k] = pass;
  };
  survivors.forEach((c, k) => {
    const half = splitting.has(c) ? 0.5 : 1;
    put(k, c, cells.ids[c] as number, (cells.w[c] as number) * half, cells.b[c] as number, (cells.passthrough[c] as number) * half);
    origin[k] = c;
  });

  const events: TopologyEvent[] = [];
  const deathCause = threshold ? 'threshold' : 'extinct';
  const birthCause = threshold ? 'threshold' : 'split';
  const nodeOf = (c: number): number => ctx.outputNodeIds[cells.output[c] as number] as number;
  for (const c of dying) events.push({ kind: 'death', nodeId: nodeOf(c), tick: ctx.tick, cause: deathCause, edgeIds: [cells.ids[c] as number] });
  let nextEdgeId = ctx.nextEdgeId;
  splitters.forEach((c, s) => {
    const k = survivors.length + s;
    const id = nextEdgeId++;
    put(k, c, id, (cells.w[c] as number) * 0.5, 0, (cells.passthrough[c] as number) * 0.5);
    origin[k] = -1;
    events.push({ kind: 'birth', nodeId: nodeOf(c), tick: ctx.tick, cause: birthCause, edgeIds: [id], parentEdgeId: cells.ids[c] as number });
  });
  const C = ctx.classes ?? 1;
  grown.forEach((pair, g) => {
    const k = survivors.length + splitters.length + g;
    const id = nextEdgeId++;
    const j = pair % C;
    out.ids[k] = id;
    out.input[k] = Math.floor(pair / C);
    out.output[k] = j;
    // w = b = 0 (RigL's choice, ours for SET): the layer computes the same right after the births.
    origin[k] = -1;
    events.push({ kind: 'birth', nodeId: ctx.outputNodeIds[j] as number, tick: ctx.tick, cause: 'birth', edgeIds: [id] });
  });
  return { cells: out, events, nextEdgeId, origin };
}

/** Distinct input-output pairs (i·C + j) of these cells. */
export function pairsOf(cells: Pick<Cells, 'input' | 'output'>, classes: number, which?: readonly number[]): Set<number> {
  const pairs = new Set<number>();
  const all = which ?? Array.from(cells.input, (_, c) => c);
  for (const c of all) pairs.add((cells.input[c] as number) * classes + (cells.output[c] as number));
  return pairs;
}

/**
 * SET / RigL regrowth: as many new pairs as the deaths removed (parallel
 * cells of one pair count once), chosen among the pairs no survivor holds
 * (a pair that just died may come back). SET: uniform, seeded. RigL: the
 * largest |dense gradient|, ties in a seeded random order. Pair indices, in
 * the order they were picked.
 */
function regrowPairs(cells: Cells, survivors: readonly number[], rigl: boolean, ctx: ExtinctionContext): number[] {
  const D = ctx.inputSize;
  const C = ctx.classes;
  if (D === undefined || C === undefined) throw new Error('SET and RigL regrowth need the layer sizes');
  const kept = pairsOf(cells, C, survivors);
  const lost = pairsOf(cells, C).size - kept.size;
  if (lost <= 0) return [];
  const absent: number[] = [];
  for (let p = 0; p < D * C; p++) if (!kept.has(p)) absent.push(p);
  const shuffled = shuffle(ctx.rng, absent);
  if (!rigl) return shuffled.slice(0, lost);
  const g = ctx.denseGradient;
  if (!g || g.length !== D * C) throw new Error(`RigL regrowth needs the dense gradient [${D * C}]`);
  const score = (p: number): number => Math.abs(g[p] as number);
  return shuffled.sort((a, b) => score(b) - score(a)).slice(0, lost);
}

/**
 * The start at a density below 1: round(density·D·C) pairs (at least C),
 * one random pair per output first so every output has a cell, the rest
 * uniform among the remaining pairs; sorted, so ids i·C + j follow the
 * fully connected graph's order.
 */
export function initialPairs(inputSize: number, classes: number, density: number, rng: Rng): Int32Array {
  const total = inputSize * classes;
  const count = Math.min(total, Math.max(classes, Math.round(density * total)));
  if (count === total) return Int32Array.from({ length: total }, (_, p) => p);
  const chosen = new Set<number>();
  for (let j = 0; j < classes; j++) chosen.add(randInt(rng, inputSize) * classes + j);
  for (const p of shuffle(
    rng,
    Array.from({ length: total }, (_, p) => p),
  )) {
    if (chosen.size >= count) break;
    chosen.add(p);
  }
  return Int32Array.from(chosen).sort();
}

/** Progress of the plateau trigger, carried from epoch to epoch. */
export interface PlateauState {
  /** Lowest epoch loss so far (Infinity before the first epoch). */
  readonly best: number;
  /** Epochs since the loss last improved or the last extinction. */
  readonly stale: number;
}

export const INITIAL_PLATEAU: PlateauState = { best: Infinity, stale: 0 };

/**
 * The trigger, called once at the end of every epoch with that epoch's mean
 * train loss and the number of epochs done (this one included).
 *
 * An epoch improves when its loss is strictly below the best so far (then
 * best = loss and stale = 0); otherwise stale += 1. Extinction fires when
 * epoch >= warmupEpochs and stale >= patience; firing resets stale to 0 but
 * keeps best, so while the layer does not beat its best it goes through an
 * extinction every `patience` epochs (the seed's "thriving epoch" must earn
 * its keep). Epochs inside the warm-up count towards stale, so the first
 * event can come right at the end of epoch warmupEpochs.
 */
export function plateauStep(
  state: PlateauState,
  epochLoss: number,
  epoch: number,
  params: Pick<DnaParams, 'warmupEpochs' | 'patience'>,
): { state: PlateauState; fire: boolean } {
  const improved = epochLoss < state.best;
  const best = improved ? epochLoss : state.best;
  const stale = improved ? 0 : state.stale + 1;
  const fire = epoch >= params.warmupEpochs && stale >= params.patience;
  return { state: { best, stale: fire ? 0 : stale }, fire };
}
