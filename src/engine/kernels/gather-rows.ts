/**
 * Row gather with a segment-sum backward, as plain JS kernels over the cpu and wasm
 * backends' buffers: `gatherRows(x [N, M], index [R]) -> [R, M]`, gradient
 * `dx[index[r]] += dy[r]`. tfjs's own gather costs ~25-30 ns per element on wasm and
 * the one-hot matmul costs R*N*M multiply-adds; copying rows costs R*M moves.
 * Other backends (webgpu) fall back to tf.gather, whose gradient is the same sum.
 */
import * as tf from '@tensorflow/tfjs';
import type { GradConfig, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';

export const GATHER_ROWS = 'LoopyGatherRows';
export const SCATTER_ADD_ROWS = 'LoopyScatterAddRows';

type Floats = Float32Array;

/** Buffer access for one backend: views of inputs, and an output made from (or filled into) a buffer. */
interface Buffers {
  read(t: TensorInfo): Floats | Int32Array;
  /** Allocates [rows, cols] float32, lets `fill` write it, returns its info. */
  write(shape: [number, number], fill: (out: Floats) => void): TensorInfo;
}

interface CpuBackendLike {
  data: { get(dataId: object): { values?: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): TensorInfo;
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

function cpuBuffers(backend: CpuBackendLike): Buffers {
  return {
    read(t) {
      const v = backend.data.get(t.dataId)?.values;
      if (v instanceof Float32Array || v instanceof Int32Array) return v;
      throw new Error(`${GATHER_ROWS}: unsupported cpu buffer for dtype ${t.dtype}`);
    },
    write(shape, fill) {
      const out = new Float32Array(shape[0] * shape[1]);
      fill(out);
      return backend.makeTensorInfo(shape, 'float32', out);
    },
  };
}

function wasmBuffers(backend: WasmBackendLike): Buffers {
  return {
    read(t) {
      const v = backend.typedArrayFromHeap(t);
      if (v instanceof Float32Array || v instanceof Int32Array) return v;
      throw new Error(`${GATHER_ROWS}: unsupported wasm buffer for dtype ${t.dtype}`);
    },
    write(shape, fill) {
      const info = backend.makeOutput(shape, 'float32');
      // Views are taken after the allocation: growing the heap detaches older ones.
      fill(backend.typedArrayFromHeap(info) as Floats);
      return info;
    },
  };
}

function checkIndex(index: Int32Array, n: number): void {
  for (let r = 0; r < index.length; r++) {
    const i = index[r] as number;
    if (i < 0 || i >= n) throw new Error(`gatherRows: index ${i} at ${r} is outside [0, ${n})`);
  }
}

/** out[r] = x[index[r]], rows of width m. */
function copyRows(x: Floats, index: Int32Array, m: number, out: Floats): void {
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

/** out[index[r]] += dy[r]; out starts zeroed. */
function addRows(dy: Floats, index: Int32Array, m: number, out: Floats): void {
  out.fill(0);
  const R = index.length;
  for (let r = 0, s = 0; r < R; r++) {
    let o = (index[r] as number) * m;
    for (let j = 0; j < m; j++, o++) out[o] = (out[o] as number) + (dy[s++] as number);
  }
}

interface Args {
  inputs: Record<string, TensorInfo | undefined>;
  backend: unknown;
  attrs?: NamedAttrMap;
}

function operands(args: Args, dataName: string): { data: TensorInfo; index: TensorInfo } {
  const data = args.inputs[dataName];
  const index = args.inputs['index'];
  if (!data || !index) throw new Error(`${GATHER_ROWS}: missing inputs`);
  if (data.shape.length !== 2 || data.dtype !== 'float32') throw new Error(`gatherRows: ${dataName} must be a float32 matrix, got ${data.dtype} [${data.shape.join(', ')}]`);
  if (index.shape.length !== 1 || index.dtype !== 'int32') throw new Error(`gatherRows: index must be an int32 vector, got ${index.dtype} [${index.shape.join(', ')}]`);
  return { data, index };
}

function gatherKernel(buffers: (backend: never) => Buffers) {
  return (args: Args): TensorInfo => {
    const { data: x, index } = operands(args, 'x');
    const io = buffers(args.backend as never);
    const [n, m] = x.shape as [number, number];
    const idx = io.read(index) as Int32Array;
    checkIndex(idx, n);
    return io.write([idx.length, m], (out) => copyRows(io.read(x) as Floats, io.read(index) as Int32Array, m, out));
  };
}

function scatterKernel(buffers: (backend: never) => Buffers) {
  return (args: Args): TensorInfo => {
    const { data: dy, index } = operands(args, 'dy');
    const n = Number(args.attrs?.['numRows']);
    const io = buffers(args.backend as never);
    const m = dy.shape[1] as number;
    if (index.shape[0] !== dy.shape[0]) throw new Error(`scatterAddRows: ${dy.shape[0]} rows but ${index.shape[0]} indices`);
    checkIndex(io.read(index) as Int32Array, n);
    return io.write([n, m], (out) => addRows(io.read(dy) as Floats, io.read(index) as Int32Array, m, out));
  };
}

const KERNELS: KernelConfig[] = [
  { kernelName: GATHER_ROWS, backendName: 'cpu', kernelFunc: gatherKernel(cpuBuffers) },
  { kernelName: SCATTER_ADD_ROWS, backendName: 'cpu', kernelFunc: scatterKernel(cpuBuffers) },
  { kernelName: GATHER_ROWS, backendName: 'wasm', kernelFunc: gatherKernel(wasmBuffers) },
  { kernelName: SCATTER_ADD_ROWS, backendName: 'wasm', kernelFunc: scatterKernel(wasmBuffers) },
];

const GRADS: GradConfig[] = [
  {
    kernelName: GATHER_ROWS,
    inputsToSave: ['index'],
    gradFunc: (dy, saved, attrs) => {
      const index = saved[0] as tf.Tensor1D;
      const numRows = Number(attrs['numRows']);
      return { x: () => scatterAddRows(dy as tf.Tensor2D, index, numRows), index: () => tf.zerosLike(index) };
    },
  },
  {
    kernelName: SCATTER_ADD_ROWS,
    inputsToSave: ['index'],
    gradFunc: (dy, saved) => {
      const index = saved[0] as tf.Tensor1D;
      return { dy: () => gatherRows(dy as tf.Tensor2D, index), index: () => tf.zerosLike(index) };
    },
  },
];

let registered = false;

/** Registers the kernels and their gradients once (idempotent; importing gatherRows is enough). */
export function registerGatherRowsKernels(): void {
  if (registered) return;
  registered = true;
  for (const k of KERNELS) if (!tf.getKernel(k.kernelName, k.backendName)) tf.registerKernel(k);
  for (const g of GRADS) if (!tf.getGradient(g.kernelName)) tf.registerGradient(g);
}

function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** Rows `index` of `x` [N, M] -> [R, M]; its gradient sums dy rows back into N rows. */
export function gatherRows(x: tf.Tensor2D, index: tf.Tensor1D): tf.Tensor2D {
  registerGatherRowsKernels();
  if (!hasKernel(GATHER_ROWS)) return tf.gather(x, index);
  const attrs = { numRows: x.shape[0] };
  return tf.engine().runKernel(GATHER_ROWS, { x, index }, attrs) as tf.Tensor2D;
}

/** [numRows, M] with row i = sum of dy rows r where index[r] = i (the segment sum). */
export function scatterAddRows(dy: tf.Tensor2D, index: tf.Tensor1D, numRows: number): tf.Tensor2D {
  registerGatherRowsKernels();
  if (!hasKernel(SCATTER_ADD_ROWS)) return tf.unsortedSegmentSum(dy, index, numRows);
  return tf.engine().runKernel(SCATTER_ADD_ROWS, { dy, index }, { numRows }) as tf.Tensor2D;
}

registerGatherRowsKernels();
