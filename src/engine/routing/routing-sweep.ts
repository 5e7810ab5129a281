/**
 * Compute saved vs accuracy lost: one routed stack per lambda_s and router
 * kind, all from the experiment's seed and trained for the same number of
 * steps, against the no-routing baseline trained once. Plain async engine
 * code, so a worker can run it beside the live experiment.
 */
import type { RouterKind, RoutingExperiment } from './routing-params';
import { loadRoutingData, RoutingTrainer } from './routing-trainer';

export interface SweepPoint {
  /** The router kind trained; null for the baseline (no routing). */
  readonly router: RouterKind | null;
  readonly lambdaS: number;
  /** Share of layer executions skipped on the test split under hard routing. */
  readonly skippedFraction: number;
  /** Test accuracy under hard routing. */
  readonly hardAccuracy: number;
  /** Baseline test accuracy minus hardAccuracy (negative: routing did better). */
  readonly accuracyLost: number;
}

export interface SweepOptions {
  /** Stops between steps; the promise then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Called as each point is done (the baseline first, with lambdaS NaN and skippedFraction 0). */
  readonly onPoint?: (point: SweepPoint, done: number, total: number) => void;
  /** Router kinds to train at each lambda_s (default: the experiment's), one curve each. */
  readonly routers?: readonly RouterKind[];
}

/** Steps between yields to the event loop, so a worker still hears its messages. */
const YIELD_EVERY = 25;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

async function trainFor(trainer: RoutingTrainer, steps: number, signal: AbortSignal | undefined): Promise<void> {
  for (let s = 0; s < steps; s++) {
    signal?.throwIfAborted();
    await trainer.trainStep();
    if ((s + 1) % YIELD_EVERY === 0) await yieldToEventLoop();
  }
}

export async function sweepLambda(experiment: RoutingExperiment, lambdas: readonly number[], steps: number, options: SweepOptions = {}): Promise<SweepPoint[]> {
  const { signal, onPoint } = options;
  const routers = options.routers ?? [experiment.params.router];
  const data = await loadRoutingData(experiment);
  const run = async (routing: boolean, lambdaS: number, router: RouterKind) => {
    const trainer = await RoutingTrainer.create({ ...experiment, params: { ...experiment.params, routing, lambdaS, router } }, data);
    try {
      await trainFor(trainer, steps, signal);
      return await trainer.evaluate();
    } finally {
      trainer.dispose();
    }
  };
  const total = lambdas.length * routers.length + 1;
  const baseline = await run(false, 0, 'soft');
  onPoint?.({ router: null, lambdaS: NaN, skippedFraction: 0, hardAccuracy: baseline.hardAccuracy, accuracyLost: 0 }, 1, total);
  const points: SweepPoint[] = [];
  // λs outermost, so every λs has all its kinds early (the panel's table fills row by row).
  for (const lambdaS of lambdas) {
    for (const router of routers) {
      const e = await run(true, lambdaS, router);
      const point = { router, lambdaS, skippedFraction: e.skippedFraction, hardAccuracy: e.hardAccuracy, accuracyLost: baseline.hardAccuracy - e.hardAccuracy };
      points.push(point);
      onPoint?.(point, points.length + 1, total);
    }
  }
  return points;
}
