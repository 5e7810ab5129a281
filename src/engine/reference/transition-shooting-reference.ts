/**
 * The multiple-shooting loss (transition-training.ts, segmentedLoss) as plain
 * float64 loops, one segment lane at a time, no padding: sequences cut every
 * S symbols, segment k of sequence i starts from e_{i,kS} (k >= 1) or the
 * zero start state (k = 0) and runs its own symbols; the CE is over every
 * scored symbol, the consistency over the inner segment ends.
 */
import { referenceLoss as crossEntropy } from '../baselines/baseline-reference';
import type { ReferenceCell, TransitionReferenceResult } from './transition-reference';

export interface ShootingCase {
  /** N */
  readonly sequences: number;
  /** T */
  readonly length: number;
  /** State width. */
  readonly stateSize: number;
  readonly outputSize: number;
  /** Symbol per [t, i], time major. */
  readonly inputs: ArrayLike<number>;
  /** Class per [t, i], -1 where nothing is scored. */
  readonly targets: ArrayLike<number>;
  /** S */
  readonly segmentLength: number;
  /** e_{i,kS} for k = 1..M-1, [(M-1)*N*stateSize], row (k-1)*N + i. */
  readonly embeddings: ArrayLike<number>;
  /** The frozen target, same layout: what segment k-1's end state is pulled to. */
  readonly target: ArrayLike<number>;
  readonly beta: number;
}

const at = (a: ArrayLike<number>, i: number): number => a[i] as number;

export function shootingLossReference(cell: ReferenceCell, c: ShootingCase): TransitionReferenceResult {
  const { sequences: N, length: T, stateSize: W, outputSize: C } = c;
  const S = Math.min(c.segmentLength, T);
  const M = Math.ceil(T / S);
  const logits = new Float64Array(T * N * C);
  let sq = 0;
  for (let k = 0; k < M; k++) {
    for (let i = 0; i < N; i++) {
      let s: Float64Array = new Float64Array(W);
      if (k > 0) for (let u = 0; u < W; u++) s[u] = at(c.embeddings, ((k - 1) * N + i) * W + u);
      for (let t = k * S; t < Math.min((k + 1) * S, T); t++) {
        const out = cell(s, [at(c.inputs, t * N + i)], C);
        s = out.next;
        logits.set(out.logits, (t * N + i) * C);
      }
      if (k < M - 1) for (let u = 0; u < W; u++) sq += (at(s, u) - at(c.target, (k * N + i) * W + u)) ** 2;
    }
  }
  const ce = crossEntropy(logits, c.targets, C);
  const consistency = M > 1 ? sq / ((M - 1) * N) : 0;
  return { loss: ce + c.beta * consistency, ce, consistency };
}
