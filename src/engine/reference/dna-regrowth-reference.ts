/**
 * RigL's grow score and pick (Evci et al. 2020) for a DNA layer as plain
 * float64 loops: the gradient of the loss with respect to every entry of the
 * dense [D, C] weight, which for an absent pair (i, j) is the gradient a
 * zero-weight cell i -> j would get,
 *   G[i, j] = sum_b (p[b, j] - [j = y_b]) / B · x[b, i],
 * and the k absent pairs with the largest |G|.
 */
import { dnaReference, type ReferenceCells } from './dna-reference';

/** G [D·C], entry i·C + j, for the layer's cells (per-cell biases) on x [B, D] and labels [B]. */
export function denseGradientReference(cells: ReferenceCells, x: ArrayLike<number>, labels: ArrayLike<number>, inputSize: number, classes: number): Float64Array {
  const B = labels.length;
  const { logits } = dnaReference(cells, x, labels, inputSize, classes);
  const g = new Float64Array(inputSize * classes);
  for (let b = 0; b < B; b++) {
    const row = logits.subarray(b * classes, (b + 1) * classes);
    const max = Math.max(...row);
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    for (let j = 0; j < classes; j++) {
      const d = (Math.exp((row[j] as number) - max) / sum - (j === labels[b] ? 1 : 0)) / B;
      for (let i = 0; i < inputSize; i++) g[i * classes + j] = (g[i * classes + j] as number) + d * (x[b * inputSize + i] as number);
    }
  }
  return g;
}

/** The k pairs outside `present` with the largest |G| (the caller makes the scores distinct: no tie rule here). */
export function riglPickReference(gradient: ArrayLike<number>, present: ReadonlySet<number>, k: number): number[] {
  const absent: number[] = [];
  for (let p = 0; p < gradient.length; p++) if (!present.has(p)) absent.push(p);
  absent.sort((a, b) => Math.abs(gradient[b] as number) - Math.abs(gradient[a] as number));
  return absent.slice(0, k);
}
