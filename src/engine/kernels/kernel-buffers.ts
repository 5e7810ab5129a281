/**
 * The buffers of tfjs's cpu and wasm backends as typed arrays, so a JS-loop kernel is written once and registered
 * on both: only how an input is read and an output made differs (cpu: its data map; wasm: views into the heap).
 */
import * as tf from '@tensorflow/tfjs';

export type Values = Float32Array | Int32Array;

/** An output to write into: its tensor info (what the kernel returns) and its values, zeroed. */
export interface KernelOutput<V extends Values = Float32Array> {
  readonly info: tf.TensorInfo;
  readonly values: V;
}

export type OutputDtype = 'float32' | 'int32';

/** What a kernel needs of a backend: read an input's values, make zeroed outputs to write. */
export interface Buffers {
  /** An input's values (on wasm a view into the heap: read inputs after making the outputs, since allocating may grow the heap). */
  read<T extends Values = Values>(t: tf.TensorInfo): T;
  /** One float32 output. */
  output(shape: number[]): KernelOutput;
  /** Several float32 outputs, all allocated before any view is taken (a later allocation would detach an earlier view on wasm). */
  outputs(...shapes: number[][]): KernelOutput[];
  /** As outputs, each of its own dtype. */
  typedOutputs(...specs: { shape: number[]; dtype: OutputDtype }[]): KernelOutput<Values>[];
}

/** The backends a buffer kernel runs on. */
export const BUFFER_BACKENDS = ['cpu', 'wasm'] as const;
export type BufferBackend = (typeof BUFFER_BACKENDS)[number];

interface CpuLike {
  data: { get(id: tf.DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Values): tf.TensorInfo;
}
interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

const size = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);

export function buffersOf(backendName: BufferBackend, backend: unknown): Buffers {
  let typedOutputs: Buffers['typedOutputs'];
  let read: Buffers['read'];
  if (backendName === 'wasm') {
    const b = backend as WasmLike;
    typedOutputs = (...specs) => {
      const infos = specs.map((s) => b.makeOutput(s.shape, s.dtype));
      // Heap memory is not zeroed.
      return infos.map((info) => ({ info, values: (b.typedArrayFromHeap(info) as Values).fill(0) }));
    };
    read = <T extends Values>(t: tf.TensorInfo) => b.typedArrayFromHeap(t) as T;
  } else {
    const b = backend as CpuLike;
    typedOutputs = (...specs) =>
      specs.map((s) => {
        const values = s.dtype === 'int32' ? new Int32Array(size(s.shape)) : new Float32Array(size(s.shape));
        return { info: b.makeTensorInfo(s.shape, s.dtype, values), values };
      });
    read = <T extends Values>(t: tf.TensorInfo) => b.data.get(t.dataId).values as T;
  }
  const outputs = (...shapes: number[][]) => typedOutputs(...shapes.map((shape) => ({ shape, dtype: 'float32' as const }))) as KernelOutput[];
  return { read, typedOutputs, outputs, output: (shape) => outputs(shape)[0] as KernelOutput };
}

/** A kernel body over a backend's buffers; `on` for a body with a backend-specific fast path (wasm's XNNPACK). */
export type BufferKernel = (
  inputs: tf.NamedTensorInfoMap,
  b: Buffers,
  attrs: tf.NamedAttrMap,
  on: { readonly name: BufferBackend; readonly backend: unknown },
) => tf.TensorInfo | tf.TensorInfo[];

/** Registers one body as `kernelName` on cpu and wasm, where that backend does not have the kernel yet. */
export function registerBufferKernel(kernelName: string, body: BufferKernel): void {
  for (const backendName of BUFFER_BACKENDS) {
    if (tf.getKernel(kernelName, backendName)) continue;
    tf.registerKernel({ kernelName, backendName, kernelFunc: ({ inputs, backend, attrs }) => body(inputs, buffersOf(backendName, backend), attrs ?? {}, { name: backendName, backend }) });
  }
}
