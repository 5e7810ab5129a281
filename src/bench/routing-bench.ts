/**
 * Routing modules (docs/ARCHITECTURE.md): how many layer executions hard routing skips
 * at the default lambda_s, and what it costs in accuracy against the same
 * stack without routing, trained side by side from the same seed (same
 * initial weights, same batches). Plus a small lambda_s sweep on one 2-D set.
 *   npx tsx -e "import('./src/bench/routing-bench.ts').then(async m=>console.log(JSON.stringify(await m.benchRouting())))"
 * Beside executions skipped, inferenceTimeSaved is measured: the hard
 * inference that gathers each layer's executing rows against the unrouted
 * stack's inference, same test rows (tiled to 4,096), same process. A skip
 * path h S_l with a dense S_l costs as many multiply-adds as the layer it
 * replaces (skipOnlyNearZeroS: how sparse lambda_1 made S, |s| < 0.01); the
 * router and skip options pick the straight-through or Gumbel router and
 * the identity-diagonal skip (npm run study -- routing-kinds compares them all).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { HostTensor } from '../engine/training/host-tensor';
import { loadDataset, type DatasetId } from '../engine/datasets/classification-data';
import type { RouterKind, RoutingExperiment, SkipKind } from '../engine/routing/routing-params';
import { DEFAULT_ROUTING_PARAMS } from '../engine/routing/routing-params';
import { sweepLambda } from '../engine/routing/routing-sweep';
import { RoutingTrainer } from '../engine/routing/routing-trainer';

export interface RoutingBenchOptions {
  readonly backend?: 'wasm' | 'cpu';
  readonly seed?: number;
  /** Train steps of each stack on the 2-D datasets. */
  readonly steps?: number;
  /** MNIST too (about 20 s to load, then `mnistSteps` steps per stack). */
  readonly mnist?: boolean;
  readonly mnistSteps?: number;
  readonly sweepTask?: DatasetId;
  readonly sweepLambdas?: readonly number[];
  /** Router and skip kinds of the routed stacks (default: the seed's soft router and dense skip). */
  readonly router?: RouterKind;
  readonly skip?: SkipKind;
}

type Row = Record<string, number | string | null>;

const round = (x: number, digits = 4): number => Math.round(x * 10 ** digits) / 10 ** digits;

async function trainTimed(t: RoutingTrainer, steps: number): Promise<number> {
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) await t.trainStep();
  return (performance.now() - t0) / steps;
}

async function routedVsUnrouted(backend: string, task: DatasetId, seed: number, steps: number, router: RouterKind, skip: SkipKind): Promise<Row> {
  const base: RoutingExperiment = { model: 'routing', task, seed, params: { ...DEFAULT_ROUTING_PARAMS, router, skip } };
  const data = await loadDataset(task, seed, { noise: base.params.noise });
  const routed = await RoutingTrainer.create(base, data);
  const unrouted = await RoutingTrainer.create({ ...base, params: { ...base.params, routing: false } }, data);
  try {
    const msRouted = await trainTimed(routed, steps);
    const msUnrouted = await trainTimed(unrouted, steps);
    const r = await routed.evaluate();
    const u = await unrouted.evaluate();
    const gr = await routed.gatheredInference(9);
    const gu = await unrouted.gatheredInference(9);
    const S = ((await routed.exportModel()).tensors[skip === 'dense' ? 'skipS' : 'skipD'] as HostTensor).values;
    const p = base.params;
    return {
      bench: 'routing-vs-unrouted',
      backend,
      task,
      steps,
      layers: p.layers,
      width: p.width,
      lambdaS: p.lambdaS,
      lambda1: p.lambda1,
      router,
      skip,
      skippedFraction: round(r.skippedFraction),
      /** 1 - gathered hard inference time / unrouted inference time (same rows, same process). */
      inferenceTimeSaved: round(1 - gr.ms / gu.ms, 3),
      unroutedAccuracy: round(u.hardAccuracy),
      routedHardAccuracy: round(r.hardAccuracy),
      routedSoftAccuracy: round(r.softAccuracy),
      /** Routed (hard) minus unrouted test accuracy. */
      accuracyChange: round(r.hardAccuracy - u.hardAccuracy),
      skipOnlyNearZeroS: round(S.filter((v) => Math.abs(v) < 0.01).length / S.length),
      /** Train step time, routed / unrouted: the routers' and skip paths' overhead while training. */
      trainStepTimeRatio: round(msRouted / msUnrouted, 2),
      msPerStepRouted: round(msRouted, 2),
      msPerStepUnrouted: round(msUnrouted, 2),
    };
  } finally {
    routed.dispose();
    unrouted.dispose();
  }
}

export async function benchRouting(opts: RoutingBenchOptions = {}): Promise<Row[]> {
  const backend = opts.backend ?? 'wasm';
  tf.env().set('PROD', true);
  await tf.setBackend(backend);
  await tf.ready();
  const seed = opts.seed ?? 1;
  const steps = opts.steps ?? 800;
  const rows: Row[] = [];
  const router = opts.router ?? 'soft';
  const skip = opts.skip ?? 'dense';
  for (const task of ['circle', 'xor', 'gaussian', 'spiral'] as const) rows.push(await routedVsUnrouted(backend, task, seed, steps, router, skip));
  if (opts.mnist ?? true) {
    const t0 = performance.now();
    const row = await routedVsUnrouted(backend, 'mnist', seed, opts.mnistSteps ?? 800, router, skip);
    rows.push({ ...row, seconds: round((performance.now() - t0) / 1000, 1) });
  }
  const sweepTask = opts.sweepTask ?? 'xor';
  const experiment: RoutingExperiment = { model: 'routing', task: sweepTask, seed, params: { ...DEFAULT_ROUTING_PARAMS, skip } };
  const points = await sweepLambda(experiment, opts.sweepLambdas ?? [0, 0.01, 0.05, 0.2, 0.5], steps, { routers: ['soft', 'straight-through'] });
  for (const p of points) {
    rows.push({
      bench: 'routing-lambda-sweep',
      backend,
      task: sweepTask,
      steps,
      router: p.router,
      skip,
      lambdaS: p.lambdaS,
      skippedFraction: round(p.skippedFraction),
      hardAccuracy: round(p.hardAccuracy),
      accuracyLost: round(p.accuracyLost),
    });
  }
  return rows;
}
