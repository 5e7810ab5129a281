/**
 * Row gather with a segment-sum backward, as plain JS kernels over the cpu and wasm
 * backends' buffers: `gatherRows(x [N, ...], index [R]) -> [R, ...]`, gradient
 * `dx[index[r]] += dy[r]`; and that scatter-add (optionally onto a base) with the gather
 * as its gradient. The one row kernel pair of the engine: loopy networks, LARA's dense
 * unroll above the one-hot size and its active tick all use it. tfjs's own gather costs
 * ~25-30 ns per element on wasm and the one-hot matmul costs R*N*M multiply-adds;
 * copying rows costs R*M moves. Other backends (webgpu), or the kernels switched off,
 * use tf.gather with a scatter-add gradient (UnsortedSegmentSum, or ScatterNd where
 * that is missing, as on wasm).
 */
import * as tf from '@tensorflow/tfjs';
import type { GradConfig, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { registerBufferKernel, type BufferKernel, type KernelOutput, type Values } from './kernel-buffers';

export const GATHER_ROWS = 'LoopyGatherRows';
export const SCATTER_ADD_ROWS = 'LoopyScatterAddRows';

type Floats = Float32Array;

function checkIndex(index: Int32Array, n: number): void {
  for (let r = 0; r < index.length; r++) {
    const i = index[r] as number;
    if (i < 0 || i >= n) throw new Error(`gatherRows: index ${i} at ${r} is outside [0, ${n})`);
  }
}


/** out[r] = x[index[r]], rows of width m. */
function copyRows(x: Values, index: Int32Array, m: number, out: Values): void {
  const R = index.length;
  // subarray() allocates a view (~0.5 µs); below a few hundred floats a loop copies faster.
  if (m >= 256) {
    for (let r = 0; r < R; r++) {
      const s = (index[r] as number) * m;
      out.set(x.subarray(s, s + m), r * m);
    }
    return;
  }
  for (let r = 0, o = 0; r < R; r++) {
    let s = (index[r] as number) * m;
    for (let j = 0; j < m; j++) out[o++] = x[s++] as number;
  }
}

/** out[index[r]] += dy[r]; out starts as base, or zeroed. */
function addRows(dy: Floats, index: Int32Array, m: number, base: Floats | null, out: Floats): void {
  if (base) out.set(base);
  else out.fill(0);
  const R = index.length;
  for (let r = 0, s = 0; r < R; r++) {
    let o = (index[r] as number) * m;
    for (let j = 0; j < m; j++, o++) out[o] = (out[o] as number) + (dy[s++] as number);
  }
}

function operands(inputs: NamedTensorInfoMap, dataName: string): { data: TensorInfo; index: TensorInfo } {
  const data = inputs[dataName];
  const index = inputs['index'];
  if (!data || !index) throw new Error(`${GATHER_ROWS}: missing inputs`);
  const dtypeOk = data.dtype === 'float32' || (dataName === 'x' && data.dtype === 'int32');
  if (data.shape.length < 1 || (dataName === 'dy' && data.shape.length !== 2) || !dtypeOk)
    throw new Error(`gatherRows: ${dataName} must be ${dataName === 'x' ? 'a float32 or int32 tensor' : 'a float32 matrix'}, got ${data.dtype} [${data.shape.join(', ')}]`);
  if (index.shape.length !== 1 || index.dtype !== 'int32') throw new Error(`gatherRows: index must be an int32 vector, got ${index.dtype} [${index.shape.join(', ')}]`);
  return { data, index };
}

const gatherKernel: BufferKernel = (inputs, io) => {
  const { data: x, index } = operands(inputs, 'x');
  const n = x.shape[0] as number;
  const rest = x.shape.slice(1);
  const m = rest.reduce((a, d) => a * d, 1);
  checkIndex(io.read<Int32Array>(index), n);
  const [out] = io.typedOutputs({ shape: [index.shape[0] as number, ...rest], dtype: x.dtype as 'float32' | 'int32' }) as [KernelOutput<Values>];
  // Views are read after the allocation: growing the wasm heap detaches older ones.
  copyRows(io.read(x), io.read<Int32Array>(index), m, out.values);
  return out.info;
};

const scatterKernel: BufferKernel = (inputs, io, attrs) => {
  const { data: dy, index } = operands(inputs, 'dy');
  const n = Number(attrs['numRows']);
  const m = dy.shape[1] as number;
  const base = inputs['base'];
  if (index.shape[0] !== dy.shape[0]) throw new Error(`scatterAddRows: ${dy.shape[0]} rows but ${index.shape[0]} indices`);
  if (base && (base.dtype !== 'float32' || base.shape[0] !== n || base.shape[1] !== m || base.shape.length !== 2))
    throw new Error(`scatterAddRows: base must be float32 [${n}, ${m}], got ${base.dtype} [${base.shape.join(', ')}]`);
  checkIndex(io.read<Int32Array>(index), n);
  const out = io.output([n, m]);
  addRows(io.read<Floats>(dy), io.read<Int32Array>(index), m, base ? io.read<Floats>(base) : null, out.values);
  return out.info;
};

const GRADS: GradConfig[] = [
  {
    kernelName: GATHER_ROWS,
    inputsToSave: ['index'],
    gradFunc: (dy, saved, attrs) => {
      const index = saved[0] as tf.Tensor1D;
      const numRows = Number(attrs['numRows']);
      const d = dy as tf.Tensor;
      const x = (): tf.Tensor => {
        if (d.rank === 2) return scatterAddRows(d as tf.Tensor2D, index, numRows);
        const rest = d.shape.slice(1);
        const flat = tf.reshape(d, [index.shape[0], rest.reduce((a, n) => a * n, 1)]) as tf.Tensor2D;
        return tf.reshape(scatterAddRows(flat, index, numRows), [numRows, ...rest]);
      };
      return { x, index: () => tf.zerosLike(index) };
    },
  },
  {
    kernelName: SCATTER_ADD_ROWS,
    inputsToSave: ['index'],
    gradFunc: (dy, saved) => {
      const index = saved[0] as tf.Tensor1D;
      return { dy: () => gatherRows(dy as tf.Tensor2D, index), index: () => tf.zerosLike(index), base: () => dy as tf.Tensor2D };
    },
  },
];

let registered = false;

/** Registers the kernels and their gradients once (idempotent; importing gatherRows is enough). */
export function registerGatherRowsKernels(): void {
  if (registered) return;
  registered = true;
  registerBufferKernel(GATHER_ROWS, gatherKernel);
  registerBufferKernel(SCATTER_ADD_ROWS, scatterKernel);
  for (const g of GRADS) if (!tf.getGradient(g.kernelName)) tf.registerGradient(g);
}

let kernelsOn = true;

/** Off: the plain-tfjs formulation on every backend (tests compare the two). */
export function setGatherRowsKernels(on: boolean): void {
  kernelsOn = on;
}

/** Whether gatherRows / scatterAddRows run the JS kernels on the current backend. */
export function gatherRowsKernelsActive(): boolean {
  registerGatherRowsKernels();
  return kernelsOn && tf.getKernel(GATHER_ROWS, tf.getBackend()) !== undefined;
}

/** Plain tfjs: UnsortedSegmentSum where the backend has it, else ScatterNd (wasm; it sums duplicates too, with the gather as gradient). */
function plainScatterAdd(dy: tf.Tensor2D, index: tf.Tensor1D, numRows: number): tf.Tensor2D {
  if (tf.getKernel('UnsortedSegmentSum', tf.getBackend())) return tf.unsortedSegmentSum(dy, index, numRows);
  const f = tf.customGrad((v, save) => {
    (save as tf.GradSaveFunc)([index]);
    return {
      value: tf.scatterND(tf.reshape(index, [-1, 1]), v as tf.Tensor2D, [numRows, dy.shape[1]]) as tf.Tensor2D,
      gradFunc: (d, saved) => tf.gather(d as tf.Tensor2D, saved[0] as tf.Tensor1D),
    };
  });
  return f(dy) as tf.Tensor2D;
}

/** tf.gather, with the scatter-add gradient above (tf.gather's own needs UnsortedSegmentSum). */
function plainGather<T extends tf.Tensor>(x: T, index: tf.Tensor1D): T {
  if (x.dtype !== 'float32' || tf.getKernel('UnsortedSegmentSum', tf.getBackend())) return tf.gather(x, index);
  const f = tf.customGrad((v, save) => {
    (save as tf.GradSaveFunc)([index]);
    return {
      value: tf.gather(v as tf.Tensor, index),
      gradFunc: (dy, saved) => {
        const rows = x.shape[0] ?? 0;
        const m = x.shape.slice(1).reduce((a, n) => a * n, 1);
        const idx = saved[0] as tf.Tensor1D;
        return tf.reshape(plainScatterAdd(tf.reshape(dy as tf.Tensor, [idx.shape[0], m]) as tf.Tensor2D, idx, rows), x.shape);
      },
    };
  });
  return f(x) as T;
}

/** Rows `index` of `x` [N, ...] -> [R, ...] (float32 or int32); its gradient sums dy rows back into N rows. */
export function gatherRows<T extends tf.Tensor>(x: T, index: tf.Tensor1D): T {
  if (!gatherRowsKernelsActive()) return plainGather(x, index);
  const attrs = { numRows: x.shape[0] ?? 0 };
  return tf.engine().runKernel<T>(GATHER_ROWS, { x, index }, attrs);
}

/**
 * [numRows, M] with row i = sum of dy rows r where index[r] = i (the segment sum), plus
 * `base` [numRows, M] when given; gradients: the gather for dy, identity for base.
 */
export function scatterAddRows(dy: tf.Tensor2D, index: tf.Tensor1D, numRows: number, base?: tf.Tensor2D): tf.Tensor2D {
  if (!gatherRowsKernelsActive()) {
    const scattered = plainScatterAdd(dy, index, numRows);
    return base ? tf.add(base, scattered) : scattered;
  }
  return tf.engine().runKernel(SCATTER_ADD_ROWS, base ? { dy, index, base } : { dy, index }, { numRows }) as tf.Tensor2D;
}

registerGatherRowsKernels();

let tapsOn = true;
/** Off: a tap's gathers are plain gatherRows, each with its own dense gradient (the bench times both side by side). */
export function setGatherRowsTaps(on: boolean): void {
  tapsOn = on;
}

/** Row gathers from one tensor whose gradient is summed once (see gatherRowsTap). */
export interface GatherRowsTap<T extends tf.Tensor> {
  /** gatherRows(x, index) with the tap's x. */
  gather(index: tf.Tensor1D): T;
}

/**
 * One gradient for many row gathers from the same `x` (an unroll's ticks):
 * rather than one dense [numRows, ...] scatter-add per gather, summed by the
 * tape with a dense add each, every gather's gradient stashes its (dy, index)
 * rows, and the tap, an op on `x` made before all gathers and so reached last
 * by the backward pass, scatter-adds them all at once. The gathers take the
 * tap's scalar output as an input so the tape links them to it. As with the
 * gathered matmul's tap (gathered-matmul.ts), the stash holds only tensors
 * the backward pass keeps to its end, and `x` must be a tf.Variable (else the
 * plain per-gather gradient).
 */
export function gatherRowsTap<T extends tf.Tensor>(x: T): GatherRowsTap<T> {
  if (!tapsOn || !(x instanceof tf.Variable) || x.dtype !== 'float32') return { gather: (index) => gatherRows(x, index) };
  const shape: number[] = [...(x.shape as readonly number[])];
  const numRows = shape[0] ?? 0;
  const width = shape.slice(1).reduce((a, n) => a * n, 1);
  const stash: { dy: tf.Tensor2D; index: tf.Tensor1D }[] = [];
  const token = tf.customGrad((xv) => ({
    value: tf.zeros([]),
    gradFunc: () => {
      const rows = stash.splice(0);
      if (rows.length === 0) return tf.zerosLike(xv as tf.Tensor);
      const cat = <U extends tf.Tensor>(ts: U[]): U => (ts.length === 1 ? (ts[0] as U) : tf.concat<U>(ts));
      return tf.reshape(scatterAddRows(cat(rows.map((r) => r.dy)), cat(rows.map((r) => r.index)), numRows), shape);
    },
  }))(x);
  return {
    gather: (index) =>
      tf.customGrad((_token, save) => {
        // index is often a per-tick intermediate: saved so it outlives the forward scope.
        (save as tf.GradSaveFunc)([index]);
        return {
          value: gatherRows(x, index),
          gradFunc: (dy, saved) => {
            const si = saved[0] as tf.Tensor1D;
            stash.push({ dy: tf.reshape(dy as tf.Tensor, [si.shape[0], width]) as tf.Tensor2D, index: si });
            return [tf.zeros([])];
          },
        };
      })(token) as T,
  };
}
