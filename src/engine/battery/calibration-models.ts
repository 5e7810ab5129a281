/**
 * Models that calibrate the battery: an oracle that knows every answer (the
 * top of each scale), a random predictor (chance), and a memoryless model
 * that learns the best answer for the current symbol alone (the loop-free
 * control: whatever needs memory stays at chance for it), and a unigram
 * model that ignores its input (the floor below that).
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

/**
 * Counts targets per context and predicts the most frequent (add-one
 * smoothed probabilities); no state at all. The context of an input symbol
 * is `context(x)`, one of `contexts`.
 */
function countingModel(kind: string, spec: ModelSpec, contexts: number, context: (x: number) => number): SequenceModel {
  const C = spec.outputSize;
  const counts = new Float64Array(contexts * C);
  const best = (x: number): number => {
    const row = context(x) * C;
    let arg = 0;
    for (let c = 1; c < C; c++) if ((counts[row + c] as number) > (counts[row + arg] as number)) arg = c;
    return arg;
  };
  const probability = (x: number, c: number): number => {
    const row = context(x) * C;
    let total = 0;
    for (let k = 0; k < C; k++) total += counts[row + k] as number;
    return ((counts[row + c] as number) + 1) / (total + C);
  };
  const model = base(kind, spec.lanes, {
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
        const cell = context(batch.inputs[i] as number) * C + t;
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

/** The best answer for the current symbol alone (a bigram model on text): the loop-free control. */
export function createMemoryless(spec: ModelSpec): SequenceModel {
  return countingModel('memoryless', spec, spec.inputSize, (x) => x);
}

/** The target frequencies alone, whatever the input (a unigram model on text): the floor any model that reads its input should beat. */
export function createUnigram(spec: ModelSpec): SequenceModel {
  return countingModel('unigram', spec, 1, () => 0);
}
