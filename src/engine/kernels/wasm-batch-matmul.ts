/**
 * Replacement BatchMatMul / _FusedMatMul kernels for the tfjs wasm backend.
 *
 * tfjs-wasm sends only batch-1, untransposed products to XNNPACK (~36 GFLOP/s on
 * one core here); batched or transposed ones, so every matmul gradient, run a
 * scalar loop (~2.6 GFLOP/s). These kernels transpose operands explicitly (the
 * wasm Transpose kernel is fast), fold the batch into M when `b` is shared, and
 * otherwise issue one 2-D XNNPACK product per batch entry on views into the heap
 * (no Slice copies). b's transposed copy and per-entry views are kept until b's
 * data is freed, so XNNPACK packs a weight used over many ticks once (packing is
 * most of the cost of a fresh per-entry product). Anything else goes to the original kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';

/** The parts of tfjs-wasm's BackendWasm these kernels use. */
interface WasmBackendLike {
  wasm: {
    cwrap: (name: string, ret: null, args: string[]) => (...a: unknown[]) => void;
    tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
  };
  dataIdMap: {
    get(dataId: object): { id: number; memoryOffset: number } | undefined;
    delete(dataId: object): void;
  };
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: unknown;
  attrs?: NamedAttrMap;
}

/** Below this many multiply-adds per batch entry the per-call overhead (~µs) beats the scalar loop's cost. */
export const MIN_ENTRY_MACS = 2048;

type MatMulFn = (aId: number, aShape: Uint8Array, aRank: number, bId: number, bShape: Uint8Array, bRank: number, tA: boolean, tB: boolean, outId: number) => void;

const cwrapped = new WeakMap<object, MatMulFn>();

function matMulFn(backend: WasmBackendLike): MatMulFn {
  let f = cwrapped.get(backend);
  if (!f) {
    f = backend.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
    cwrapped.set(backend, f);
  }
  return f;
}

function shapeBytes(shape: readonly number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

function idOf(backend: WasmBackendLike, t: TensorInfo): number {
  const d = backend.dataIdMap.get(t.dataId);
  if (!d) throw new Error('wasm tensor data not found');
  return d.id;
}

function offsetOf(backend: WasmBackendLike, t: TensorInfo): number {
  const d = backend.dataIdMap.get(t.dataId);
  if (!d) throw new Error('wasm tensor data not found');
  return d.memoryOffset;
}

/** A C++ tensor id over `shape` floats at heap `offset`, outside dataIdMap; release with `dropView` (never frees the memory). */
function view(backend: WasmBackendLike, offset: number, shape: number[]): number {
  const info = backend.makeOutput(shape, 'float32', offset);
  const id = idOf(backend, info);
  backend.dataIdMap.delete(info.dataId);
  return id;
}

function dropView(backend: WasmBackendLike, id: number): void {
  // tfjs.disposeData also drops the XNNPACK operators cached for this id.
  backend.wasm.tfjs.disposeData(id);
}

/**
 * What is derived from one right operand and lives as long as its data: its
 * untransposed copy, and per-entry views (XNNPACK caches an operator with packed
 * weights per view id, so a weight reused over ticks is packed once).
 */
interface Derived {
  transposed: Map<string, TensorInfo>;
  views: Map<string, number[]>;
}

const derivedByBackend = new WeakMap<object, Map<object, Derived>>();

/** The cache for `backend`; its disposeData is wrapped once so freeing a tensor's data releases what was derived from it. */
function derivedCache(backend: WasmBackendLike): Map<object, Derived> {
  const cache = derivedByBackend.get(backend);
  if (cache) return cache;
  const map = new Map<object, Derived>();
  derivedByBackend.set(backend, map);
  const dispose = backend.disposeData.bind(backend);
  backend.disposeData = (dataId: object, force?: boolean): boolean => {
    const freed = dispose(dataId, force);
    const d = freed ? map.get(dataId) : undefined;
    if (d) {
      map.delete(dataId);
      for (const ids of d.views.values()) for (const id of ids) dropView(backend, id);
      for (const t of d.transposed.values()) backend.disposeData(t.dataId);
    }
    return freed;
  };
  return map;
}

function derivedOf(backend: WasmBackendLike, t: TensorInfo): Derived {
  const cache = derivedCache(backend);
  let d = cache.get(t.dataId);
  if (!d) {
    d = { transposed: new Map(), views: new Map() };
    cache.set(t.dataId, d);
  }
  return d;
}

/** `b` [batch, rows, cols] transposed to [batch, cols, rows], made once per b. */
function cachedTranspose(backend: WasmBackendLike, b: TensorInfo, batch: number, rows: number, cols: number): TensorInfo {
  const d = derivedOf(backend, b);
  const key = `${batch}x${rows}x${cols}`;
  let t = d.transposed.get(key);
  if (!t) {
    t = transposeLast2(backend, b, batch, rows, cols);
    d.transposed.set(key, t);
  }
  return t;
}

/** Per-entry [1, K, N] view ids of a contiguous b [batch, K, N], made once per b. */
function entryViews(backend: WasmBackendLike, b: TensorInfo, batch: number, K: number, N: number): number[] {
  const d = derivedOf(backend, b);
  const key = `${batch}x${K}x${N}`;
  let ids = d.views.get(key);
  if (!ids) {
    const off = offsetOf(backend, b);
    ids = Array.from({ length: batch }, (_, i) => view(backend, off + i * K * N * 4, [1, K, N]));
    d.views.set(key, ids);
  }
  return ids;
}

/** [batch, rows, cols] -> [batch, cols, rows] with the wasm Transpose kernel. */
function transposeLast2(backend: WasmBackendLike, t: TensorInfo, batch: number, rows: number, cols: number): TensorInfo {
  const kernel = tf.getKernel('Transpose', 'wasm');
  if (!kernel) throw new Error('wasm Transpose kernel missing');
  const x: TensorInfo = { dataId: t.dataId, shape: [batch, rows, cols], dtype: t.dtype };
  return kernel.kernelFunc({ inputs: { x }, backend: backend, attrs: { perm: [0, 2, 1] } }) as TensorInfo;
}

interface Plan {
  batchA: number;
  batchB: number;
  M: number;
  K: number;
  N: number;
  outShape: number[];
}

/** Sizes of a (possibly transposed, batched) product, or null where the kernel should defer to tfjs. */
function plan(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): Plan | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const M = (transposeA ? a.shape[ra - 1] : a.shape[ra - 2]) as number;
  const K = (transposeA ? a.shape[ra - 2] : a.shape[ra - 1]) as number;
  const Kb = (transposeB ? b.shape[rb - 1] : b.shape[rb - 2]) as number;
  const N = (transposeB ? b.shape[rb - 2] : b.shape[rb - 1]) as number;
  if (K !== Kb) return null; // the original kernel throws tfjs's own message
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = tf.util.sizeFromShape(outerA);
  const batchB = tf.util.sizeFromShape(outerB);
  // Only same-size or size-1 batches; other broadcasts keep tfjs's own indexing.
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  return { batchA, batchB, M, K, N, outShape: [...outer, M, N] };
}

/** The product with both operands untransposed and contiguous: a [batchA, M, K], b [batchB, K, N]. */
function multiply(backend: WasmBackendLike, a: TensorInfo, b: TensorInfo, p: Plan): TensorInfo {
  const { batchA, batchB, M, K, N } = p;
  const batch = Math.max(batchA, batchB);
  const mm = matMulFn(backend);
  const out = backend.makeOutput([batch, M, N], 'float32');
  if (batchB === 1) {
    // A shared b: the batch folds into M, one XNNPACK call.
    mm(idOf(backend, a), shapeBytes([1, batchA * M, K]), 3, idOf(backend, b), shapeBytes([1, K, N]), 3, false, false, idOf(backend, out));
    return out;
  }
  const aOff = offsetOf(backend, a);
  const oOff = offsetOf(backend, out);
  const aShape = shapeBytes([1, M, K]);
  const bShape = shapeBytes([1, K, N]);
  const bViews = entryViews(backend, b, batch, K, N);
  const shared = batchA === 1 ? view(backend, aOff, [1, M, K]) : null;
  for (let i = 0; i < batch; i++) {
    const av = shared ?? view(backend, aOff + i * M * K * 4, [1, M, K]);
    const ov = view(backend, oOff + i * M * N * 4, [1, M, N]);
    mm(av, aShape, 3, bViews[i] as number, bShape, 3, false, false, ov);
    if (shared === null) dropView(backend, av);
    dropView(backend, ov);
  }
  if (shared !== null) dropView(backend, shared);
  return out;
}

/** Whether the original kernel already takes the fast path, or the product is too small per entry to gain. */
function originalIsFine(p: Plan, transposeA: boolean, transposeB: boolean): boolean {
  const batch = Math.max(p.batchA, p.batchB);
  if (batch === 1 && !transposeA && !transposeB) return true;
  return p.batchB !== 1 && p.M * p.K * p.N < MIN_ENTRY_MACS;
}

/** Runs `body` on untransposed operands: a fresh copy of a (disposed after), b's cached copy. */
function withUntransposed<T>(backend: WasmBackendLike, a: TensorInfo, b: TensorInfo, p: Plan, transposeA: boolean, transposeB: boolean, body: (a: TensorInfo, b: TensorInfo) => T): T {
  const at = transposeA ? transposeLast2(backend, a, p.batchA, p.K, p.M) : a;
  const bt = transposeB ? cachedTranspose(backend, b, p.batchB, p.N, p.K) : b;
  try {
    return body(at, bt);
  } finally {
    if (at !== a) backend.disposeData(at.dataId);
  }
}

export function makeFastBatchMatMul(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const { a, b } = args.inputs;
    const transposeA = args.attrs?.['transposeA'] === true;
    const transposeB = args.attrs?.['transposeB'] === true;
    const p = a && b ? plan(a, b, transposeA, transposeB) : null;
    if (!a || !b || !p || originalIsFine(p, transposeA, transposeB)) return original.kernelFunc(args as never) as TensorInfo;
    const backend = args.backend as WasmBackendLike;
    const out = withUntransposed(backend, a, b, p, transposeA, transposeB, (at, bt) => multiply(backend, at, bt, p));
    return { dataId: out.dataId, shape: p.outShape, dtype: 'float32' };
  };
  return withSetup(original, kernelFunc);
}

/** Runs the wasm kernel `name` and disposes `consumed` (an intermediate it replaces). */
function step(backend: WasmBackendLike, name: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap, consumed: TensorInfo): TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`wasm ${name} kernel missing`);
  const out = kernel.kernelFunc({ inputs, backend: backend, attrs }) as TensorInfo;
  backend.disposeData(consumed.dataId);
  return out;
}

/** bias + activation on a fresh product `y`, with the unfused wasm kernels. */
function epilogue(backend: WasmBackendLike, y: TensorInfo, inputs: KernelArgs['inputs'], attrs: NamedAttrMap | undefined): TensorInfo {
  const { bias, preluActivationWeights } = inputs;
  let out = bias ? step(backend, 'Add', { a: y, b: bias }, {}, y) : y;
  const activation = String(attrs?.['activation'] ?? 'linear');
  switch (activation) {
    case 'linear':
      return out;
    case 'relu':
      return step(backend, 'Relu', { x: out }, {}, out);
    case 'relu6':
      return step(backend, 'Relu6', { x: out }, {}, out);
    case 'elu':
      return step(backend, 'Elu', { x: out }, {}, out);
    case 'sigmoid':
      return step(backend, 'Sigmoid', { x: out }, {}, out);
    case 'leakyrelu':
      return step(backend, 'LeakyRelu', { x: out }, { alpha: Number(attrs?.['leakyreluAlpha'] ?? 0.2) }, out);
    case 'prelu':
      if (!preluActivationWeights) throw new Error('prelu activation without weights');
      out = step(backend, 'Prelu', { x: out, alpha: preluActivationWeights }, {}, out);
      return out;
    default:
      backend.disposeData(out.dataId);
      throw new Error(`${activation} activation not supported by the fused matMul`);
  }
}

/**
 * _FusedMatMul (matmul + bias + activation, used by tf.layers). tfjs-wasm 4.22's own
 * kernel is right only for batch-1 untransposed products (it gets transposeB and a
 * batched b wrong). Transposes are made explicit; a shared b folds the batch into M
 * and takes the original's XNNPACK path; a batched b runs the product above and then
 * the bias and activation kernels.
 */
export function makeFastFusedMatMul(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const { a, b, bias, preluActivationWeights } = args.inputs;
    const transposeA = args.attrs?.['transposeA'] === true;
    const transposeB = args.attrs?.['transposeB'] === true;
    const p = a && b ? plan(a, b, transposeA, transposeB) : null;
    if (!a || !b || !p || (p.batchA === 1 && p.batchB === 1 && !transposeA && !transposeB)) return original.kernelFunc(args as never) as TensorInfo;
    const backend = args.backend as WasmBackendLike;
    const foldable = p.batchB === 1 && (!bias || bias.shape.length === 1) && (!preluActivationWeights || tf.util.sizeFromShape(preluActivationWeights.shape) <= 1);
    const out = withUntransposed(backend, a, b, p, transposeA, transposeB, (at, bt) => {
      if (!foldable) return epilogue(backend, multiply(backend, at, bt, p), args.inputs, args.attrs);
      const a2: TensorInfo = { dataId: at.dataId, shape: [1, p.batchA * p.M, p.K], dtype: 'float32' };
      const b2: TensorInfo = { dataId: bt.dataId, shape: [1, p.K, p.N], dtype: 'float32' };
      const attrs = { ...args.attrs, transposeA: false, transposeB: false };
      return original.kernelFunc({ ...args, inputs: { ...args.inputs, a: a2, b: b2 }, attrs } as never) as TensorInfo;
    });
    return { dataId: out.dataId, shape: p.outShape, dtype: 'float32' };
  };
  return withSetup(original, kernelFunc);
}

/** The replacement keeps the original's setup (it initialises the original's cwrapped function). */
function withSetup(original: KernelConfig, kernelFunc: KernelFunc): KernelConfig {
  const config: KernelConfig = { kernelName: original.kernelName, backendName: original.backendName, kernelFunc };
  if (original.setupFunc) config.setupFunc = original.setupFunc;
  return config;
}
