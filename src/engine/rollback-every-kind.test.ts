/**
 * Every registry kind rolls back on a non-finite loss or gradient: the step
 * after the poisoned one starts from the last checkpoint, with the counters
 * and the predictions it had there. The poison is applied after the kind's own
 * step has run (its weights really moved), so a kind whose checkpoint misses
 * part of its state fails here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createTrainer, descriptorOf, MODEL_KINDS, type Experiment } from './model-registry';
import type { RawStep, StepAt } from './training/trainer-core';
import { useBackend } from './testing/backends';

/** The protected hook every kind fills in; replaced on the instance to poison one step. */
interface Poisonable {
  runStep(at: StepAt): Promise<RawStep>;
}

function quick(kind: (typeof MODEL_KINDS)[number]): Experiment {
  const d = descriptorOf(kind);
  return { model: kind, task: d.family === 'sequence' ? 'recall' : 'xor', seed: 1, params: d.defaults } as Experiment;
}

describe('rollback on a non-finite step, every registry kind [cpu]', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it.each(MODEL_KINDS.flatMap((k) => [[k, 'loss'] as const, [k, 'gradient'] as const]))('%s: a non-finite %s rolls back to the checkpoint', async (kind, what) => {
    const t = await createTrainer(quick(kind));
    try {
      const atCheckpoint = Array.from(await t.predict());
      const first = await t.trainStep();
      if (what === 'gradient' && first.stats.gradNorm === null) return; // this rule takes no gradient
      await t.trainStep();
      expect(t.step).toBe(2);
      expect(Array.from(await t.predict())).not.toEqual(atCheckpoint);
      const hook = t as unknown as Poisonable;
      const run = hook.runStep.bind(t);
      hook.runStep = async (at) => {
        const r = await run(at);
        return what === 'loss' ? { ...r, loss: NaN } : { ...r, gradNorm: Infinity };
      };
      const bad = await t.trainStep();
      expect(bad.rolledBack).toEqual({ reason: `non-finite ${what} at step 3`, toStep: 0 });
      expect(t.step).toBe(0);
      expect(t.tick).toBe(0);
      expect(Array.from(await t.predict())).toEqual(atCheckpoint);
      // Training goes on from there.
      hook.runStep = run;
      const next = await t.trainStep();
      expect(next.rolledBack).toBeUndefined();
      expect(Number.isFinite(next.stats.loss)).toBe(true);
      expect(t.step).toBe(1);
    } finally {
      t.dispose();
    }
  });
});
