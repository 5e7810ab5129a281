/**
 * Train steps per second of the engine against the naive one-layer-at-a-time
 * loop (bench/naive-lara.ts), same model and data, measured side by side in
 * one process: rounds alternate engine and naive steps so load on the machine
 * hits both alike.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { DEFAULT_LARA_PARAMS } from '../engine/lara/lara-params';
import { LaraTrainer, type LaraExperiment } from '../engine/lara/lara-trainer';
import { deriveSeed } from '../engine/random';
import { createTaskStream, taskSizes } from '../engine/tasks/task-registry';
import { NaiveLara } from './naive-lara';

export const BENCH_EXPERIMENT: LaraExperiment = {
  model: 'lara',
  task: 'recall',
  seed: 1,
  params: {
    ...DEFAULT_LARA_PARAMS,
    nodes: 64,
    width: 64,
    degree: 2,
    selfLoops: false,
    batch: 32,
    window: 16,
    thinkTicks: 1,
    explore: 0,
    gradClip: 0,
  },
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

export interface EngineVsNaive {
  bench: 'train-steps-per-second';
  backend: string;
  engineStepsPerSecond: number;
  naiveStepsPerSecond: number;
  /** engine / naive; the target is >= 10. */
  ratio: number;
  target: number;
  firstLossEngine: number;
  firstLossNaive: number;
  rounds: number;
  config: string;
}

/** The lab's default experiment, greedy so both sides route the same way. */
export const DEFAULT_SIZE_EXPERIMENT: LaraExperiment = {
  model: 'lara',
  task: 'recall',
  seed: 1,
  params: { ...DEFAULT_LARA_PARAMS, explore: 0, gradClip: 0 },
};

export async function engineVsNaive(backend: 'cpu' | 'wasm' | 'webgpu', rounds: number, exp: LaraExperiment = BENCH_EXPERIMENT): Promise<EngineVsNaive> {
  await tf.setBackend(backend);
  await tf.ready();
  const p = exp.params;
  const trainer = LaraTrainer.create(exp);
  const naive = new NaiveLara(await trainer.exportModel(), p.thinkTicks, p.learningRate, p.threadStays);
  const sizes = taskSizes(exp.task);
  const stream = createTaskStream(exp.task, p.batch, exp.seed, deriveSeed(exp.seed, 'train')); // the trainer's own stream
  const engineMs: number[] = [];
  const naiveMs: number[] = [];
  let firstLossEngine = NaN;
  let firstLossNaive = NaN;
  for (let r = 0; r <= rounds; r++) {
    let t0 = performance.now();
    const e = await trainer.trainStep();
    const te = performance.now() - t0;
    const batch = stream.next(p.window);
    t0 = performance.now();
    const n = await naive.trainStep(batch, sizes.inputSize, sizes.outputSize);
    const tn = performance.now() - t0;
    if (r === 0) {
      firstLossEngine = e.stats.loss;
      firstLossNaive = n;
      continue; // warm-up round: kernels compile, operators get cached
    }
    engineMs.push(te);
    naiveMs.push(tn);
  }
  trainer.dispose();
  naive.dispose();
  const engine = 1000 / median(engineMs);
  const naiveRate = 1000 / median(naiveMs);
  return {
    bench: 'train-steps-per-second',
    backend,
    engineStepsPerSecond: round(engine),
    naiveStepsPerSecond: round(naiveRate),
    ratio: round(engine / naiveRate),
    target: 10,
    firstLossEngine: round(firstLossEngine, 5),
    firstLossNaive: round(firstLossNaive, 5),
    rounds,
    config: `L=${p.nodes} H=${p.width} in-degree=${p.degree} batch=${p.batch} ticks=${p.window * p.thinkTicks}`,
  };
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
