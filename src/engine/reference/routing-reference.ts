/**
 * A stack of layers with routing modules written as plain float64 loops: the
 * reference ../routing/routing-stack.ts is tested against. It follows the lab's design
 * 2.5 one example, layer and unit at a time, on the same flat row-major
 * layout as the tensors (layerW[(l*W + i)*W + j], routerW[(l*W + i)*2 + k],
 * skipS[(l*W + i)*W + j], ...).
 */
import type { RoutingTensorName, StackDims } from '../routing/routing-shapes';
import type { StackOptions } from '../routing/routing-stack';

export type ReferenceStackWeights = Readonly<Record<RoutingTensorName, ArrayLike<number>>>;

export interface ReferenceStack {
  readonly dims: StackDims;
  readonly options: StackOptions;
  readonly weights: ReferenceStackWeights;
}

export interface ReferenceForward {
  /** [B, C] */
  readonly logits: Float64Array;
  /** [B, N]; ones without routing. */
  readonly pExec: Float64Array;
  /** [B, N] 1 where the layer ran (hard: p_exec > 0.5). */
  readonly executed: Uint8Array;
  /** Layer executions skipped, over all examples. */
  readonly skipped: number;
}

const at = (a: ArrayLike<number>, i: number): number => a[i] as number;

/** Forward of `rows` examples x [rows, D]; `hard` routes by p_exec > 0.5. */
export function referenceForward(stack: ReferenceStack, x: ArrayLike<number>, rows: number, hard: boolean): ReferenceForward {
  const { inputSize: D, width: W, layers: N, classes: C } = stack.dims;
  const w = stack.weights;
  const act = stack.options.activation === 'relu' ? (v: number) => Math.max(0, v) : Math.tanh;
  const logits = new Float64Array(rows * C);
  const pExec = new Float64Array(rows * N).fill(1);
  const executed = new Uint8Array(rows * N).fill(1);
  let skipped = 0;
  for (let b = 0; b < rows; b++) {
    let h = new Float64Array(W);
    for (let j = 0; j < W; j++) {
      let s = at(w.inB, j);
      for (let d = 0; d < D; d++) s += at(x, b * D + d) * at(w.inW, d * W + j);
      h[j] = act(s);
    }
    for (let l = 0; l < N; l++) {
      const f = new Float64Array(W);
      for (let j = 0; j < W; j++) {
        let s = at(w.layerB, l * W + j);
        for (let i = 0; i < W; i++) s += at(h, i) * at(w.layerW, (l * W + i) * W + j);
        f[j] = act(s);
      }
      if (!stack.options.routing) {
        h = f;
        continue;
      }
      const z = [at(w.routerB, 2 * l), at(w.routerB, 2 * l + 1)];
      for (let i = 0; i < W; i++) for (let k = 0; k < 2; k++) z[k] = at(z, k) + at(h, i) * at(w.routerW, (l * W + i) * 2 + k);
      const top = Math.max(at(z, 0), at(z, 1));
      const e0 = Math.exp(at(z, 0) - top);
      const e1 = Math.exp(at(z, 1) - top);
      const pE = e0 / (e0 + e1);
      const pS = e1 / (e0 + e1);
      pExec[b * N + l] = pE;
      const skip = new Float64Array(W);
      for (let j = 0; j < W; j++) {
        let s = 0;
        for (let i = 0; i < W; i++) s += at(h, i) * at(w.skipS, (l * W + i) * W + j);
        skip[j] = s;
      }
      const next = new Float64Array(W);
      if (hard) {
        const run = pE > 0.5;
        executed[b * N + l] = run ? 1 : 0;
        if (!run) skipped++;
        for (let j = 0; j < W; j++) next[j] = run ? at(f, j) : at(skip, j);
      } else {
        for (let j = 0; j < W; j++) next[j] = pE * at(f, j) + pS * at(skip, j);
      }
      h = next;
    }
    for (let c = 0; c < C; c++) {
      let s = at(w.outB, c);
      for (let j = 0; j < W; j++) s += at(h, j) * at(w.outW, j * C + c);
      logits[b * C + c] = s;
    }
  }
  return { logits, pExec, executed, skipped };
}

export interface ReferenceLoss {
  readonly total: number;
  /** Mean cross-entropy (nats). */
  readonly task: number;
  /** mean(p_exec) over examples and layers (0 without routing). */
  readonly meanPExec: number;
  /** sum |S| (0 without routing). */
  readonly l1: number;
}

/** The training loss (soft forward) of `labels.length` examples. */
export function referenceLoss(stack: ReferenceStack, x: ArrayLike<number>, labels: ArrayLike<number>, lambdaS: number, lambda1: number): ReferenceLoss {
  const rows = labels.length;
  const { classes: C, layers: N } = stack.dims;
  const r = referenceForward(stack, x, rows, false);
  let task = 0;
  for (let b = 0; b < rows; b++) {
    let top = -Infinity;
    for (let c = 0; c < C; c++) top = Math.max(top, at(r.logits, b * C + c));
    let z = 0;
    for (let c = 0; c < C; c++) z += Math.exp(at(r.logits, b * C + c) - top);
    task -= at(r.logits, b * C + at(labels, b)) - top - Math.log(z);
  }
  task /= rows;
  if (!stack.options.routing) return { total: task, task, meanPExec: 0, l1: 0 };
  const meanPExec = r.pExec.reduce((s, v) => s + v, 0) / (rows * N);
  let l1 = 0;
  for (let i = 0; i < stack.weights.skipS.length; i++) l1 += Math.abs(at(stack.weights.skipS, i));
  return { total: task + lambdaS * meanPExec + lambda1 * l1, task, meanPExec, l1 };
}
