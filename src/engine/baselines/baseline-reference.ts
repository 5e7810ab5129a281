/**
 * The baselines' equations as plain float64 loops, one lane and unit at a
 * time: the reference the tensor cells (lstm.ts, gru.ts, esn.ts) are tested
 * against. Same weight layouts (row-major, row-vector convention) and the
 * same loss: mean cross-entropy over scored symbols (targets >= 0).
 */
import type { LstmWeightName } from './lstm';
import type { GruWeightName } from './gru';
import type { EsnWeightName } from './esn';

export interface ReferenceCase {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly lanes: number;
  readonly length: number;
  /** Symbol per [t, lane], time major. */
  readonly inputs: ArrayLike<number>;
  /** Class per [t, lane], -1 where nothing is scored. */
  readonly targets: ArrayLike<number>;
}

export interface ReferenceResult {
  /** [T*B, O], time major. */
  readonly logits: Float64Array;
  readonly loss: number;
  /** State tensors after the last step, each [B, H]. */
  readonly state: Float64Array[];
}

type Weights<N extends string> = Readonly<Record<N, ArrayLike<number>>>;

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const at = (a: ArrayLike<number>, i: number): number => a[i] as number;

/** Mean cross-entropy over scored rows of [rows, O] logits (0 when none is scored). */
export function referenceLoss(logits: Float64Array, targets: ArrayLike<number>, outputSize: number): number {
  let total = 0;
  let scored = 0;
  for (let row = 0; row < targets.length; row++) {
    const t = at(targets, row);
    if (t < 0) continue;
    let max = -Infinity;
    for (let k = 0; k < outputSize; k++) max = Math.max(max, at(logits, row * outputSize + k));
    let sum = 0;
    for (let k = 0; k < outputSize; k++) sum += Math.exp(at(logits, row * outputSize + k) - max);
    total += max + Math.log(sum) - at(logits, row * outputSize + t);
    scored++;
  }
  return scored > 0 ? total / scored : 0;
}

/** logits[row] = h W + b for a [H] vector h. */
function readout(h: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>, hidden: number, outputSize: number, out: Float64Array, row: number): void {
  for (let k = 0; k < outputSize; k++) {
    let s = at(b, k);
    for (let j = 0; j < hidden; j++) s += at(h, j) * at(w, j * outputSize + k);
    out[row * outputSize + k] = s;
  }
}

/** Gate pre-activations x Wx + h Wh (+ biases) for one lane: [gates*H]. */
function preActivations(symbol: number, h: ArrayLike<number>, inputW: ArrayLike<number>, recurrentW: ArrayLike<number>, width: number, hidden: number): Float64Array {
  const z = new Float64Array(width);
  for (let g = 0; g < width; g++) {
    let s = symbol >= 0 ? at(inputW, symbol * width + g) : 0;
    for (let k = 0; k < hidden; k++) s += at(h, k) * at(recurrentW, k * width + g);
    z[g] = s;
  }
  return z;
}

/** LSTM (i, f, g, o gate order; see lstm.ts) from states h0, c0 [B*H]. */
export function lstmReference(w: Weights<LstmWeightName>, c: ReferenceCase, hidden: number, h0: ArrayLike<number>, c0: ArrayLike<number>): ReferenceResult {
  const H = hidden;
  const h = Float64Array.from(h0);
  const cell = Float64Array.from(c0);
  const logits = new Float64Array(c.length * c.lanes * c.outputSize);
  for (let t = 0; t < c.length; t++) {
    for (let b = 0; b < c.lanes; b++) {
      const hb = h.subarray(b * H, (b + 1) * H);
      const z = preActivations(at(c.inputs, t * c.lanes + b), hb, w.inputW, w.recurrentW, 4 * H, H);
      for (let j = 0; j < H; j++) {
        const i = sigmoid(at(z, j) + at(w.bias, j));
        const f = sigmoid(at(z, H + j) + at(w.bias, H + j));
        const g = Math.tanh(at(z, 2 * H + j) + at(w.bias, 2 * H + j));
        const o = sigmoid(at(z, 3 * H + j) + at(w.bias, 3 * H + j));
        const cNext = f * at(cell, b * H + j) + i * g;
        cell[b * H + j] = cNext;
        hb[j] = o * Math.tanh(cNext);
      }
      readout(hb, w.readoutW, w.readoutB, H, c.outputSize, logits, t * c.lanes + b);
    }
  }
  return { logits, loss: referenceLoss(logits, c.targets, c.outputSize), state: [h, cell] };
}

/** GRU, PyTorch convention (r, z, n gate order; see gru.ts), from state h0 [B*H]. */
export function gruReference(w: Weights<GruWeightName>, c: ReferenceCase, hidden: number, h0: ArrayLike<number>): ReferenceResult {
  const H = hidden;
  const h = Float64Array.from(h0);
  const logits = new Float64Array(c.length * c.lanes * c.outputSize);
  for (let t = 0; t < c.length; t++) {
    for (let b = 0; b < c.lanes; b++) {
      const hb = h.subarray(b * H, (b + 1) * H);
      const symbol = at(c.inputs, t * c.lanes + b);
      const xs = preActivations(symbol, new Float64Array(H), w.inputW, w.recurrentW, 3 * H, H);
      const hs = preActivations(-1, hb, w.inputW, w.recurrentW, 3 * H, H);
      const next = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        const x = (g: number): number => at(xs, g * H + j) + at(w.inputB, g * H + j);
        const rec = (g: number): number => at(hs, g * H + j) + at(w.recurrentB, g * H + j);
        const r = sigmoid(x(0) + rec(0));
        const z = sigmoid(x(1) + rec(1));
        const n = Math.tanh(x(2) + r * rec(2));
        next[j] = (1 - z) * n + z * at(hb, j);
      }
      hb.set(next);
      readout(hb, w.readoutW, w.readoutB, H, c.outputSize, logits, t * c.lanes + b);
    }
  }
  return { logits, loss: referenceLoss(logits, c.targets, c.outputSize), state: [h] };
}

/** Echo-state network (see esn.ts) with N units and leak rate a, from state s0 [B*N]. */
export function esnReference(w: Weights<EsnWeightName>, c: ReferenceCase, units: number, leakRate: number, s0: ArrayLike<number>): ReferenceResult {
  const N = units;
  const s = Float64Array.from(s0);
  const logits = new Float64Array(c.length * c.lanes * c.outputSize);
  const features = new Float64Array(N + c.inputSize);
  for (let t = 0; t < c.length; t++) {
    for (let b = 0; b < c.lanes; b++) {
      const sb = s.subarray(b * N, (b + 1) * N);
      const symbol = at(c.inputs, t * c.lanes + b);
      const pre = preActivations(symbol, sb, w.inputW, w.reservoirW, N, N);
      for (let j = 0; j < N; j++) sb[j] = (1 - leakRate) * at(sb, j) + leakRate * Math.tanh(at(pre, j));
      features.fill(0);
      features.set(sb);
      if (symbol >= 0) features[N + symbol] = 1;
      readout(features, w.readoutW, w.readoutB, N + c.inputSize, c.outputSize, logits, t * c.lanes + b);
    }
  }
  return { logits, loss: referenceLoss(logits, c.targets, c.outputSize), state: [s] };
}
