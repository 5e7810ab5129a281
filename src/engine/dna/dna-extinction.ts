/**
 * Extinction (seed 004, docs/ARCHITECTURE.md) on host arrays, no tfjs: which
 * cells split and which die, the new cell set, and the birth/death events.
 * Also the plateau trigger that says when an extinction happens.
 */
import type { TopologyEvent } from '../training/step-result';
import { shuffle, type Rng } from '../random';
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

export type ExtinctionSettings = Pick<DnaParams, 'extinction' | 'splitPercent' | 'deletePercent' | 'initialWeight'>;

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
  if (threshold) {
    const w0 = settings.initialWeight;
    splitters = order.filter((c) => score(c) > 2 * w0);
    dying = order.filter((c) => score(c) < w0 / 2 && !guarded.has(c));
  } else {
    const count = (percent: number): number => (percent > 0 ? Math.ceil((E * percent) / 100) : 0);
    splitters = order.slice(0, count(settings.splitPercent));
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
  const n = survivors.length + splitters.length;
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
  return { cells: out, events, nextEdgeId, origin };
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
