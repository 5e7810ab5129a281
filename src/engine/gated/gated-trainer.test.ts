/** GRU and LSTM as lab models: the same numbers as the battery's tested baselines, learning, export/import, rebuild, live rate, the probe, no leaks. */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { createGruModel } from '../baselines/gru';
import { createLstmModel } from '../baselines/lstm';
import { deriveSeed } from '../random';
import { createTaskStream, taskSizes } from '../tasks/task-registry';
import type { HostTensor } from '../training/host-tensor';
import { describeBackends } from '../testing/backends';
import { gatedSizes, gatedTensorShapes } from './gated-document';
import { gatedGraph, gatedSlots } from './gated-graph';
import { gatedParamsSchema, type GatedExperiment, type GatedKind } from './gated-params';
import { GatedTrainer } from './gated-trainer';

const experiment = (model: GatedKind, over: object = {}, task: GatedExperiment['task'] = 'recall'): GatedExperiment => ({
  model,
  task,
  seed: 4,
  params: gatedParamsSchema.parse({ hidden: 12, batch: 8, window: 8, ...over }),
});

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

async function losses(t: GatedTrainer, steps: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < steps; i++) out.push((await t.trainStep()).stats.loss);
  return out;
}

describeBackends('GatedTrainer', () => {
  it.each(['gru', 'lstm'] as const)('%s: the first steps give the battery baseline’s losses (same cell, seed, batches, Adam)', async (kind) => {
    const e = experiment(kind);
    const t = GatedTrainer.create(e);
    const { inputSize, outputSize } = taskSizes(e.task);
    const create = kind === 'gru' ? createGruModel : createLstmModel;
    const baseline = create({ inputSize, outputSize, lanes: e.params.batch, seed: e.seed }, { hidden: e.params.hidden, learningRate: e.params.learningRate, gradClip: e.params.gradClip });
    const stream = createTaskStream(e.task, e.params.batch, e.seed, deriveSeed(e.seed, 'train'));
    for (let i = 0; i < 3; i++) {
      const ours = (await t.trainStep()).stats.loss;
      const theirs = (await baseline.train(stream.next(e.params.window))).loss;
      expect(ours).toBeCloseTo(theirs, 5);
    }
    t.dispose();
    baseline.dispose();
  });

  it.each(['gru', 'lstm'] as const)('%s learns recall-2 (loss far below ln 4)', async (kind) => {
    const t = GatedTrainer.create(experiment(kind, { hidden: 16, learningRate: 0.02 }));
    const l = await losses(t, 150);
    t.dispose();
    expect(mean(l.slice(0, 5))).toBeGreaterThan(1.2);
    expect(mean(l.slice(-20))).toBeLessThan(0.5);
  });

  it('export -> fromModel predicts the same; the export holds the shapes the descriptor names; a wrong tensor is refused', async () => {
    const e = experiment('lstm');
    const t = GatedTrainer.create(e);
    await losses(t, 4);
    const model = await t.exportModel();
    const shapes = gatedTensorShapes('lstm', gatedSizes(e.task, e.params.hidden));
    expect(Object.fromEntries(Object.entries(model.tensors).map(([n, x]) => [n, [...x.shape]]))).toEqual(shapes);
    const u = GatedTrainer.fromModel(e, model, t.step);
    expect(u.step).toBe(4);
    expect(Array.from(await u.predict())).toEqual(Array.from(await t.predict()));
    const w = model.tensors.recurrentW as HostTensor;
    expect(() => GatedTrainer.fromModel(e, { ...model, tensors: { ...model.tensors, recurrentW: { shape: [3, 3], values: new Float32Array(9) } } }, 0)).toThrow(/shape/);
    expect(() => GatedTrainer.fromModel(e, { ...model, tensors: { ...model.tensors, recurrentW: { ...w, values: w.values.map(() => NaN) } } }, 0)).toThrow(/non-finite/);
    expect(() => GatedTrainer.fromModel({ ...e, params: { ...e.params, hidden: 13 } }, model, 0)).toThrow(/graph/);
    t.dispose();
    u.dispose();
  });

  it('suspend -> rebuild carries weights, Adam and lane states: the next step matches', async () => {
    const t = GatedTrainer.create(experiment('gru'));
    await losses(t, 5);
    const u = (await t.suspend())();
    expect([u.step, u.tick]).toEqual([t.step, t.tick]);
    expect((await u.trainStep()).stats.loss).toBe((await t.trainStep()).stats.loss);
    expect(Array.from(await u.predict())).toEqual(Array.from(await t.predict()));
    t.dispose();
    u.dispose();
  });

  it('the learning rate is live: at 0 a step leaves the network as it was', async () => {
    const t = GatedTrainer.create(experiment('gru'));
    await losses(t, 2);
    t.setLiveParams({ learningRate: 0, hidden: 40 });
    expect(t.currentExperiment.params.learningRate).toBe(0);
    expect(t.currentExperiment.params.hidden).toBe(12); // not live: needs a new network
    const before = Array.from(await t.predict());
    await losses(t, 2);
    expect(Array.from(await t.predict())).toEqual(before);
    t.setLiveParams({ learningRate: 0.05 });
    await losses(t, 1);
    expect(Array.from(await t.predict())).not.toEqual(before);
    t.dispose();
  });

  it('probe: one tick per symbol, inputs one-hot, units their state, outputs probabilities, edge strengths in [0, 1]', async () => {
    const e = experiment('lstm', {}, 'circuit');
    const t = GatedTrainer.create(e);
    await losses(t, 3);
    const s = gatedSizes(e.task, e.params.hidden);
    const L = s.inputSize + s.hidden + s.outputSize;
    const p = await t.probe(5);
    const { K, slotEdge } = gatedSlots(s);
    expect([p.ticks, p.K, p.nodeIds.length]).toEqual([5, K, L]);
    expect(Array.from(p.nodeIds)).toEqual(gatedGraph(s).nodes.map((n) => n.id));
    expect(Array.from(p.slotEdge)).toEqual(Array.from(slotEdge));
    for (let tick = 0; tick < 5; tick++) {
      const row = p.activity.subarray(tick * L, (tick + 1) * L);
      expect(Array.from(row.subarray(0, s.inputSize)).sort()).toEqual([0, 0, 1]);
      for (const h of row.subarray(s.inputSize, s.inputSize + s.hidden)) expect(Math.abs(h)).toBeLessThanOrEqual(1);
      expect(row.subarray(s.inputSize + s.hidden).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      const g = p.gates.subarray(tick * L * K, (tick + 1) * L * K);
      expect(Math.min(...g)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...g)).toBeCloseTo(1, 6);
    }
    expect(p.threads).toHaveLength(0);
    expect(Array.from(p.reads)).toEqual([1, 1, 1, 1, 1]);
    t.dispose();
  });

  it('holds no more tensors after many steps, probes and predictions, and frees them all on dispose', async () => {
    const start = tf.memory().numTensors;
    const t = GatedTrainer.create(experiment('lstm'));
    await t.trainStep();
    const held = tf.memory().numTensors;
    await losses(t, 60);
    await t.probe(3);
    await t.predict();
    await t.exportModel();
    expect(tf.memory().numTensors).toBe(held);
    t.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
