/**
 * What the sequence models (LSTM, GRU, echo-state network, LARA, loopy
 * networks) share: batches as one-hot tensors, the cross-entropy on scored
 * symbols, and seeded host-side noise and connection removal. Adam, host
 * tensors and checkpoints are the training contract's (../training/).
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed, normalArray, shuffle, type Rng } from '../random';
import type { TaskBatch } from '../tasks/task';

/** Uniform samples in [-scale, scale). */
export function uniformArray(rng: Rng, length: number, scale: number): Float32Array {
  return Float32Array.from({ length }, () => (2 * rng.next() - 1) * scale);
}

/** One-hot rows [n, size]; negative symbols (nothing scored) give zero rows. */
export function oneHotRows(symbols: Int32Array, size: number): Float32Array {
  const out = new Float32Array(symbols.length * size);
  symbols.forEach((s, i) => {
    if (s >= 0) out[i * size + s] = 1;
  });
  return out;
}

export interface BatchTensors {
  /** [T*B, inputSize] one-hot inputs, time major. */
  readonly x: tf.Tensor2D;
  /** [T*B, outputSize] one-hot targets (all zero where nothing is scored). */
  readonly targets: tf.Tensor2D;
  /** [T*B] 1 where the symbol is scored. */
  readonly scored: tf.Tensor1D;
}

export function batchTensors(batch: TaskBatch, inputSize: number, outputSize: number): BatchTensors {
  const rows = batch.length * batch.lanes;
  return {
    x: tf.tensor2d(oneHotRows(batch.inputs, inputSize), [rows, inputSize]),
    targets: tf.tensor2d(oneHotRows(batch.targets, outputSize), [rows, outputSize]),
    scored: tf.tensor1d(Float32Array.from(batch.targets, (t) => (t >= 0 ? 1 : 0))),
  };
}

/** Mean cross-entropy (nats) over the scored rows; 0 when none is scored. */
export function sequenceLoss(logits: tf.Tensor2D, targets: tf.Tensor2D, scored: tf.Tensor1D): tf.Scalar {
  const ce = tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1));
  return tf.div(tf.sum(tf.mul(ce, scored)), tf.maximum(tf.sum(scored), 1));
}

export function scoredCount(batch: TaskBatch): number {
  let n = 0;
  for (const t of batch.targets) if (t >= 0) n++;
  return n;
}

export function assertLanes(batch: TaskBatch, lanes: number, kind: string): void {
  if (batch.lanes !== lanes) throw new Error(`${kind}: batch has ${batch.lanes} lanes, the model ${lanes}`);
}

/** Population standard deviation of the entries `keep` selects (all when absent). */
export function stdOf(values: Float32Array, keep?: (i: number) => boolean): number {
  let n = 0;
  let sum = 0;
  let sq = 0;
  values.forEach((x, i) => {
    if (keep && !keep(i)) return;
    n++;
    sum += x;
    sq += x * x;
  });
  if (n === 0) return 0;
  const mean = sum / n;
  return Math.sqrt(Math.max(0, sq / n - mean * mean));
}

/**
 * Adds N(0, (sigma * std)^2) noise to `v`, seeded by (seed, name); `keep`
 * limits both the std and the noise to some entries (the present
 * connections of a sparse matrix). Noise is drawn on the host so every
 * backend sees the same numbers.
 */
export async function perturbVariable(v: tf.Variable, sigma: number, seed: number, name: string, keep?: (i: number) => boolean): Promise<void> {
  const values = Float32Array.from(await v.data());
  const std = stdOf(values, keep);
  if (std === 0 || sigma === 0) return;
  const noise = normalArray(createRng(deriveSeed(seed, `perturb-${name}`)), values.length, sigma * std);
  values.forEach((x, i) => {
    if (!keep || keep(i)) values[i] = x + (noise[i] as number);
  });
  tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
}

/**
 * Zeroes round(fraction x present) of the entries `present` selects, chosen
 * by a seeded shuffle; returns the new 0/1 mask (1 = kept).
 */
export function removeEntries(length: number, present: (i: number) => boolean, fraction: number, seed: number): Float32Array {
  const mask = new Float32Array(length);
  const candidates: number[] = [];
  for (let i = 0; i < length; i++) {
    if (!present(i)) continue;
    mask[i] = 1;
    candidates.push(i);
  }
  const drop = Math.round(Math.min(1, Math.max(0, fraction)) * candidates.length);
  for (const i of shuffle(createRng(deriveSeed(seed, 'remove-connections')), candidates).slice(0, drop)) mask[i] = 0;
  return mask;
}
