/**
 * The held-out evaluation every trainer shares: loss (nats) and accuracy of
 * the model's class probabilities on data it never trains on. Sequence tasks
 * use a fixed evaluation stream from its own seed (the one predict() runs);
 * classification tasks use rows of the test split. The metrics are plain
 * TypeScript on the host, so they are the same whatever the backend.
 */
import { deriveSeed } from '../random';
import { SEQUENCE_TASK_IDS, type TaskBatch, type TaskId } from '../tasks/task';
import { createEvaluationStream } from '../tasks/task-registry';

/** Symbols and lanes of the fixed evaluation stream of sequence tasks (predict()'s rows: [symbols * lanes, C], time major). */
export const EVAL_SYMBOLS = 16;
export const EVAL_LANES = 4;
/** Most test rows a classification trainer evaluates (spread over the whole split). */
export const HELD_OUT_ROWS = 500;
/** Probabilities below this count as this (a float32 softmax can round a class to 0; the loss stays finite). */
const MIN_PROBABILITY = 1e-30;

/** One held-out evaluation. */
export interface HeldOutEval {
  /** Train steps done when it was taken. */
  readonly step: number;
  /** Mean cross-entropy in nats over the scored predictions. */
  readonly loss: number;
  /** Share of scored predictions whose most probable class is the target, 0..1. */
  readonly accuracy: number;
  /** Predictions scored. */
  readonly scored: number;
}

/** The model's class probabilities [rows * classes] on held-out data and the class each row should be (-1: not scored). */
export interface HeldOutPredictions {
  readonly probabilities: Float32Array;
  readonly targets: Int32Array;
}

export function isSequenceTask(task: string): task is TaskId {
  return (SEQUENCE_TASK_IDS as readonly string[]).includes(task);
}

/** The fixed evaluation stream of a sequence task: its own seed, never the train or probe stream's. */
export function evaluationBatch(task: TaskId, seed: number, symbols = EVAL_SYMBOLS, lanes = EVAL_LANES): TaskBatch {
  return createEvaluationStream(task, lanes, seed, deriveSeed(seed, 'eval')).next(symbols);
}

/** Indices of at most `max` rows spread evenly over a split of `n` (every row when n <= max); splits sorted by class keep every class. */
export function heldOutRows(n: number, max = HELD_OUT_ROWS): Int32Array {
  const count = Math.min(n, max);
  return Int32Array.from({ length: count }, (_, i) => Math.floor((i * n) / count));
}

/** Mean cross-entropy (nats) and accuracy of `probabilities` [rows, C] against `targets` [rows]; rows with target -1 are skipped. */
export function heldOutMetrics(probabilities: ArrayLike<number>, targets: ArrayLike<number>): { loss: number; accuracy: number; scored: number } {
  const rows = targets.length;
  if (rows === 0 || probabilities.length % rows !== 0) throw new Error(`held-out: ${probabilities.length} probabilities do not fit ${rows} targets`);
  const C = probabilities.length / rows;
  let loss = 0;
  let right = 0;
  let scored = 0;
  for (let r = 0; r < rows; r++) {
    const y = targets[r] as number;
    if (y < 0) continue;
    let best = 0;
    for (let c = 1; c < C; c++) if ((probabilities[r * C + c] as number) > (probabilities[r * C + best] as number)) best = c;
    loss -= Math.log(Math.max(MIN_PROBABILITY, probabilities[r * C + y] as number));
    if (best === y) right += 1;
    scored += 1;
  }
  return scored === 0 ? { loss: NaN, accuracy: NaN, scored } : { loss: loss / scored, accuracy: right / scored, scored };
}
