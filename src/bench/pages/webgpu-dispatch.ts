/**
 * Counts WebGPU compute dispatches per tick of the engine's unroll, in the
 * page's main thread (the bench drives it through Playwright). The marginal
 * count between a short and a long run removes the per-step fixed cost.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { DEFAULT_LARA_PARAMS } from '../../engine/lara/lara-params';
import { LaraTrainer, type LaraExperiment } from '../../engine/lara/lara-trainer';
import { withDispatchCount } from './dispatch-count';

declare global {
  interface Window {
    benchResult?: unknown;
  }
}

async function countTrainStep(windowSymbols: number): Promise<number> {
  const exp: LaraExperiment = {
    model: 'lara',
    task: 'recall',
    seed: 1,
    params: { ...DEFAULT_LARA_PARAMS, window: windowSymbols, explore: 0.05 },
  };
  const t = LaraTrainer.create(exp);
  await t.trainStep(); // compile shaders, take the first checkpoint
  const { dispatches } = await withDispatchCount(() => t.trainStep());
  t.dispose();
  return dispatches;
}

async function countForward(symbols: number): Promise<number> {
  const t = LaraTrainer.create({ model: 'lara', task: 'recall', seed: 1, params: DEFAULT_LARA_PARAMS });
  await t.predict(symbols, 4);
  const { dispatches } = await withDispatchCount(() => t.predict(symbols, 4));
  t.dispose();
  return dispatches;
}

void (async () => {
  try {
    const ok = await tf.setBackend('webgpu');
    if (!ok) throw new Error('webgpu backend did not start');
    await tf.ready();
    const short = 2;
    const long = 6;
    const fwdShort = await countForward(short);
    const fwdLong = await countForward(long);
    const trainShort = await countTrainStep(short);
    const trainLong = await countTrainStep(long);
    window.benchResult = {
      forwardPerTick: (fwdLong - fwdShort) / (long - short),
      trainPerTick: (trainLong - trainShort) / (long - short),
      trainStepFixed: trainShort - ((trainLong - trainShort) / (long - short)) * short,
    };
  } catch (e) {
    window.benchResult = { error: e instanceof Error ? e.message : String(e) };
  }
  (document.getElementById('out') as HTMLElement).textContent = JSON.stringify(window.benchResult);
})();
