/** LARA as a SequenceModel, so the test battery can score it like any other model. */
import type { BatchScore, Evaluation, ModelSpec, SequenceModel } from '../sequence-model';
import type { WeightCheckpoint } from '../training/checkpoint';
import type { TaskBatch } from '../tasks/task';
import { DEFAULT_LARA_PARAMS, type LaraParams } from './lara-params';
import { LaraTrainer } from './lara-trainer';

/**
 * The battery's LARA: the lab defaults at the learning rate the battery's figures
 * (docs/RESULTS.md) were measured with. The battery trains 150 steps a phase, where
 * the lab's slower first-run rate (0.001) would score a different, less trained model.
 */
export const BATTERY_LARA_PARAMS: LaraParams = { ...DEFAULT_LARA_PARAMS, learningRate: 0.01 };

export function createLaraSequenceModel(spec: ModelSpec, params: Partial<LaraParams> = {}): SequenceModel {
  const trainer = LaraTrainer.forSizes(
    { model: 'lara', task: 'recall', seed: spec.seed, params: { ...BATTERY_LARA_PARAMS, ...params, batch: spec.lanes } },
    spec,
  );
  return {
    kind: 'lara',
    lanes: spec.lanes,
    async train(batch: TaskBatch): Promise<BatchScore> {
      const r = await trainer.trainOn(batch);
      return { loss: r.stats.loss, accuracy: r.stats.accuracy, scored: batch.targets.filter((t) => t >= 0).length };
    },
    evaluate: (batch: TaskBatch): Promise<Evaluation> => trainer.evaluateOn(batch),
    resetState: () => trainer.resetState(),
    async checkpoint(): Promise<WeightCheckpoint> {
      const snap = await trainer.snapshot();
      return { restore: () => trainer.restore(snap), dispose: () => undefined };
    },
    perturbWeights: async (sigma, seed) => trainer.perturbWeights(sigma, seed),
    removeConnections: (fraction, seed) => trainer.removeEdges(fraction, seed),
    dispose: () => trainer.dispose(),
  };
}
