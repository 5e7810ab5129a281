/** The LARA trainer end to end: determinism, tensor hygiene, learning, export/import and rollback. */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { graphProblem } from '../graph';
import { describeBackends } from '../testing/backends';
import { DEFAULT_LARA_PARAMS, type LaraParams } from './lara-params';
import type { TopologyEvent } from '../training/step-result';
import { LaraTrainer, type LaraExperiment } from './lara-trainer';

function experiment(seed: number, params: Partial<LaraParams>): LaraExperiment {
  return { model: 'lara', task: 'recall', seed, params: { ...DEFAULT_LARA_PARAMS, ...params } };
}

/** A tiny model with exploration on, so the noise stream is part of what must repeat. */
const TINY: Partial<LaraParams> = { nodes: 6, width: 4, degree: 3, batch: 2, window: 3, thinkTicks: 1, explore: 0.3 };

async function losses(t: LaraTrainer, steps: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < steps; i++) out.push((await t.trainStep()).stats.loss);
  return out;
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

describeBackends(
  'LaraTrainer',
  () => {
    it('is deterministic for a seed, and the seed matters', async () => {
      const a = LaraTrainer.create(experiment(7, TINY));
      const b = LaraTrainer.create(experiment(7, TINY));
      const c = LaraTrainer.create(experiment(8, TINY));
      const [la, lb, lc] = [await losses(a, 5), await losses(b, 5), await losses(c, 5)];
      expect(la.every(Number.isFinite)).toBe(true);
      expect(lb).toEqual(la);
      expect(lc).not.toEqual(la);
      const [pa, pb, pc] = [await a.predict(), await b.predict(), await c.predict()];
      expect(Array.from(pb)).toEqual(Array.from(pa));
      expect(Array.from(pc)).not.toEqual(Array.from(pa));
      [a, b, c].forEach((t) => t.dispose());
    });

    it('exportModel -> fromModel predicts exactly the same', async () => {
      const exp = experiment(3, TINY);
      const a = LaraTrainer.create(exp);
      await losses(a, 4);
      const b = LaraTrainer.fromModel(exp, await a.exportModel(), a.step);
      expect(b.step).toBe(4);
      expect(Array.from(await b.predict())).toEqual(Array.from(await a.predict()));
      // predict() reflects the weights: it moves once the copy trains on its own.
      await losses(b, 1);
      expect(Array.from(await b.predict())).not.toEqual(Array.from(await a.predict()));
      a.dispose();
      b.dispose();
    });

    it('with the plateau trigger, a busy node does not split while the loss has not yet stalled', async () => {
      const growth = { ...DEFAULT_LARA_PARAMS.growth, enabled: true, every: 1, splitAbove: 0, maxNodes: 8, plateauSteps: 100 };
      const t = LaraTrainer.create(experiment(2, { ...TINY, growth }));
      const events: TopologyEvent[] = [];
      for (let i = 0; i < 3; i++) events.push(...(await t.trainStep()).events);
      expect(events).toEqual([]);
      // Stalled long enough (plateauSteps 1, floor 0): the next check splits.
      t.setLiveParams({ growth: { ...growth, plateauSteps: 1, minImprovement: 1, lossFloor: 0 } });
      expect((await t.trainStep()).events.map((e) => e.cause)).toEqual(['split']);
      t.dispose();
    });

    it('grows while training (visits-only trigger): split events, a valid graph, finite predictions', async () => {
      const growth = { ...DEFAULT_LARA_PARAMS.growth, enabled: true, trigger: 'visits' as const, every: 1, splitAbove: 0, maxNodes: 8 };
      const t = LaraTrainer.create(experiment(2, { ...TINY, growth }));
      const events: TopologyEvent[] = [];
      for (let i = 0; i < 3; i++) events.push(...(await t.trainStep()).events);
      expect(events.map((e) => e.cause)).toEqual(['split', 'split']);
      expect(t.currentGraph.nodes).toHaveLength(8);
      expect(graphProblem(t.currentGraph)).toBeNull();
      expect([...t.visits.keys()].sort()).toEqual(t.currentGraph.nodes.map((n) => n.id).sort());
      expect((await t.predict()).every(Number.isFinite)).toBe(true);
      t.dispose();
    });

    it('rolls back to the checkpoint when the weights turn non-finite', async () => {
      const t = LaraTrainer.create(experiment(5, TINY));
      const before = await t.predict();
      await t.trainStep(); // the first step checkpoints the initial network
      const snap = await t.snapshot();
      for (const name of ['edgeW', 'readoutW'] as const) for (const row of snap.model.tables[name].rows.values()) row.fill(NaN);
      t.restore(snap);
      const r = await t.trainStep();
      expect(Number.isFinite(r.stats.loss)).toBe(false);
      expect(r.rolledBack?.toStep).toBe(0);
      expect(t.step).toBe(0);
      const after = await t.predict();
      expect(after.every(Number.isFinite)).toBe(true);
      expect(Array.from(after)).toEqual(Array.from(before));
      t.dispose();
    });

    it('rolls back to the latest periodic checkpoint (every 25 steps)', async () => {
      const t = LaraTrainer.create(experiment(5, TINY));
      await losses(t, 25);
      const atCheckpoint = await t.predict();
      await losses(t, 2);
      expect(Array.from(await t.predict())).not.toEqual(Array.from(atCheckpoint));
      const snap = await t.snapshot();
      for (const row of snap.model.tables.readoutW.rows.values()) row.fill(NaN);
      t.restore(snap);
      const r = await t.trainStep();
      expect(r.rolledBack?.toStep).toBe(25);
      expect(t.step).toBe(25);
      expect(Array.from(await t.predict())).toEqual(Array.from(atCheckpoint));
      t.dispose();
    });
  },
  ['cpu'],
);

describeBackends(
  'LaraTrainer on wasm',
  () => {
    it('holds no more tensors after 200 steps than after the first', async () => {
      const t = LaraTrainer.create(experiment(1, { nodes: 6, width: 4, batch: 2, window: 2, thinkTicks: 1 }));
      await t.trainStep();
      const afterFirst = tf.memory().numTensors;
      await losses(t, 200);
      expect(tf.memory().numTensors).toBe(afterFirst);
      await t.probe(4);
      await t.predict();
      expect(tf.memory().numTensors).toBe(afterFirst);
      t.dispose();
    });

    it('restore() and dispose() leave no tensors behind', async () => {
      const start = tf.memory().numTensors;
      const t = LaraTrainer.create(experiment(1, TINY));
      await t.trainStep();
      const held = tf.memory().numTensors;
      t.restore(await t.snapshot());
      expect(tf.memory().numTensors).toBe(held);
      t.dispose();
      expect(tf.memory().numTensors).toBe(start);
    });

    it('learns the recall task', async () => {
      const t = LaraTrainer.create(experiment(1, { nodes: 8, width: 8, batch: 8, window: 8, learningRate: 0.01 }));
      const l = await losses(t, 150);
      t.dispose();
      // Chance is ln 4 = 1.39 nats; remembering two steps back takes the loss far below it.
      expect(mean(l.slice(0, 5))).toBeGreaterThan(1.2);
      expect(mean(l.slice(-20))).toBeLessThan(0.5);
    });
  },
  ['wasm'],
);
