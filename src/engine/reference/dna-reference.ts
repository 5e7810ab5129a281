/**
 * The DNA layer written as plain loops over float64 numbers: the reference
 * the tfjs layer (../dna/dna-layer.ts) is tested against. Forward, mean
 * softmax cross-entropy and its gradient, derived by hand:
 *   logit[b, j] = sum over cells c with output j of (w_c · x[b, i_c] + b_c)
 *   L = -1/B · sum_b log softmax(logit[b])[y_b]
 *   dL/dlogit[b, j] = (p[b, j] - [j = y_b]) / B
 *   dL/dw_c = sum_b dL/dlogit[b, j_c] · x[b, i_c],   dL/db_c = sum_b dL/dlogit[b, j_c]
 */

export interface ReferenceCells {
  /** Input index i and output index j per cell. */
  readonly input: ArrayLike<number>;
  readonly output: ArrayLike<number>;
  readonly w: ArrayLike<number>;
  readonly b: ArrayLike<number>;
}

export interface ReferenceResult {
  /** [B, C] row-major. */
  readonly logits: Float64Array;
  readonly loss: number;
  /** dL/dw and dL/db per cell [E]. */
  readonly gradW: Float64Array;
  readonly gradB: Float64Array;
  /** Mean |w·x_i + b| of each cell over the batch [E]. */
  readonly passthrough: Float64Array;
}

/** x [B, D] row-major, labels [B]. */
export function dnaReference(cells: ReferenceCells, x: ArrayLike<number>, labels: ArrayLike<number>, inputSize: number, classes: number): ReferenceResult {
  const B = labels.length;
  const E = cells.w.length;
  const at = (a: ArrayLike<number>, k: number): number => a[k] as number;
  const logits = new Float64Array(B * classes);
  const passthrough = new Float64Array(E);
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < E; c++) {
      const z = at(cells.w, c) * at(x, b * inputSize + at(cells.input, c)) + at(cells.b, c);
      const o = b * classes + at(cells.output, c);
      logits[o] = at(logits, o) + z;
      passthrough[c] = at(passthrough, c) + Math.abs(z) / B;
    }
  }
  let loss = 0;
  const dLogits = new Float64Array(B * classes);
  for (let b = 0; b < B; b++) {
    const row = logits.subarray(b * classes, (b + 1) * classes);
    const max = Math.max(...row);
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    const y = at(labels, b);
    loss -= (at(row, y) - max - Math.log(sum)) / B;
    for (let j = 0; j < classes; j++) dLogits[b * classes + j] = (Math.exp(at(row, j) - max) / sum - (j === y ? 1 : 0)) / B;
  }
  const gradW = new Float64Array(E);
  const gradB = new Float64Array(E);
  for (let c = 0; c < E; c++) {
    for (let b = 0; b < B; b++) {
      const g = at(dLogits, b * classes + at(cells.output, c));
      gradW[c] = at(gradW, c) + g * at(x, b * inputSize + at(cells.input, c));
      gradB[c] = at(gradB, c) + g;
    }
  }
  return { logits, loss, gradW, gradB, passthrough };
}
