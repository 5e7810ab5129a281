/**
 * The DNA layer with per-output biases as plain float64 loops: cells carry
 * only w, output j has one bias β_j shared by its cells.
 *   logit[b, j] = β_j + sum over cells c with output j of w_c · x[b, i_c]
 *   dL/dβ_j = sum_b (p[b, j] - [j = y_b]) / B,   dL/dw_c as in dna-reference.ts
 */

export interface PerOutputReferenceResult {
  /** [B, C] row-major. */
  readonly logits: Float64Array;
  readonly loss: number;
  /** dL/dw per cell [E] and dL/dβ per output [C]. */
  readonly gradW: Float64Array;
  readonly gradBias: Float64Array;
}

/** Cells (input, output, w) and biases [C]; x [B, D] row-major, labels [B]. */
export function dnaPerOutputReference(
  cells: { readonly input: ArrayLike<number>; readonly output: ArrayLike<number>; readonly w: ArrayLike<number> },
  bias: ArrayLike<number>,
  x: ArrayLike<number>,
  labels: ArrayLike<number>,
  inputSize: number,
  classes: number,
): PerOutputReferenceResult {
  const B = labels.length;
  const E = cells.w.length;
  const at = (a: ArrayLike<number>, k: number): number => a[k] as number;
  const logits = new Float64Array(B * classes);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < classes; j++) logits[b * classes + j] = at(bias, j);
    for (let c = 0; c < E; c++) {
      const o = b * classes + at(cells.output, c);
      logits[o] = at(logits, o) + at(cells.w, c) * at(x, b * inputSize + at(cells.input, c));
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
  const gradBias = new Float64Array(classes);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < classes; j++) gradBias[j] = at(gradBias, j) + at(dLogits, b * classes + j);
    for (let c = 0; c < E; c++) gradW[c] = at(gradW, c) + at(dLogits, b * classes + at(cells.output, c)) * at(x, b * inputSize + at(cells.input, c));
  }
  return { logits, loss, gradW, gradBias };
}
