/**
 * What the battery relies on, for each baseline (LSTM, GRU, ESN): seeded
 * determinism, no tensor leaks, learning recall-2, checkpoints that restore
 * exactly, seeded weight noise, and removed connections that stay removed.
 * Also the parameter schemas' defaults and refusals.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { recallEpisodes } from '../battery/battery-streams';
import { BATTERY_MODELS } from '../battery/battery-models';
import type { ModelSpec, SequenceModel } from '../sequence-model';
import { describeBackends } from '../testing/backends';
import { DEFAULT_ESN_PARAMS, DEFAULT_GATED_RNN_PARAMS, esnParamsSchema, gatedRnnParamsSchema, parseParams } from './baseline-params';
import { stdOf } from './baseline-common';
import { createEsnModel } from './esn';
import { createGruModel } from './gru';
import { createLstmModel } from './lstm';

const LANES = 8;
/** recall-2 over 4 symbols: chance is 1/4. */
const recall = (seed: number, length = 12) => recallEpisodes(2, 4, length, seed);
const specFor = (seed: number): ModelSpec => ({ inputSize: 5, outputSize: 4, lanes: LANES, seed });

/** A model and a view of its recurrent connections: the weights and which entries are present (1) or removed (0). */
interface Subject {
  readonly name: string;
  create(spec: ModelSpec): SequenceModel;
  recurrent(model: SequenceModel): Promise<{ values: Float32Array; present: Float32Array }>;
  /** Every weight tensor, flattened into one array (for exact comparisons). */
  weights(model: SequenceModel): Promise<Float32Array>;
}

const concat = (parts: Float32Array[]): Float32Array => Float32Array.from(parts.flatMap((p) => Array.from(p)));

function gatedSubject(name: 'lstm' | 'gru'): Subject {
  const create = name === 'lstm' ? createLstmModel : createGruModel;
  const read = (m: SequenceModel) => (m as ReturnType<typeof create>).readWeights();
  return {
    name,
    create: (spec) => create(spec, { hidden: 16 }),
    async recurrent(m) {
      const { weights, recurrentMask } = await read(m);
      return { values: weights.recurrentW.values, present: recurrentMask?.values ?? new Float32Array(weights.recurrentW.values.length).fill(1) };
    },
    weights: async (m) => concat(Object.values((await read(m)).weights).map((t) => t.values)),
  };
}

const esnSubject: Subject = {
  name: 'esn',
  create: (spec) => createEsnModel(spec, { units: 50 }),
  async recurrent(m) {
    const values = (await (m as ReturnType<typeof createEsnModel>).readWeights()).reservoirW.values;
    return { values, present: Float32Array.from(values, (x) => (x !== 0 ? 1 : 0)) };
  },
  weights: async (m) => concat(Object.values(await (m as ReturnType<typeof createEsnModel>).readWeights()).map((t) => t.values)),
};

const SUBJECTS: Subject[] = [gatedSubject('lstm'), gatedSubject('gru'), esnSubject];

async function trainSteps(model: SequenceModel, source: ReturnType<typeof recall>, steps: number): Promise<number[]> {
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    model.resetState();
    losses.push((await model.train(source.next(LANES))).loss);
  }
  return losses;
}

async function withModel<T>(subject: Subject, seed: number, body: (model: SequenceModel) => Promise<T>): Promise<T> {
  const model = subject.create(specFor(seed));
  try {
    return await body(model);
  } finally {
    model.dispose();
  }
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const count = (xs: Float32Array, keep: (x: number) => boolean): number => xs.reduce((n, x) => n + (keep(x) ? 1 : 0), 0);

describeBackends('baselines as battery models', (backend) => {
  for (const subject of SUBJECTS) {
    describe(subject.name, () => {
      if (backend === 'cpu') {
        it('is deterministic: the same seed gives identical losses, another seed other ones', async () => {
          const run = (seed: number) => withModel(subject, seed, (m) => trainSteps(m, recall(9), 6));
          const a = await run(4);
          expect(await run(4)).toEqual(a);
          expect(await run(5)).not.toEqual(a);
        });
      }

      it('does not leak tensors over 100 train steps', async () => {
        await withModel(subject, 1, async (m) => {
          // Short episodes: the count cannot depend on the length, and 100 steps stay quick.
          const source = recall(2, 4);
          await trainSteps(m, source, 2);
          await m.evaluate(source.next(LANES));
          const before = tf.memory().numTensors;
          await trainSteps(m, source, 100);
          await m.evaluate(source.next(LANES));
          const cp = await m.checkpoint();
          cp.restore();
          cp.dispose();
          expect(tf.memory().numTensors).toBe(before);
        });
      });

      it('learns recall-2: the loss falls clearly and accuracy beats chance (0.25) clearly', async () => {
        await withModel(subject, 3, async (m) => {
          const source = recall(7);
          const losses = await trainSteps(m, source, 100);
          expect(mean(losses.slice(-10))).toBeLessThan(0.6 * mean(losses.slice(0, 10)));
          m.resetState();
          expect((await m.evaluate(source.next(LANES))).accuracy).toBeGreaterThan(0.6);
        });
      });

      it('restores a checkpoint exactly: weights, optimiser state and predictions', async () => {
        await withModel(subject, 6, async (m) => {
          const source = recall(11);
          await trainSteps(m, source, 3);
          const probe = source.next(LANES);
          const next = [source.next(LANES), source.next(LANES)];
          const weights = await subject.weights(m);
          const connections = (await subject.recurrent(m)).present;
          m.resetState();
          const before = await m.evaluate(probe);
          const cp = await m.checkpoint();
          const train = async () => {
            const losses: number[] = [];
            for (const b of next) {
              m.resetState();
              losses.push((await m.train(b)).loss);
            }
            return losses;
          };
          const firstLosses = await train();
          await m.removeConnections(0.5, 1);
          await m.perturbWeights(0.5, 2);
          expect(await subject.weights(m)).not.toEqual(weights);
          cp.restore();
          expect(await subject.weights(m)).toEqual(weights);
          expect((await subject.recurrent(m)).present).toEqual(connections);
          m.resetState();
          const after = await m.evaluate(probe);
          expect(after.loss).toBe(before.loss);
          expect(after.correct).toEqual(before.correct);
          // The same steps again give the same losses: Adam's moments and step count came back too.
          expect(await train()).toEqual(firstLosses);
          cp.dispose();
        });
      });

      it('perturbs every weight tensor with seeded noise of sigma x its std', async () => {
        await withModel(subject, 8, async (m) => {
          await trainSteps(m, recall(12), 3);
          const cp = await m.checkpoint();
          const clean = await subject.recurrent(m);
          await m.perturbWeights(0.2, 5);
          const once = await subject.weights(m);
          const noisy = await subject.recurrent(m);
          const diff = Float32Array.from(noisy.values, (x, i) => x - (clean.values[i] as number));
          const present = (i: number) => clean.present[i] === 1;
          expect(stdOf(diff, present) / (0.2 * stdOf(clean.values, present))).toBeGreaterThan(0.8);
          expect(stdOf(diff, present) / (0.2 * stdOf(clean.values, present))).toBeLessThan(1.2);
          cp.restore();
          await m.perturbWeights(0.2, 5);
          expect(await subject.weights(m)).toEqual(once);
          cp.restore();
          await m.perturbWeights(0.2, 6);
          expect(await subject.weights(m)).not.toEqual(once);
          cp.dispose();
        });
      });

      it('removes a seeded fraction of the recurrent connections, which stay removed through training and noise', async () => {
        await withModel(subject, 10, async (m) => {
          const source = recall(13);
          await trainSteps(m, source, 2);
          const cp = await m.checkpoint();
          const start = await subject.recurrent(m);
          const present = count(start.present, (x) => x === 1);
          await m.removeConnections(0.3, 7);
          const cut = await subject.recurrent(m);
          const removed = Array.from(start.present.keys()).filter((i) => start.present[i] === 1 && cut.present[i] === 0);
          expect(removed.length).toBe(Math.round(0.3 * present));
          for (const i of removed) expect(Math.abs(cut.values[i] as number)).toBe(0);
          // Removing more thins what is left.
          await m.removeConnections(0.5, 8);
          const twice = await subject.recurrent(m);
          const left = present - removed.length;
          expect(count(twice.present, (x) => x === 1)).toBe(left - Math.round(0.5 * left));
          await trainSteps(m, source, 5);
          await m.perturbWeights(0.3, 9);
          const trained = await subject.recurrent(m);
          twice.present.forEach((p, i) => {
            if (p === 0) expect(Math.abs(trained.values[i] as number), `entry ${i}`).toBe(0);
          });
          cp.restore();
          expect((await subject.recurrent(m)).values).toEqual(start.values);
          expect((await subject.recurrent(m)).present).toEqual(start.present);
          cp.dispose();
        });
      });
    });
  }
});

describe('baseline parameters', () => {
  it('fill their defaults', () => {
    expect(DEFAULT_GATED_RNN_PARAMS).toEqual({ hidden: 32, learningRate: 0.01, gradClip: 1 });
    expect(DEFAULT_ESN_PARAMS).toMatchObject({ units: 100, connectivity: 0.1, spectralRadius: 0.9, leakRate: 1 });
    expect(parseParams(gatedRnnParamsSchema, { hidden: 8 }, 'gru').hidden).toBe(8);
  });

  it('refuse out-of-range values and unknown keys with a clear message', () => {
    expect(() => parseParams(gatedRnnParamsSchema, { hidden: 0 }, 'lstm')).toThrow(/lstm parameters: hidden/);
    expect(() => parseParams(gatedRnnParamsSchema, { hidden: 2.5 }, 'lstm')).toThrow(/hidden/);
    expect(() => parseParams(gatedRnnParamsSchema, { width: 8 }, 'lstm')).toThrow(/width/);
    expect(() => parseParams(esnParamsSchema, { leakRate: 0 }, 'esn')).toThrow(/leakRate/);
    expect(() => parseParams(esnParamsSchema, { spectralRadius: -1 }, 'esn')).toThrow(/spectralRadius/);
    expect(() => createEsnModel(specFor(1), { connectivity: 2 })).toThrow(/connectivity/);
  });

  it('are checked by the battery registry', () => {
    expect(BATTERY_MODELS.gru.validate({ hidden: 16, learningRate: 0.02 })).toBeNull();
    expect(BATTERY_MODELS.lstm.validate({ hidden: -1 })).toMatch(/hidden/);
    expect(BATTERY_MODELS.esn.validate({ units: 50, spectralRadius: 1.1 })).toBeNull();
    expect(BATTERY_MODELS.esn.validate({ reservoir: 50 })).toMatch(/reservoir/);
  });
});
