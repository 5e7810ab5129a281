/**
 * Models that calibrate the battery: an oracle that knows every answer (the
 * top of each scale), a random predictor (chance), and a memoryless model
 * that learns the best answer for the current symbol alone (the loop-free
 * control: whatever needs memory stays at chance for it).
 */
import { createRng, randInt } from '../random';
import { scorePredictions, type BatchScore, type Evaluation, type ModelSpec, type SequenceModel } from '../sequence-model';
import { type WeightCheckpoint } from '../training/checkpoint';
import type { TaskBatch } from '../tasks/task';

const NO_CHECKPOINT: WeightCheckpoint = { restore: () => undefined, dispose: () => undefined };

/** A host-side model: its class guesses, and the mean cross-entropy (nats) of its probabilities on the scored symbols. */
interface HostPredictor {
  predict(batch: TaskBatch): Int32Array;
  loss(batch: TaskBatch): number;
  learn?(batch: TaskBatch): void;
}

function base(kind: string, lanes: number, p: HostPredictor): SequenceModel {
  const evaluate = (batch: TaskBatch): Evaluation => ({ ...scorePredictions(batch, p.predict(batch)), loss: p.loss(batch) });
  return {
    kind,
    lanes,
    async train(batch: TaskBatch): Promise<BatchScore> {
      const e = evaluate(batch);
      p.learn?.(batch);
      return e;
    },
    evaluate: async (batch: TaskBatch): Promise<Evaluation> => evaluate(batch),
    resetState: () => undefined,
    checkpoint: async () => NO_CHECKPOINT,
    perturbWeights: async () => undefined,
    removeConnections: async () => undefined,
    dispose: () => undefined,
  };
}

/** Predicts every target exactly, with certainty (it reads them): perfect memory, no weights to disturb. */
export function createOracle(spec: ModelSpec): SequenceModel {
  return base('oracle', spec.lanes, { predict: (batch) => Int32Array.from(batch.targets), loss: () => 0 });
}

/** Uniformly random guesses, seeded; its probabilities are uniform. */
export function createRandomPredictor(spec: ModelSpec): SequenceModel {
  const rng = createRng(spec.seed, 21);
  return base('random', spec.lanes, {
    predict: (batch) => Int32Array.from(batch.targets, () => randInt(rng, spec.outputSize)),
    loss: () => Math.log(spec.outputSize),
  });
}

/** Counts targets per current input symbol and predicts the most frequent (add-one smoothed probabilities): no state at all. */
export function createMemoryless(spec: ModelSpec): SequenceModel {
  const C = spec.outputSize;
  const counts = new Float64Array(spec.inputSize * C);
  const best = (x: number): number => {
    let arg = 0;
    for (let c = 1; c < C; c++) if ((counts[x * C + c] as number) > (counts[x * C + arg] as number)) arg = c;
    return arg;
  };
  const probability = (x: number, c: number): number => {
    let total = 0;
    for (let k = 0; k < C; k++) total += counts[x * C + k] as number;
    return ((counts[x * C + c] as number) + 1) / (total + C);
  };
  const model = base('memoryless', spec.lanes, {
    predict: (batch) => Int32Array.from(batch.inputs, best),
    loss: (batch) => {
      let sum = 0;
      let n = 0;
      batch.targets.forEach((t, i) => {
        if (t < 0) return;
        sum -= Math.log(probability(batch.inputs[i] as number, t));
        n++;
      });
      return n > 0 ? sum / n : NaN;
    },
    learn: (batch) =>
      batch.targets.forEach((t, i) => {
        const cell = (batch.inputs[i] as number) * C + t;
        if (t >= 0) counts[cell] = (counts[cell] as number) + 1;
      }),
  });
  return {
    ...model,
    async checkpoint(): Promise<WeightCheckpoint> {
      const snapshot = counts.slice();
      return { restore: () => counts.set(snapshot), dispose: () => undefined };
    },
  };
}
