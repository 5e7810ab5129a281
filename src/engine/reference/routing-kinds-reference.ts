/**
 * The routing stack with every router and skip kind (routing-params.ts) as
 * plain float64 loops: the reference ../routing/routing-stack.ts is tested
 * against (routing-reference.ts is the seed's soft, dense form alone). It follows the lab's design
 * 2.5 one example, layer and unit at a time, on the same flat row-major
 * layout as the tensors (layerW[(l*W + i)*W + j], routerW[(l*W + i)*2 + k],
 * skipS[(l*W + i)*W + j], skipD[l*W + j], ...).
 *
 * The straight-through and Gumbel routers' training forward takes the hard
 * gate g = 1[q > 0.5] (q = p_exec, or sigmoid(z_exec - z_skip + L) with
 * the Gumbel router's noise L). Given `steOffsets` c [B, N] it instead uses
 * g = q + c: with c = 1[q0 > 0.5] - q0 taken at weights w0 this is the same
 * value at w0, and its derivative is the straight-through estimator's, so
 * finite differences of that surrogate check the estimator's gradient.
 */
import type { RoutingTensorName, StackDims } from '../routing/routing-shapes';
import type { StackOptions } from '../routing/routing-stack';

export type ReferenceStackWeights = Readonly<Partial<Record<RoutingTensorName, ArrayLike<number>>>>;

/** The training forward's extras: the Gumbel router's noise [B, N], the straight-through surrogate's frozen offsets [B, N]. */
export interface ReferenceTrainInputs {
  readonly noise?: ArrayLike<number>;
  readonly steOffsets?: ArrayLike<number>;
}

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
  /** [B, N] the probability the straight-through gate thresholds (p_exec, or the noisy one for Gumbel); p_exec for soft. */
  readonly gateP: Float64Array;
}

const at = (a: ArrayLike<number> | undefined, i: number): number => (a as ArrayLike<number>)[i] as number;

/** Forward of `rows` examples x [rows, D]; `hard` routes by p_exec > 0.5. */
export function referenceForward(stack: ReferenceStack, x: ArrayLike<number>, rows: number, hard: boolean, train: ReferenceTrainInputs = {}): ReferenceForward {
  const { inputSize: D, width: W, layers: N, classes: C } = stack.dims;
  const w = stack.weights;
  const act = stack.options.activation === 'relu' ? (v: number) => Math.max(0, v) : Math.tanh;
  const logits = new Float64Array(rows * C);
  const pExec = new Float64Array(rows * N).fill(1);
  const executed = new Uint8Array(rows * N).fill(1);
  const gateP = new Float64Array(rows * N).fill(1);
  const { router, skip: skipKind } = stack.options;
  if (!hard && router === 'gumbel' && stack.options.routing && !train.noise) throw new Error('reference: the Gumbel router trains with noise');
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
        if (skipKind === 'identity-diagonal') {
          skip[j] = at(h, j) * (1 + at(w.skipD, l * W + j));
          continue;
        }
        let s = 0;
        for (let i = 0; i < W; i++) s += at(h, i) * at(w.skipS, (l * W + i) * W + j);
        skip[j] = s;
      }
      const next = new Float64Array(W);
      const q = !hard && router === 'gumbel' ? 1 / (1 + Math.exp(-(at(z, 0) - at(z, 1) + at(train.noise, b * N + l)))) : pE;
      gateP[b * N + l] = q;
      if (hard || router !== 'soft') {
        const run = q > 0.5;
        executed[b * N + l] = run ? 1 : 0;
        if (!run) skipped++;
        const g = !hard && train.steOffsets ? q + at(train.steOffsets, b * N + l) : run ? 1 : 0;
        for (let j = 0; j < W; j++) next[j] = g * at(f, j) + (1 - g) * at(skip, j);
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
  return { logits, pExec, executed, skipped, gateP };
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

/** The training loss (the router kind's training forward) of `labels.length` examples. */
export function referenceLoss(stack: ReferenceStack, x: ArrayLike<number>, labels: ArrayLike<number>, lambdaS: number, lambda1: number, train: ReferenceTrainInputs = {}): ReferenceLoss {
  const rows = labels.length;
  const { classes: C, layers: N } = stack.dims;
  const r = referenceForward(stack, x, rows, false, train);
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
  const S = stack.options.skip === 'dense' ? stack.weights.skipS : stack.weights.skipD;
  for (let i = 0; i < (S as ArrayLike<number>).length; i++) l1 += Math.abs(at(S, i));
  return { total: task + lambdaS * meanPExec + lambda1 * l1, task, meanPExec, l1 };
}
