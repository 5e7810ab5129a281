/**
 * The active tick's own kernels as JS loops over the cpu and wasm backends'
 * buffers: one tick's row indices from the thread positions, and routing (the
 * next positions from the gates). Elsewhere lara-active-tick.ts builds both
 * from tf ops. Its row gathers and scatter-adds are ../kernels/gather-rows.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { setGatherRowsKernels } from '../kernels/gather-rows';
import { BUFFER_BACKENDS, registerBufferKernel, type KernelOutput, type Values } from '../kernels/kernel-buffers';

const TICK_ROWS = 'LaraActiveTickRows';
const ROUTE = 'LaraActiveRoute';
/** Scoring of a routing move: the gates (epsilon or none), log of the gates (Gumbel), or the noise alone (random walk). */
export const ROUTE_SCORES = ['gate', 'log-gate', 'noise'] as const;
export type RouteScore = (typeof ROUTE_SCORES)[number];

registerBufferKernel(TICK_ROWS, (inputs, io, attrs) => {
  const { pos, sourceIndex, inputSlot } = inputs as { pos: tf.TensorInfo; sourceIndex: tf.TensorInfo; inputSlot: tf.TensorInfo };
  const { B, K, forced, driveBase } = attrs as { B: number; K: number; forced: number[]; driveBase: number };
  const BT = pos.shape[0] as number;
  const Th = BT / B;
  const A = Th + forced.length;
  const N = B * A;
  const int = (n: number) => ({ shape: [n], dtype: 'int32' as const });
  const outs = io.typedOutputs(int(N), int(N), int(N), int(N * K), { shape: [N], dtype: 'float32' });
  // All outputs exist now: views taken below stay valid.
  const [nodes, flat, drive, src, f] = outs.map((o) => o.values) as [Values, Values, Values, Values, Values];
  const [p, si, slot] = [io.read(pos), io.read(sourceIndex), io.read(inputSlot)];
  for (let b = 0; b < B; b++)
    for (let j = 0; j < A; j++) {
      const r = b * A + j;
      const a = j < Th ? (p[b * Th + j] as number) : (forced[j - Th] as number);
      nodes[r] = a;
      flat[r] = a * B + b;
      drive[r] = (driveBase + (slot[a] as number)) * B + b;
      let seen = false;
      for (let k = 0; k < j && !seen; k++) seen = nodes[b * A + k] === a;
      f[r] = seen ? 0 : 1;
      for (let s = 0; s < K; s++) src[r * K + s] = (si[a * K + s] as number) * B + b;
    }
  return outs.map((o) => o.info);
});
registerBufferKernel(ROUTE, (inputs, b, attrs) => {
  const { g, pos, route, sourceIndex, noise } = inputs as Record<string, tf.TensorInfo | undefined> & { g: tf.TensorInfo; pos: tf.TensorInfo; route: tf.TensorInfo; sourceIndex: tf.TensorInfo };
  const { A, score } = attrs as { A: number; score: RouteScore };
  const BT = pos.shape[0] as number;
  const K = g.shape[1] as number;
  const Th = BT / ((g.shape[0] as number) / A);
  const [out] = b.typedOutputs({ shape: [BT], dtype: 'int32' }) as [KernelOutput<Values>];
  const next = out.values;
  const [gs, ps, rs, si] = [b.read(g), b.read(pos), b.read(route), b.read(sourceIndex)];
  const ns = noise ? b.read(noise) : null;
  const f = Math.fround;
  for (let i = 0; i < BT; i++) {
    const row = Math.floor(i / Th) * A + (i % Th);
    const a = ps[i] as number;
    let best = 0;
    let bestScore = -Infinity;
    for (let s = 0; s < K; s++) {
      // float32 at every step, as the dense path's ops round.
      const gv = gs[row * K + s] as number;
      const base = score === 'noise' ? 0 : score === 'log-gate' ? f(Math.log(f(gv + 1e-20))) : gv;
      let v = score === 'noise' ? (rs[a * K + s] as number) : f(base + (rs[a * K + s] as number));
      if (ns) v = f(v + (ns[i * K + s] as number));
      if (v > bestScore) {
        bestScore = v;
        best = s;
      }
    }
    next[i] = si[a * K + best] as number;
  }
  return out.info;
});

let kernelsOn = true;
/** Off: the plain-tfjs formulation on every backend, row gathers included (tests compare the two). */
export function setActiveRowKernels(on: boolean): void {
  kernelsOn = on;
  setGatherRowsKernels(on);
}

export function kernelsActive(): boolean {
  return kernelsOn && (BUFFER_BACKENDS as readonly string[]).includes(tf.getBackend());
}

/** One tick's row indices from the thread positions (see activeUnroll); null on backends without the kernels. */
export function tickRowsKernel(
  pos: tf.Tensor1D,
  sourceIndex: tf.Tensor1D,
  inputSlot: tf.Tensor1D,
  attrs: { B: number; K: number; forced: number[]; driveBase: number },
): { nodes: tf.Tensor1D; flat: tf.Tensor1D; drive: tf.Tensor1D; src: tf.Tensor1D; first: tf.Tensor1D } {
  const [nodes, flat, drive, src, first] = tf.engine().runKernel<tf.Tensor1D[]>(TICK_ROWS, { pos, sourceIndex, inputSlot }, attrs) as [
    tf.Tensor1D,
    tf.Tensor1D,
    tf.Tensor1D,
    tf.Tensor1D,
    tf.Tensor1D,
  ];
  return { nodes, flat, drive, src, first };
}

/** Next thread positions [B*Th] from the gates of the rows [B*A, K] (threads first in each lane). */
export function routeKernel(g: tf.Tensor2D, pos: tf.Tensor1D, route: tf.Tensor2D, sourceIndex: tf.Tensor1D, noise: tf.Tensor2D | undefined, A: number, score: RouteScore): tf.Tensor1D {
  return tf.engine().runKernel<tf.Tensor1D>(ROUTE, noise ? { g, pos, route, sourceIndex, noise } : { g, pos, route, sourceIndex }, { A, score });
}
