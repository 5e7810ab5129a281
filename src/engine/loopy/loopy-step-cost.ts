/**
 * Loopy train-step time per backend, for the Nodes slider's warning (no tfjs: the page reads it). wasm and cpu
 * have cost models fitted by src/bench/loopy-step-cost.ts; on the GPU backends nothing here is measured, so a run's
 * own step times scale a model's prediction to another size (calibratedStepMs).
 */
import type { WarningBackend, WarningContext } from '../model-descriptor';
import type { LoopyParams } from './loopy-params';

/** The sizes a loopy step's cost follows. */
export type LoopyCostParams = Pick<LoopyParams, 'hidden' | 'degree' | 'width' | 'batch' | 'window' | 'thinkTicks'>;

/** Node x lane x tick and edge x lane x tick counts of one train step (edges = nodes x density; a width-H node is H units, an edge H² weights). */
export function loopyStepFeatures(p: LoopyCostParams): { readonly nodeTicks: number; readonly edgeTicks: number } {
  const laneTicks = p.batch * p.window * p.thinkTicks;
  return { nodeTicks: p.hidden * p.width * laneTicks, edgeTicks: p.hidden * p.degree * p.width * p.width * laneTicks };
}

/** ms per train step = fixedMs + nsPerNodeTick·nodeTicks + nsPerEdgeTick·edgeTicks (ns as 1e-6 ms). */
export interface StepCostModel {
  readonly fixedMs: number;
  readonly nsPerNodeTick: number;
  readonly nsPerEdgeTick: number;
}

/** The backends with a fitted model; the others borrow wasm's shape and scale it by their own measured steps. */
export type ModelledBackend = 'wasm' | 'cpu';

/**
 * Fitted (least squares of the relative error) to the median step of the lab's trainer (tbptt, 16 lanes,
 * 16 symbols x 3 ticks, width 1) at 200x4, 1,000x16, 3,000x8, 10,000x4 and 10,000x16 nodes x density, measured
 * by `npx tsx src/bench/loopy-step-cost.ts` in Node on an otherwise idle 2-core machine: within 12% (wasm) and
 * 20% (cpu) of every figure (loopy-step-cost.test.ts holds them).
 */
export const LOOPY_STEP_COST: Readonly<Record<ModelledBackend, StepCostModel>> = {
  wasm: { fixedMs: 18, nsPerNodeTick: 47, nsPerEdgeTick: 5.4 },
  cpu: { fixedMs: 8.5, nsPerNodeTick: 91, nsPerEdgeTick: 9.2 },
};

/** A model's prediction (ms per train step). */
export function modelStepMs(model: StepCostModel, p: LoopyCostParams): number {
  const f = loopyStepFeatures(p);
  return model.fixedMs + 1e-6 * (model.nsPerNodeTick * f.nodeTicks + model.nsPerEdgeTick * f.edgeTicks);
}

/** The prediction at `p` scaled by how far the measured step is from the prediction at the size it was measured at. */
export function calibratedStepMs(model: StepCostModel, p: LoopyCostParams, measured: { readonly stepMs: number; readonly params: LoopyCostParams }): number {
  return (modelStepMs(model, p) * measured.stepMs) / modelStepMs(model, measured.params);
}

/**
 * What a step at `p` will cost and what the figure rests on: `model` (wasm and cpu before any step is timed),
 * `measured` (this run, at the same size), `scaled` (this run's steps at another size, calibratedStepMs), or
 * `wasm-class` (a GPU backend, or none yet, before a step is timed: wasm's model, said as such).
 */
export interface LoopyStepEstimate {
  readonly ms: number;
  readonly basis: 'model' | 'measured' | 'scaled' | 'wasm-class';
  readonly backend: WarningBackend | null;
}

const isModelled = (b: WarningBackend | null): b is ModelledBackend => b === 'wasm' || b === 'cpu';

const sameCost = (a: LoopyCostParams & Pick<LoopyParams, 'rule'>, b: LoopyCostParams & Pick<LoopyParams, 'rule'>): boolean => {
  const [fa, fb] = [loopyStepFeatures(a), loopyStepFeatures(b)];
  return a.rule === b.rule && fa.nodeTicks === fb.nodeTicks && fa.edgeTicks === fb.edgeTicks;
};

export function loopyStepEstimate(p: LoopyParams, context: WarningContext<LoopyParams>): LoopyStepEstimate {
  const { backend, measured } = context;
  const model = LOOPY_STEP_COST[isModelled(backend) ? backend : 'wasm'];
  if (measured && backend !== null) {
    if (sameCost(p, measured.params)) return { ms: measured.stepMs, basis: 'measured', backend };
    return { ms: calibratedStepMs(model, p, measured), basis: 'scaled', backend };
  }
  return { ms: modelStepMs(model, p), basis: isModelled(backend) ? 'model' : 'wasm-class', backend };
}
