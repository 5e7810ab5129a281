/**
 * The active tick's own kernels as JS loops over the cpu and wasm backends'
 * buffers: one tick's row indices from the thread positions, and routing (the
 * next positions from the gates). Elsewhere lara-active-tick.ts builds both
 * from tf ops. Its row gathers and scatter-adds are ../kernels/gather-rows.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { setGatherRowsKernels } from '../kernels/gather-rows';

const TICK_ROWS = 'LaraActiveTickRows';
const ROUTE = 'LaraActiveRoute';
const KERNEL_BACKENDS = ['cpu', 'wasm'] as const;

type Values = Float32Array | Int32Array;

interface CpuLike {
  readSync(dataId: tf.DataId): unknown;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Values): tf.TensorInfo;
}
interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): unknown;
}

/** Makes the output first (wasm: malloc may grow the heap and detach earlier views), then reads the inputs. */
function withBuffers(
  backendName: string,
  backend: unknown,
  shape: number[],
  dtype: 'float32' | 'int32',
  inputs: readonly tf.TensorInfo[],
  fill: (out: Values, ins: Values[]) => void,
): tf.TensorInfo {
  if (backendName === 'wasm') {
    const b = backend as WasmLike;
    const info = b.makeOutput(shape, dtype);
    fill(b.typedArrayFromHeap(info) as Values, inputs.map((t) => b.typedArrayFromHeap(t) as Values));
    return info;
  }
  const b = backend as CpuLike;
  const size = shape.reduce((n, d) => n * d, 1);
  const out = dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
  fill(out, inputs.map((t) => b.readSync(t.dataId) as Values));
  return b.makeTensorInfo(shape, dtype, out);
}

/** Scoring of a routing move: the gates (epsilon or none), log of the gates (Gumbel), or the noise alone (random walk). */
export const ROUTE_SCORES = ['gate', 'log-gate', 'noise'] as const;
export type RouteScore = (typeof ROUTE_SCORES)[number];

/** A view of a tensor's values (wasm: valid until the next allocation). */
function withView(backendName: string, backend: unknown, t: tf.TensorInfo): Values {
  return backendName === 'wasm' ? ((backend as WasmLike).typedArrayFromHeap(t) as Values) : ((backend as CpuLike).readSync(t.dataId) as Values);
}

function register(): void {
  for (const backendName of KERNEL_BACKENDS) {
    if (tf.getKernel(TICK_ROWS, backendName)) continue;
    tf.registerKernel({
      kernelName: TICK_ROWS,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { pos, sourceIndex, inputSlot } = inputs as { pos: tf.TensorInfo; sourceIndex: tf.TensorInfo; inputSlot: tf.TensorInfo };
        const { B, K, forced, driveBase } = attrs as { B: number; K: number; forced: number[]; driveBase: number };
        const BT = pos.shape[0] as number;
        const Th = BT / B;
        const A = Th + forced.length;
        const N = B * A;
        const outs = (['nodes', 'flat', 'drive', 'src'] as const).map((name) =>
          withBuffers(backendName, backend, [name === 'src' ? N * K : N], 'int32', [], () => undefined),
        );
        const first = withBuffers(backendName, backend, [N], 'float32', [], () => undefined);
        // All outputs exist now: views taken below stay valid.
        const read = (t: tf.TensorInfo): Values => withView(backendName, backend, t);
        const [nodes, flat, drive, src] = outs.map(read) as [Values, Values, Values, Values];
        const f = read(first);
        const [p, si, slot] = [read(pos), read(sourceIndex), read(inputSlot)];
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
        return [...outs, first];
      },
    });
    tf.registerKernel({
      kernelName: ROUTE,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { g, pos, route, sourceIndex, noise } = inputs as Record<string, tf.TensorInfo | undefined> & { g: tf.TensorInfo; pos: tf.TensorInfo; route: tf.TensorInfo; sourceIndex: tf.TensorInfo };
        const { A, score } = attrs as { A: number; score: RouteScore };
        const BT = pos.shape[0] as number;
        const K = g.shape[1] as number;
        const Th = BT / ((g.shape[0] as number) / A);
        const out = withBuffers(backendName, backend, [BT], 'int32', [], () => undefined);
        const read = (t: tf.TensorInfo): Values => withView(backendName, backend, t);
        const [next, gs, ps, rs, si] = [read(out), read(g), read(pos), read(route), read(sourceIndex)];
        const ns = noise ? read(noise) : null;
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
        return out;
      },
    });
  }
}
register();

let kernelsOn = true;
/** Off: the plain-tfjs formulation on every backend, row gathers included (tests compare the two). */
export function setActiveRowKernels(on: boolean): void {
  kernelsOn = on;
  setGatherRowsKernels(on);
}

export function kernelsActive(): boolean {
  return kernelsOn && (KERNEL_BACKENDS as readonly string[]).includes(tf.getBackend());
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
