/** The loopy network as the lab runs it: learning, live parameters, rebuild on another backend, no leaks. */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import type { LoopyExperiment } from './loopy-params';
import { describeBackends } from '../testing/backends';
import { loopyParamsSchema } from './loopy-params';
import { edgeStrengths, LoopyTrainer } from './loopy-trainer';
import { gateRowOffset } from '../training/probe-trace';

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
      // The weights do not change within a probe: one shared row of gates for all 10 ticks, which every tick reads.
      const LK = trace.nodeIds.length * trace.K;
      expect(trace.gates.length).toBe(LK);
      expect([0, 4, 9].map((tick) => gateRowOffset(trace, tick))).toEqual([0, 0, 0]);
      t.dispose();
    });

    it('the probe carries each edge’s |weight| as its strength (for the view to fade by), and the graph its generator’s layout', async () => {
      const t = LoopyTrainer.create(experiment({ generator: 'watts-strogatz', width: 1 }));
      expect(t.currentGraph.layout?.kind).toBe('ring');
      const trace = await t.probe(1);
      const weights = (await t.exportModel()).tables.edgeW.rows;
      const L = trace.nodeIds.length;
      const pairs: [number, number][] = [];
      for (let j = 0; j < L * trace.K; j++) {
        const e = trace.slotEdge[j] as number;
        if (e >= 0) pairs.push([Math.abs((weights.get(e) as Float32Array)[0] as number), trace.gates[j] as number]);
      }
      pairs.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < pairs.length; i++) expect((pairs[i] as [number, number])[1]).toBeGreaterThanOrEqual((pairs[i - 1] as [number, number])[1] - 1e-6);
      expect(Math.max(...pairs.map((p) => p[1]))).toBe(1);
      expect(Math.min(...pairs.map((p) => p[1]))).toBeLessThan(0.2);
      t.dispose();
    });
  },
  ['wasm'],
);

it('edge strengths: |w| over its 98th percentile, clipped, 0 on padding', () => {
  const norms = Float32Array.from({ length: 101 }, (_, i) => (i % 2 ? -1 : 1) * i);
  const mask = Float32Array.from({ length: 101 }, (_, i) => (i === 50 ? 0 : 1));
  const s = edgeStrengths(norms, mask);
  expect(s[50]).toBe(0);
  expect(s[100]).toBe(1);
  expect(s[99]).toBe(1);
  expect(s[49]).toBeCloseTo(49 / 99, 5); // 100 real slots: the 98th of them in order is 99
  expect(edgeStrengths(new Float32Array(3), new Float32Array(3).fill(1))).toEqual(new Float32Array(3));
});
