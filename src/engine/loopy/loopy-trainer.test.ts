/** The loopy network as the lab runs it: learning, live parameters, rebuild on another backend, no leaks. */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import type { LoopyExperiment } from './loopy-params';
import { describeBackends } from '../testing/backends';
import { loopyParamsSchema } from './loopy-params';
import { LoopyTrainer } from './loopy-trainer';

const experiment = (over: object = {}): LoopyExperiment => ({
  model: 'loopy',
  task: 'recall',
  seed: 3,
  params: loopyParamsSchema.parse({ hidden: 48, width: 2, batch: 8, window: 8, learningRate: 0.03, ...over }),
});
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describeBackends(
  'LoopyTrainer',
  () => {
    it('learns the lab task with truncated BPTT, and no tensor leaks', async () => {
      const before = tf.memory().numTensors;
      const t = LoopyTrainer.create(experiment());
      const losses: number[] = [];
      for (let i = 0; i < 120; i++) losses.push((await t.trainStep()).stats.loss);
      expect(mean(losses.slice(-10))).toBeLessThan(0.7 * mean(losses.slice(0, 10)));
      t.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it('suspend -> rebuild gives the same network (predictions, step count)', async () => {
      const t = LoopyTrainer.create(experiment({ pacing: 'read-node', thinkTicks: 4 }));
      for (let i = 0; i < 5; i++) await t.trainStep();
      const rebuild = await t.suspend();
      const u = rebuild();
      expect(Array.from(await u.predict())).toEqual(Array.from(await t.predict()));
      expect(u.step).toBe(t.step);
      t.dispose();
      u.dispose();
    });

    it('live parameters apply without a new network', async () => {
      const t = LoopyTrainer.create(experiment());
      const first = await t.predict();
      t.setLiveParams({ thinkTicks: 5, learningRate: 0.001 });
      expect(t.currentExperiment.params.thinkTicks).toBe(5);
      expect(Array.from(await t.predict())).not.toEqual(Array.from(first));
      const trace = await t.probe(2);
      expect(trace.ticks).toBe(10);
      expect(Array.from(trace.reads)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
      t.dispose();
    });
  },
  ['wasm'],
);
