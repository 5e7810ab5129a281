/**
 * What a first run looks like, counted in train steps (not seconds): for LARA
 * and loopy networks on a task at given parameters, over several seeds, the
 * step at which accuracy (mean of the last 20 steps) first leaves chance by a
 * margin, and the step at which the loss reaches its plateau. The lab runs the
 * default LARA at about 15 steps/s on wasm in headless Chromium, so 60 s is
 * about 900 steps.
 *   npx tsx src/bench/first-run.ts [--backend wasm|cpu] [--steps 900] [--seeds 1,2,3]
 *     [--model lara|loopy] [--task recall|circuit] [--set key=value,...]
 *     [--recall delay,symbols]   (LARA: a recall task of another size, fed through trainOn)
 *     [--growth plateau|visits]  (LARA: growth on with this trigger; births and deaths are counted)
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { installFastKernels } from '../engine/kernels/fast-kernels';
import { DEFAULT_LARA_PARAMS, type LaraParams } from '../engine/lara/lara-params';
import { LaraTrainer } from '../engine/lara/lara-trainer';
import { DEFAULT_LOOPY_PARAMS, loopyParamsSchema } from '../engine/loopy/loopy-params';
import { LoopyTrainer } from '../engine/loopy/loopy-trainer';
import type { TaskId } from '../engine/tasks/task';
import { taskInfo } from '../engine/tasks/task-registry';
import { createRecallStream } from '../engine/tasks/recall-task';
import { deriveSeed } from '../engine/random';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? fallback) : fallback;
};

/** Accuracy above chance by this much (absolute) counts as "left chance". */
export const CHANCE_MARGIN = 0.1;
const WINDOW = 20;

export interface FirstRun {
  readonly leftChanceAt: number | null;
  readonly plateauAt: number | null;
  readonly finalLoss: number;
  readonly finalAccuracy: number;
  readonly births: number;
  readonly deaths: number;
  readonly nodes: number;
  /** '+step' per birth, '-step' per death. */
  readonly eventSteps: readonly string[];
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/**
 * Plateau: the first step after which the windowed mean loss never again
 * falls by more than 5% of the total fall (first window to best window).
 */
export function plateauStep(losses: readonly number[], window = WINDOW): number | null {
  if (losses.length < 2 * window) return null;
  const smooth = losses.map((_, i) => mean(losses.slice(Math.max(0, i - window + 1), i + 1)));
  const first = smooth[window - 1] as number;
  const best = Math.min(...smooth.slice(window - 1));
  const fall = first - best;
  if (fall <= 0) return null;
  for (let i = window - 1; i < smooth.length; i++) if ((smooth[i] as number) - best <= 0.05 * fall) return i + 1;
  return null;
}

function parseSet(s: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of s.split(',').filter(Boolean)) {
    const [k, v = ''] = kv.split('=');
    out[k as string] = v === 'true' ? true : v === 'false' ? false : Number.isNaN(Number(v)) ? v : Number(v);
  }
  return out;
}

export async function firstRun(
  model: 'lara' | 'loopy',
  task: TaskId,
  seed: number,
  steps: number,
  over: Record<string, unknown>,
  recall?: { delay: number; symbols: number },
): Promise<FirstRun> {
  const { growth, ...rest } = over as { growth?: Partial<LaraParams['growth']> };
  const laraParams = { ...DEFAULT_LARA_PARAMS, ...rest, growth: { ...DEFAULT_LARA_PARAMS.growth, ...growth } };
  const sized = recall && model === 'lara' ? LaraTrainer.forSizes({ model, task, seed, params: laraParams }, { inputSize: recall.symbols, outputSize: recall.symbols }) : null;
  const stream = sized && recall ? createRecallStream(laraParams.batch, deriveSeed(seed, 'train'), recall) : null;
  const trainer =
    sized ??
    (model === 'lara'
      ? LaraTrainer.create({ model, task, seed, params: laraParams })
      : LoopyTrainer.create({ model, task, seed, params: loopyParamsSchema.parse({ ...DEFAULT_LOOPY_PARAMS, ...rest }) }));
  const chance = recall ? 1 / recall.symbols : taskInfo(task).chance;
  const losses: number[] = [];
  const accs: number[] = [];
  let leftChanceAt: number | null = null;
  let births = 0;
  let deaths = 0;
  const eventSteps: string[] = [];
  for (let s = 1; s <= steps; s++) {
    const r = sized && stream ? await sized.trainOn(stream.next(laraParams.window)) : await trainer.trainStep();
    losses.push(r.stats.loss);
    accs.push(r.stats.accuracy);
    for (const e of r.events) {
      if (e.kind === 'birth') births++;
      else deaths++;
      eventSteps.push(`${e.kind === 'birth' ? '+' : '-'}${s}`);
    }
    if (leftChanceAt === null && s >= WINDOW && mean(accs.slice(-WINDOW)) > chance + CHANCE_MARGIN) leftChanceAt = s;
  }
  const nodes = trainer.currentGraph.nodes.length;
  trainer.dispose();
  return {
    leftChanceAt,
    plateauAt: plateauStep(losses),
    finalLoss: mean(losses.slice(-WINDOW)),
    finalAccuracy: mean(accs.slice(-WINDOW)),
    births,
    deaths,
    nodes,
    eventSteps,
  };
}

async function main(): Promise<void> {
  tf.env().set('PROD', true);
  installFastKernels();
  await tf.setBackend(arg('backend', 'wasm'));
  await tf.ready();
  const model = arg('model', 'lara') as 'lara' | 'loopy';
  const task = arg('task', 'circuit') as TaskId;
  const steps = Number(arg('steps', '900'));
  const seeds = arg('seeds', '1,2,3').split(',').map(Number);
  const trigger = arg('growth', '');
  const over = { ...parseSet(arg('set', '')), ...(trigger ? { growth: { enabled: true, trigger } } : {}) };
  const [delay, symbols] = arg('recall', '').split(',').map(Number);
  const recall = delay && symbols ? { delay, symbols } : undefined;
  for (const seed of seeds) {
    const t0 = performance.now();
    const r = await firstRun(model, task, seed, steps, over, recall);
    const s = (performance.now() - t0) / 1000;
    console.log(JSON.stringify({ bench: 'first-run', backend: tf.getBackend(), model, task: recall ? `recall-${recall.delay}x${recall.symbols}` : task, seed, steps, over, ...r, finalLoss: +r.finalLoss.toFixed(3), finalAccuracy: +r.finalAccuracy.toFixed(3), stepsPerSecond: +(steps / s).toFixed(1) }));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
