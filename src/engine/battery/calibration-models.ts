/**
 * Models that calibrate the battery: an oracle that knows every answer (the
 * top of each scale), a random predictor (chance), and a memoryless model
 * that learns the best answer for the current symbol alone (the loop-free
 * control: whatever needs memory stays at chance for it).
 */
import { createRng, randInt } from '../random';
import { scorePredictions, type BatchScore, type Evaluation, type ModelSpec, type SequenceModel, type WeightCheckpoint } from '../sequence-model';
import type { TaskBatch } from '../tasks/task';

const NO_CHECKPOINT: WeightCheckpoint = { restore: () => undefined, dispose: () => undefined };

function base(kind: string, lanes: number, predict: (batch: TaskBatch) => Int32Array, learn: (batch: TaskBatch) => void = () => undefined): SequenceModel {
  return {
    kind,
    lanes,
    async train(batch: TaskBatch): Promise<BatchScore> {
      const e = scorePredictions(batch, predict(batch));
      learn(batch);
      return e;
    },
    evaluate: async (batch: TaskBatch): Promise<Evaluation> => scorePredictions(batch, predict(batch)),
    resetState: () => undefined,
    checkpoint: async () => NO_CHECKPOINT,
    perturbWeights: async () => undefined,
    removeConnections: async () => undefined,
    dispose: () => undefined,
  };
}

/** Predicts every target exactly (it reads them): perfect memory, no weights to disturb. */
export function createOracle(spec: ModelSpec): SequenceModel {
  return base('oracle', spec.lanes, (batch) => Int32Array.from(batch.targets));
}

/** Uniformly random predictions, seeded. */
export function createRandomPredictor(spec: ModelSpec): SequenceModel {
  const rng = createRng(spec.seed, 21);
  return base('random', spec.lanes, (batch) => Int32Array.from(batch.targets, () => randInt(rng, spec.outputSize)));
}

/** Counts targets per current input symbol and predicts the most frequent: no state at all. */
export function createMemoryless(spec: ModelSpec): SequenceModel {
  const counts = new Float64Array(spec.inputSize * spec.outputSize);
  const best = (x: number): number => {
    let arg = 0;
    for (let c = 1; c < spec.outputSize; c++) if ((counts[x * spec.outputSize + c] as number) > (counts[x * spec.outputSize + arg] as number)) arg = c;
    return arg;
  };
  return {
    ...base(
      'memoryless',
      spec.lanes,
      (batch) => Int32Array.from(batch.inputs, best),
      (batch) =>
        batch.targets.forEach((t, i) => {
          const cell = (batch.inputs[i] as number) * spec.outputSize + t;
          if (t >= 0) counts[cell] = (counts[cell] as number) + 1;
        }),
    ),
    async checkpoint(): Promise<WeightCheckpoint> {
      const snapshot = counts.slice();
      return { restore: () => counts.set(snapshot), dispose: () => undefined };
    },
  };
}
