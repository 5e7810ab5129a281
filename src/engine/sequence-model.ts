/**
 * What the test battery scores: any model that learns from and predicts
 * task batches, lane by lane, carrying each lane's state from batch to
 * batch. LARA, loopy networks and the baselines (LSTM, GRU, echo-state
 * network) all implement it; so do the calibration models (oracle, random).
 */
import type { WeightCheckpoint } from './training/checkpoint';
import type { TaskBatch } from './tasks/task';

export interface BatchScore {
  /** Mean cross-entropy (nats) over scored symbols (targets >= 0); NaN when the model has no probabilities. */
  readonly loss: number;
  /** Fraction of scored symbols predicted right (0 when none are scored). */
  readonly accuracy: number;
  /** Scored symbols in the batch. */
  readonly scored: number;
}

export interface Evaluation extends BatchScore {
  /** [length * lanes], time major: 1 where a scored symbol was predicted right. */
  readonly correct: Uint8Array;
}

export interface SequenceModel {
  /** 'lara', 'loopy', 'lstm', 'gru', 'esn', 'oracle', 'random'. */
  readonly kind: string;
  /** Parallel sequences the model carries state for; batches must have this many lanes. */
  readonly lanes: number;
  /** One learning step on a batch, continuing every lane's state. */
  train(batch: TaskBatch): Promise<BatchScore>;
  /** Predicts a batch without learning, continuing every lane's state. */
  evaluate(batch: TaskBatch): Promise<Evaluation>;
  /** Every lane starts afresh (a new sequence). */
  resetState(): void;
  /** A copy of the learnable weights (and optimiser state) to go back to. */
  checkpoint(): Promise<WeightCheckpoint>;
  /** Adds N(0, (sigma x std of each weight tensor)^2) noise to every weight. */
  perturbWeights(sigma: number, seed: number): Promise<void>;
  /** Removes a random fraction of the recurrent connections (graph edges; recurrent weight entries for dense models). */
  removeConnections(fraction: number, seed: number): Promise<void>;
  dispose(): void;
}

export interface ModelSpec {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly lanes: number;
  readonly seed: number;
}

/** Scores a batch's predictions against its targets (for models that predict classes on the host). */
export function scorePredictions(batch: TaskBatch, predicted: Int32Array): Evaluation {
  const correct = new Uint8Array(batch.targets.length);
  let scored = 0;
  let right = 0;
  batch.targets.forEach((t, i) => {
    if (t < 0) return;
    scored++;
    if (predicted[i] === t) {
      right++;
      correct[i] = 1;
    }
  });
  return { loss: NaN, accuracy: scored > 0 ? right / scored : 0, scored, correct };
}
