/**
 * Gathered matmul: y[i] = x[i] . W[idx[i]], one weight matrix per row chosen
 * by an index (the idea of DGL's gather_mm and PyG's segment_matmul). The
 * plain-tfjs form gathers whole P x Q matrices per row (tf.gather: 25-30 ns
 * per element on wasm); the registered cpu and wasm kernels read W in place.
 * Gradients: dx[i] = dy[i] . W[idx[i]]^T; dW[a] = sum_{idx[i]=a} x[i]^T dy[i].
 * webgpu runs the WGSL programs of gathered-matmul-webgpu.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { GATHERED_MATMUL_GRAD_W_KERNEL as GRAD_W, GATHERED_MATMUL_GRAD_X_KERNEL as GRAD_X, GATHERED_MATMUL_KERNEL as FORWARD } from './gathered-matmul-names';
import './gathered-matmul-webgpu';
import { BUFFER_BACKENDS, registerBufferKernel, type Values } from './kernel-buffers';

/** webgpu: the WGSL programs (default) or the plain-tfjs formulation (the browser check compares both). */
let kernelsOnWebgpu = true;
export function setGatheredMatMulWebgpu(on: boolean): void {
  kernelsOnWebgpu = on;
}

/** wasm: one XNNPACK matmul per weight matrix (default) or the JS loops (tests compare both). */
let groupedOnWasm = true;
export function setGatheredMatMulWasmGrouping(on: boolean): void {
  groupedOnWasm = on;
}

interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): unknown;
  disposeData(dataId: tf.DataId): boolean;
}

/** y [N, Q] += x [N, P] . W[idx] with W [L, P, Q]; zero inputs (relu states, zero gates) skip their row of W. */
function forwardLoop(x: Values, w: Values, idx: Values, y: Float32Array, N: number, P: number, Q: number): void {
  for (let i = 0; i < N; i++) {
    const base = (idx[i] as number) * P * Q;
    const yo = i * Q;
    for (let k = 0; k < P; k++) {
      const xv = x[i * P + k] as number;
      if (xv === 0) continue;
      const wo = base + k * Q;
      for (let j = 0; j < Q; j++) y[yo + j] = (y[yo + j] as number) + xv * (w[wo + j] as number);
    }
  }
}

/** dx [N, P] = dy [N, Q] . W[idx]^T: contiguous dot products over Q. */
function gradXLoop(dy: Values, w: Values, idx: Values, dx: Float32Array, N: number, P: number, Q: number): void {
  for (let i = 0; i < N; i++) {
    const base = (idx[i] as number) * P * Q;
    const yo = i * Q;
    for (let k = 0; k < P; k++) {
      const wo = base + k * Q;
      let s = 0;
      for (let j = 0; j < Q; j++) s += (dy[yo + j] as number) * (w[wo + j] as number);
      dx[i * P + k] = s;
    }
  }
}

/** dW [L, P, Q] += x[i]^T dy[i] at W[idx[i]]. */
function gradWLoop(x: Values, dy: Values, idx: Values, dw: Float32Array, N: number, P: number, Q: number): void {
  for (let i = 0; i < N; i++) {
    const base = (idx[i] as number) * P * Q;
    const yo = i * Q;
    for (let k = 0; k < P; k++) {
      const xv = x[i * P + k] as number;
      if (xv === 0) continue;
      const wo = base + k * Q;
      for (let j = 0; j < Q; j++) dw[wo + j] = (dw[wo + j] as number) + xv * (dy[yo + j] as number);
    }
  }
}

/** Rows per weight matrix, in first-use order: [matrix, rows] pairs. */
function groupRows(idx: Values, N: number): [number, number[]][] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < N; i++) {
    const a = idx[i] as number;
    const g = groups.get(a);
    if (g) g.push(i);
    else groups.set(a, [i]);
  }
  return [...groups];
}

/**
 * The wasm kernels as one batch-1, untransposed [n, P'] x [P', Q'] matmul per
 * weight matrix used (the form tfjs-wasm sends to XNNPACK; its other matmuls
 * run a scalar loop): `a` and `b` fill the operands, `done` takes the product.
 * Every allocation may grow the heap, so views are taken afresh after each.
 */
function wasmGroupedMatMul(
  backend: WasmBackend,
  groups: [number, number[]][],
  shapeA: (n: number) => [number, number],
  shapeB: [number, number],
  fillA: (into: Float32Array, a: number, rows: number[]) => void,
  fillB: (into: Float32Array, a: number) => void,
  done: (product: Float32Array, a: number, rows: number[]) => void,
): void {
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  if (!matMul) throw new Error('the wasm backend has no BatchMatMul kernel');
  for (const [a, rows] of groups) {
    const ta = backend.makeOutput([1, ...shapeA(rows.length)], 'float32');
    const tb = backend.makeOutput([1, ...shapeB], 'float32');
    fillA(backend.typedArrayFromHeap(ta) as Float32Array, a, rows);
    fillB(backend.typedArrayFromHeap(tb) as Float32Array, a);
    const out = matMul.kernelFunc({ inputs: { a: ta, b: tb }, backend: backend, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;
    done(backend.typedArrayFromHeap(out) as Float32Array, a, rows);
    backend.disposeData(ta.dataId);
    backend.disposeData(tb.dataId);
    backend.disposeData(out.dataId);
  }
}

/**
 * Rows of width m between a packed block (row k) and a full matrix (row rows[k]):
 * 'pack' copies the matrix's rows into the block, 'unpack' the block's rows into the matrix.
 */
function moveRows(packed: Values, full: Values, rows: readonly number[], m: number, dir: 'pack' | 'unpack'): void {
  rows.forEach((r, k) => {
    if (dir === 'pack') packed.set(full.subarray(r * m, (r + 1) * m), k * m);
    else full.set(packed.subarray(k * m, (k + 1) * m), r * m);
  });
}

/** Reads a tensor's current heap view (valid until the next allocation). */
function heap(backend: WasmBackend, t: tf.TensorInfo): Values {
  return backend.typedArrayFromHeap(t) as Values;
}

function wasmForward(b: WasmBackend, x: tf.TensorInfo, w: tf.TensorInfo, idx: tf.TensorInfo): tf.TensorInfo {
  const [N, P] = x.shape as [number, number];
  const Q = w.shape[2] as number;
  const y = b.makeOutput([N, Q], 'float32');
  const groups = groupRows(Int32Array.from(heap(b, idx)), N);
  wasmGroupedMatMul(
    b,
    groups,
    (n) => [n, P],
    [P, Q],
    (into, _a, rows) => moveRows(into, heap(b, x), rows, P, 'pack'),
    (into, a) => into.set(heap(b, w).subarray(a * P * Q, (a + 1) * P * Q)),
    (prod, _a, rows) => moveRows(prod, heap(b, y), rows, Q, 'unpack'),
  );
  return y;
}

function wasmGradX(b: WasmBackend, dy: tf.TensorInfo, w: tf.TensorInfo, idx: tf.TensorInfo, wT: tf.TensorInfo | undefined): tf.TensorInfo {
  const [N, Q] = dy.shape as [number, number];
  const P = w.shape[1] as number;
  const dx = b.makeOutput([N, P], 'float32');
  const groups = groupRows(Int32Array.from(heap(b, idx)), N);
  wasmGroupedMatMul(
    b,
    groups,
    (n) => [n, Q],
    [Q, P],
    (into, _a, rows) => moveRows(into, heap(b, dy), rows, Q, 'pack'),
    (into, a) => {
      if (wT) return into.set(heap(b, wT).subarray(a * P * Q, (a + 1) * P * Q));
      // W[a]^T, written while copying.
      const ws = heap(b, w);
      const base = a * P * Q;
      for (let k = 0; k < P; k++) for (let j = 0; j < Q; j++) into[j * P + k] = ws[base + k * Q + j] as number;
    },
    (prod, _a, rows) => moveRows(prod, heap(b, dx), rows, P, 'unpack'),
  );
  return dx;
}

function wasmGradW(b: WasmBackend, x: tf.TensorInfo, dy: tf.TensorInfo, idx: tf.TensorInfo, count: number): tf.TensorInfo {
  const [N, P] = x.shape as [number, number];
  const Q = dy.shape[1] as number;
  const dw = b.makeOutput([count, P, Q], 'float32');
  (heap(b, dw) as Float32Array).fill(0);
  const groups = groupRows(Int32Array.from(heap(b, idx)), N);
  for (const [a, rows] of groups) {
    const n = rows.length;
    wasmGroupedMatMul(
      b,
      [[a, rows]],
      () => [P, n],
      [n, Q],
      (into) => {
        // x_g^T, written while copying.
        const xs = heap(b, x);
        rows.forEach((r, k) => {
          for (let c = 0; c < P; c++) into[c * n + k] = xs[r * P + c] as number;
        });
      },
      (into) => moveRows(into, heap(b, dy), rows, Q, 'pack'),
      (prod) => (heap(b, dw) as Float32Array).set(prod, a * P * Q),
    );
  }
  return dw;
}

registerBufferKernel(FORWARD, (inputs, b, _attrs, on) => {
  const { x, w, idx } = inputs as { x: tf.TensorInfo; w: tf.TensorInfo; idx: tf.TensorInfo };
  if (on.name === 'wasm' && groupedOnWasm) return wasmForward(on.backend as WasmBackend, x, w, idx);
  const [N, P] = x.shape as [number, number];
  const Q = w.shape[2] as number;
  const out = b.output([N, Q]);
  forwardLoop(b.read(x), b.read(w), b.read(idx), out.values, N, P, Q);
  return out.info;
});
registerBufferKernel(GRAD_X, (inputs, b, _attrs, on) => {
  const { dy, w, idx, wT } = inputs as { dy: tf.TensorInfo; w: tf.TensorInfo; idx: tf.TensorInfo; wT?: tf.TensorInfo };
  if (on.name === 'wasm' && groupedOnWasm) return wasmGradX(on.backend as WasmBackend, dy, w, idx, wT);
  const [N, Q] = dy.shape as [number, number];
  const P = w.shape[1] as number;
  const out = b.output([N, P]);
  gradXLoop(b.read(dy), b.read(w), b.read(idx), out.values, N, P, Q);
  return out.info;
});
registerBufferKernel(GRAD_W, (inputs, b, attrs, on) => {
  const { x, dy, idx } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo; idx: tf.TensorInfo };
  const { rows } = attrs as { rows: number };
  if (on.name === 'wasm' && groupedOnWasm) return wasmGradW(on.backend as WasmBackend, x, dy, idx, rows);
  const [N, P] = x.shape as [number, number];
  const Q = dy.shape[1] as number;
  const out = b.output([rows, P, Q]);
  gradWLoop(b.read(x), b.read(dy), b.read(idx), out.values, N, P, Q);
  return out.info;
});

/** Whether the current backend runs the registered kernels (else the plain-tfjs formulation). */
export function gatheredMatMulKernelActive(): boolean {
  const name = tf.getBackend();
  return (BUFFER_BACKENDS as readonly string[]).includes(name) || (name === 'webgpu' && kernelsOnWebgpu);
}

function run<T extends tf.Tensor>(name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): T {
  return tf.engine().runKernel<T>(name, inputs, attrs);
}

/** Plain-tfjs forward: one [1, P] x [P, Q] matmul per row against gathered matrices. */
export function gatheredMatMulReference(x: tf.Tensor2D, w: tf.Tensor3D, idx: tf.Tensor1D): tf.Tensor2D {
  const [N, P] = x.shape;
  return tf.reshape(tf.matMul(tf.reshape(x, [N, 1, P]), tf.gather(w, idx)), [N, w.shape[2]]);
}

function forward(x: tf.Tensor2D, w: tf.Tensor3D, idx: tf.Tensor1D): tf.Tensor2D {
  return gatheredMatMulKernelActive() ? run<tf.Tensor2D>(FORWARD, { x, w, idx }) : gatheredMatMulReference(x, w, idx);
}

function gradX(dy: tf.Tensor2D, w: tf.Tensor3D, idx: tf.Tensor1D, wT: tf.Tensor3D | undefined): tf.Tensor2D {
  if (gatheredMatMulKernelActive()) return run<tf.Tensor2D>(GRAD_X, wT ? { dy, w, idx, wT } : { dy, w, idx });
  const [N, Q] = dy.shape;
  return tf.reshape(tf.matMul(tf.reshape(dy, [N, 1, Q]), tf.gather(w, idx), false, true), [N, w.shape[1]]);
}

function gradW(x: tf.Tensor2D, dy: tf.Tensor2D, idx: tf.Tensor1D, rows: number): tf.Tensor3D {
  if (gatheredMatMulKernelActive()) return run<tf.Tensor3D>(GRAD_W, { x, dy, idx }, { rows });
  const [N, P] = x.shape;
  const Q = dy.shape[1];
  const outer = tf.matMul(tf.reshape(x, [N, P, 1]), tf.reshape(dy, [N, 1, Q]));
  return tf.scatterND(tf.reshape(idx, [N, 1]), outer, [rows, P, Q]);
}

/**
 * y [N, Q] with y[i] = x[i] . w[idx[i]]; x [N, P], w [L, P, Q], idx [N] int32
 * (not differentiated). Trains on every backend. `wT` (w transposed to
 * [L, Q, P], made once by a caller that runs many ticks on the same w) spares
 * the wasm input gradient a transposing copy per matrix.
 */
export function gatheredMatMul(x: tf.Tensor2D, w: tf.Tensor3D, idx: tf.Tensor1D, wT?: tf.Tensor3D): tf.Tensor2D {
  const rows = w.shape[0];
  const f = tf.customGrad((xv, wv, save) => {
    // idx is often a per-tick intermediate: saved so it outlives the forward scope.
    (save as tf.GradSaveFunc)([xv as tf.Tensor2D, wv as tf.Tensor3D, idx, ...(wT ? [wT] : [])]);
    return {
      value: forward(xv as tf.Tensor2D, wv as tf.Tensor3D, idx),
      gradFunc: (dy, saved) => {
        const [sx, sw, si, sT] = saved as [tf.Tensor2D, tf.Tensor3D, tf.Tensor1D, tf.Tensor3D | undefined];
        return [gradX(dy as tf.Tensor2D, sw, si, sT), gradW(sx, dy as tf.Tensor2D, si, rows)];
      },
    };
  });
  return f(x, w) as tf.Tensor2D;
}

let tapsOn = true;
/** Off: a tap's calls are per-call gathered matmuls, each with its own dense dW (the bench times both side by side). */
export function setGatheredMatMulTaps(on: boolean): void {
  tapsOn = on;
}

/** Gathered matmuls on one weight tensor whose weight gradient is summed once (see gatheredMatMulTap). */
export interface GatheredMatMulTap {
  /** gatheredMatMul(x, w, idx) with the tap's w. */
  matMul(x: tf.Tensor2D, idx: tf.Tensor1D): tf.Tensor2D;
}

/**
 * One weight gradient for many gathered matmuls on the same `w` (an unroll's
 * ticks): rather than one dense [L, P, Q] dW per call, summed by the tape with
 * an [L, P, Q] add each, every call's gradient stashes its (x, dy, idx) rows,
 * and the tap, an op on `w` made before all calls and so reached last by the
 * backward pass, makes dW from all rows with one gradW. The calls take the
 * tap's scalar output as an input so the tape links them to it.
 *
 * The stash holds only tensors the backward pass keeps to its end (saved
 * inputs, the dy's, tensors made in the gradient functions), so a step that
 * throws leaves nothing behind. The calls read `w` in their backward pass
 * from here: `w` must outlive the gradient scope, so the tap applies to a
 * tf.Variable; any other tensor gets the plain per-call gatheredMatMul.
 */
export function gatheredMatMulTap(w: tf.Tensor3D): GatheredMatMulTap {
  if (!tapsOn) {
    // The per-call form as it was before taps: W transposed once per unroll for wasm's input gradient.
    const wT = tf.getBackend() === 'wasm' && gatheredMatMulKernelActive() ? tf.transpose(w, [0, 2, 1]) : undefined;
    return { matMul: (x, idx) => gatheredMatMul(x, w, idx, wT) };
  }
  if (!(w instanceof tf.Variable)) return { matMul: (x, idx) => gatheredMatMul(x, w, idx) };
  const stash: { x: tf.Tensor2D; dy: tf.Tensor2D; idx: tf.Tensor1D }[] = [];
  // wasm's input gradient reads W transposed: made by the first backward call, freed with the backward scope.
  let wT: tf.Tensor3D | undefined;
  const token = tf.customGrad((wv) => ({
    value: tf.zeros([]),
    gradFunc: () => {
      const rows = stash.splice(0);
      wT = undefined;
      if (rows.length === 0) return tf.zerosLike(wv as tf.Tensor3D);
      const cat = <T extends tf.Tensor>(ts: T[]): T => (ts.length === 1 ? (ts[0] as T) : tf.concat<T>(ts));
      return gradW(cat(rows.map((r) => r.x)), cat(rows.map((r) => r.dy)), cat(rows.map((r) => r.idx)), w.shape[0]);
    },
  }))(w);
  return {
    matMul: (x, idx) =>
      tf.customGrad((xv, _token, save) => {
        // idx is often a per-tick intermediate: saved so it outlives the forward scope.
        (save as tf.GradSaveFunc)([xv as tf.Tensor2D, idx]);
        return {
          value: forward(xv as tf.Tensor2D, w, idx),
          gradFunc: (dy, saved) => {
            const [sx, si] = saved as [tf.Tensor2D, tf.Tensor1D];
            if (!wT && tf.getBackend() === 'wasm' && groupedOnWasm && gatheredMatMulKernelActive()) wT = tf.transpose(w, [0, 2, 1]);
            stash.push({ x: sx, dy: dy as tf.Tensor2D, idx: si });
            return [gradX(dy as tf.Tensor2D, w, si, wT), tf.zeros([])];
          },
        };
      })(x, token) as tf.Tensor2D,
  };
}
