/**
 * Sparse message passing over an edge list, so a loopy network's tick costs what its edges cost:
 *   y[a, b, :] = sum_{e: dst(e) = a} h[src(e), b, :] W_e      (h [N, B, H], W [E, H, H], y [N, B, H])
 * Edges are kept in CSR order by destination (rowPtr [N+1]); the backward is
 *   dh[s, b, :] = sum_{e: src(e) = s} dy[dst(e), b, :] W_e^T,   dW_e = sum_b h[src(e), b, :]^T dy[dst(e), b, :].
 * Registered kernels: JS loops over the backend's buffers on cpu and wasm (one pass over the edges each way);
 * every other backend gets the plain-tfjs formulation (gather, batched matmul, segment sum), which is also
 * the reference the kernels are tested against.
 */
import * as tf from '@tensorflow/tfjs';
import { registerBufferKernel, type Buffers, type KernelOutput } from './kernel-buffers';

export const EDGE_SPMM_KERNEL = 'LoopyEdgeSpmm';
export const EDGE_SPMM_GRAD_KERNEL = 'LoopyEdgeSpmmGrad';
/** Fused tick: rate = tanh(A_W h + extra), one pass (tfjs-wasm's tanh alone costs about what the SpMM does). */
export const EDGE_TANH_KERNEL = 'LoopyEdgeTanh';
/** Its backward from the rate: [dh, dW, dpre], dpre = drate (1 - rate^2) (the gradient of extra). */
export const EDGE_TANH_GRAD_KERNEL = 'LoopyEdgeTanhGrad';

/** An edge list in CSR order by destination, on the host and as int32 tensors (the kernels' inputs). */
export interface EdgeGraph {
  readonly nodes: number;
  readonly edges: number;
  /** [E] source of each edge, edges sorted by destination. */
  readonly src: Int32Array;
  /** [E] destination of each edge (non-decreasing). */
  readonly dst: Int32Array;
  /** [N+1] edges of destination a are rowPtr[a] .. rowPtr[a+1]. */
  readonly rowPtr: Int32Array;
  readonly srcT: tf.Tensor1D;
  readonly dstT: tf.Tensor1D;
  readonly rowPtrT: tf.Tensor1D;
  /** [N*inWidth] edges into each node, padded with E (a zero row): the plain formulation's segment sum. */
  readonly byDstT: tf.Tensor1D;
  readonly inWidth: number;
  /** [N*outWidth] edges out of each node, padded with E: the gradient of the source gather. */
  readonly bySrcT: tf.Tensor1D;
  readonly outWidth: number;
}

/** [N*width] the edges of each key (edge ids in order), padded with E; and the width (most edges of one key, at least 1). */
function edgesByKey(nodes: number, keys: Int32Array): { table: Int32Array; width: number } {
  const count = new Int32Array(nodes);
  keys.forEach((k) => (count[k] = (count[k] as number) + 1));
  const width = Math.max(1, ...count);
  const table = new Int32Array(nodes * width).fill(keys.length);
  const fill = new Int32Array(nodes);
  keys.forEach((k, e) => {
    table[k * width + (fill[k] as number)] = e;
    fill[k] = (fill[k] as number) + 1;
  });
  return { table, width };
}

/**
 * Builds the CSR graph of `nodes` nodes from edges (src[i] -> dst[i]). Edges must already be sorted by
 * destination (stable order is kept, so weight row e belongs to the e-th edge given).
 */
export function createEdgeGraph(nodes: number, src: Int32Array, dst: Int32Array): EdgeGraph {
  const E = src.length;
  if (dst.length !== E) throw new Error(`edge-spmm: ${E} sources but ${dst.length} destinations`);
  const rowPtr = new Int32Array(nodes + 1);
  for (let e = 0; e < E; e++) {
    const a = dst[e] as number;
    const s = src[e] as number;
    if (a < 0 || a >= nodes || s < 0 || s >= nodes) throw new Error(`edge-spmm: edge ${e} (${s} -> ${a}) outside ${nodes} nodes`);
    if (e > 0 && a < (dst[e - 1] as number)) throw new Error('edge-spmm: edges must be sorted by destination');
    rowPtr[a + 1] = (rowPtr[a + 1] as number) + 1;
  }
  for (let a = 0; a < nodes; a++) rowPtr[a + 1] = (rowPtr[a + 1] as number) + (rowPtr[a] as number);
  const byDst = edgesByKey(nodes, dst);
  const bySrc = edgesByKey(nodes, src);
  return {
    nodes,
    edges: E,
    src: src.slice(),
    dst: dst.slice(),
    rowPtr,
    srcT: tf.tensor1d(src, 'int32'),
    dstT: tf.tensor1d(dst, 'int32'),
    rowPtrT: tf.tensor1d(rowPtr, 'int32'),
    byDstT: tf.tensor1d(byDst.table, 'int32'),
    inWidth: byDst.width,
    bySrcT: tf.tensor1d(bySrc.table, 'int32'),
    outWidth: bySrc.width,
  };
}

export function disposeEdgeGraph(g: EdgeGraph): void {
  tf.dispose([g.srcT, g.dstT, g.rowPtrT, g.byDstT, g.bySrcT]);
}

/**
 * Rows `index` of x [R, M], with the gradient summed back through `reverse` [R*width] (rows of dy per row of x,
 * padded with a zero row): tf.gather's own gradient is a segment sum, which tfjs-wasm does not have.
 */
function referenceGatherRows(x: tf.Tensor2D, index: tf.Tensor1D, reverse: tf.Tensor1D, width: number): tf.Tensor2D {
  const f = tf.customGrad((v) => ({
    value: tf.gather(v as tf.Tensor2D, index),
    gradFunc: (dy) => {
      const [R, M] = (v as tf.Tensor2D).shape;
      const padded = tf.concat([dy as tf.Tensor2D, tf.zeros([1, M])]);
      return tf.sum(tf.reshape(tf.gather(padded, reverse), [R, width, M]), 1);
    },
  }));
  return f(x) as tf.Tensor2D;
}

/**
 * The plain-tfjs formulation: gather the sources, one small matmul per edge (batched), sum by destination
 * (a gather of the padded edges into each node, summed: the transpose of the gather by destination).
 */
export function edgeSpmmReference(g: EdgeGraph, h: tf.Tensor3D, w: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const [N, B, H] = h.shape;
    const rows = tf.reshape(referenceGatherRows(tf.reshape(h, [N, B * H]), g.srcT, g.bySrcT, g.outWidth), [g.edges, B, H]);
    const msg = tf.reshape(H === 1 ? tf.mul(rows, tf.reshape(w, [g.edges, 1, 1])) : tf.matMul(rows, w), [g.edges, B * H]);
    const segmentSum = tf.customGrad((m) => ({
      value: tf.sum(tf.reshape(tf.gather(tf.concat([m as tf.Tensor2D, tf.zeros([1, B * H])]), g.byDstT), [N, g.inWidth, B * H]), 1),
      gradFunc: (dy) => tf.gather(dy as tf.Tensor2D, g.dstT),
    }));
    return tf.reshape(segmentSum(msg), [N, B, H]) as tf.Tensor3D;
  });
}

// ---- the loops, shared by cpu and wasm: plain typed arrays in, typed arrays out (outputs zeroed by the caller) ----

function forwardLoop(src: Int32Array, rowPtr: Int32Array, h: Float32Array, w: Float32Array, y: Float32Array, N: number, B: number, H: number): void {
  const BH = B * H;
  const HH = H * H;
  if (H === 1) {
    // Lanes four at a time in locals (about 2x over read-modify-write of y on V8), the rest one by one.
    const B4 = B - (B % 4);
    for (let a = 0; a < N; a++) {
      const out = a * B;
      const start = rowPtr[a] as number;
      const end = rowPtr[a + 1] as number;
      for (let b = 0; b < B4; b += 4) {
        let y0 = 0;
        let y1 = 0;
        let y2 = 0;
        let y3 = 0;
        for (let e = start; e < end; e++) {
          const from = (src[e] as number) * B + b;
          const we = w[e] as number;
          y0 += (h[from] as number) * we;
          y1 += (h[from + 1] as number) * we;
          y2 += (h[from + 2] as number) * we;
          y3 += (h[from + 3] as number) * we;
        }
        y[out + b] = y0;
        y[out + b + 1] = y1;
        y[out + b + 2] = y2;
        y[out + b + 3] = y3;
      }
      for (let b = B4; b < B; b++) {
        let acc = 0;
        for (let e = start; e < end; e++) acc += (h[(src[e] as number) * B + b] as number) * (w[e] as number);
        y[out + b] = acc;
      }
    }
    return;
  }
  for (let a = 0; a < N; a++) {
    for (let e = rowPtr[a] as number, end = rowPtr[a + 1] as number; e < end; e++) {
      const from = (src[e] as number) * BH;
      const we = e * HH;
      for (let b = 0; b < B; b++) {
        const hr = from + b * H;
        const yr = a * BH + b * H;
        for (let i = 0; i < H; i++) {
          const hv = h[hr + i] as number;
          if (hv === 0) continue;
          const wr = we + i * H;
          for (let j = 0; j < H; j++) y[yr + j] = (y[yr + j] as number) + hv * (w[wr + j] as number);
        }
      }
    }
  }
}

function backwardLoop(
  src: Int32Array,
  dst: Int32Array,
  h: Float32Array,
  w: Float32Array,
  dy: Float32Array,
  dh: Float32Array,
  dw: Float32Array,
  B: number,
  H: number,
): void {
  const E = src.length;
  const BH = B * H;
  const HH = H * H;
  if (H === 1) {
    for (let e = 0; e < E; e++) {
      const from = (src[e] as number) * B;
      const to = (dst[e] as number) * B;
      const we = w[e] as number;
      let g = 0;
      for (let b = 0; b < B; b++) {
        const d = dy[to + b] as number;
        dh[from + b] = (dh[from + b] as number) + d * we;
        g += (h[from + b] as number) * d;
      }
      dw[e] = g;
    }
    return;
  }
  for (let e = 0; e < E; e++) {
    const from = (src[e] as number) * BH;
    const to = (dst[e] as number) * BH;
    const we = e * HH;
    for (let b = 0; b < B; b++) {
      const hr = from + b * H;
      const dr = to + b * H;
      for (let i = 0; i < H; i++) {
        const wr = we + i * H;
        const hv = h[hr + i] as number;
        let acc = 0;
        for (let j = 0; j < H; j++) {
          const d = dy[dr + j] as number;
          acc += d * (w[wr + j] as number);
          dw[wr + j] = (dw[wr + j] as number) + hv * d;
        }
        dh[hr + i] = (dh[hr + i] as number) + acc;
      }
    }
  }
}

/** y <- tanh(y + extra), in place. */
function tanhLoop(y: Float32Array, extra: Float32Array | null): void {
  if (extra) for (let i = 0; i < y.length; i++) y[i] = Math.tanh((y[i] as number) + (extra[i] as number));
  else for (let i = 0; i < y.length; i++) y[i] = Math.tanh(y[i] as number);
}

/** dpre = drate (1 - rate^2). */
function tanhGradLoop(dy: Float32Array, rate: Float32Array, dpre: Float32Array): void {
  for (let i = 0; i < dy.length; i++) {
    const r = rate[i] as number;
    dpre[i] = (dy[i] as number) * (1 - r * r);
  }
}

// ---- backend glue: one body per kernel, registered on cpu and wasm (kernel-buffers.ts) ----

function inputsOf(inputs: tf.NamedTensorInfoMap, names: readonly string[]): tf.TensorInfo[] {
  return names.map((n) => {
    const t = inputs[n];
    if (!t) throw new Error(`edge-spmm: missing input ${n}`);
    return t;
  });
}

const FWD_INPUTS = ['h', 'w', 'src', 'rowPtr'] as const;
const GRAD_INPUTS = ['dy', 'h', 'w', 'src', 'dst'] as const;
const TANH_GRAD_INPUTS = ['dy', 'rate', 'h', 'w', 'src', 'dst'] as const;

/** y = A_W h into a zeroed [N, B, H] output (outputs are made before inputs are read: see Buffers.read). */
function forward(inputs: tf.NamedTensorInfoMap, b: Buffers): KernelOutput {
  const [h, w, src, rowPtr] = inputsOf(inputs, FWD_INPUTS) as [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo, tf.TensorInfo];
  const [N, B, H] = h.shape as [number, number, number];
  const out = b.output([N, B, H]);
  forwardLoop(b.read<Int32Array>(src), b.read<Int32Array>(rowPtr), b.read<Float32Array>(h), b.read<Float32Array>(w), out.values, N, B, H);
  return out;
}

function registerBodies(): void {
  registerBufferKernel(EDGE_SPMM_KERNEL, (inputs, b) => forward(inputs, b).info);
  registerBufferKernel(EDGE_SPMM_GRAD_KERNEL, (inputs, b) => {
    const [dy, h, w, src, dst] = inputsOf(inputs, GRAD_INPUTS) as [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo, tf.TensorInfo, tf.TensorInfo];
    const [N, B, H] = h.shape as [number, number, number];
    const E = src.shape[0] as number;
    const [dh, dw] = b.outputs([N, B, H], [E, H, H]) as [KernelOutput, KernelOutput];
    backwardLoop(b.read<Int32Array>(src), b.read<Int32Array>(dst), b.read<Float32Array>(h), b.read<Float32Array>(w), b.read<Float32Array>(dy), dh.values, dw.values, B, H);
    return [dh.info, dw.info];
  });
  registerBufferKernel(EDGE_TANH_KERNEL, (inputs, b) => {
    const out = forward(inputs, b);
    tanhLoop(out.values, inputs.extra ? b.read<Float32Array>(inputs.extra) : null);
    return out.info;
  });
  registerBufferKernel(EDGE_TANH_GRAD_KERNEL, (inputs, b) => {
    const [dy, rate, h, w, src, dst] = inputsOf(inputs, TANH_GRAD_INPUTS) as [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo, tf.TensorInfo, tf.TensorInfo, tf.TensorInfo];
    const [N, B, H] = h.shape as [number, number, number];
    const E = src.shape[0] as number;
    const [dh, dw, dpre] = b.outputs([N, B, H], [E, H, H], [N, B, H]) as [KernelOutput, KernelOutput, KernelOutput];
    tanhGradLoop(b.read<Float32Array>(dy), b.read<Float32Array>(rate), dpre.values);
    backwardLoop(b.read<Int32Array>(src), b.read<Int32Array>(dst), b.read<Float32Array>(h), b.read<Float32Array>(w), dpre.values, dh.values, dw.values, B, H);
    return [dh.info, dw.info, dpre.info];
  });
}

let registered = false;
/** Registers the cpu and wasm kernels once (idempotent; importing this module does it). */
export function registerEdgeKernels(): void {
  if (registered) return;
  registered = true;
  registerBodies();
}
registerEdgeKernels();

/** True where the current backend runs the registered kernels (else edgeSpmm uses the plain-tfjs formulation). */
export function edgeKernelsOnBackend(backend: string = tf.getBackend()): boolean {
  return [EDGE_SPMM_KERNEL, EDGE_SPMM_GRAD_KERNEL, EDGE_TANH_KERNEL, EDGE_TANH_GRAD_KERNEL].every((k) => tf.getKernel(k, backend) !== undefined);
}

/** y = A_W h over the CSR graph, differentiable in h and w; `h` [N, B, H], `w` [E, H, H]. */
function checkShapes(g: EdgeGraph, h: tf.Tensor3D, w: tf.Tensor3D): void {
  const [N, , H] = h.shape;
  if (N !== g.nodes) throw new Error(`edge-spmm: h has ${N} nodes, the graph ${g.nodes}`);
  if (w.shape[0] !== g.edges || w.shape[1] !== H || w.shape[2] !== H) throw new Error(`edge-spmm: w is [${w.shape.join(', ')}], want [${g.edges}, ${H}, ${H}]`);
}

export function edgeSpmm(g: EdgeGraph, h: tf.Tensor3D, w: tf.Tensor3D): tf.Tensor3D {
  checkShapes(g, h, w);
  if (!edgeKernelsOnBackend()) return edgeSpmmReference(g, h, w);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [hv, wv, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
    save([hv, wv]);
    const value = tf.engine().runKernel(EDGE_SPMM_KERNEL, { h: hv, w: wv, src: g.srcT, rowPtr: g.rowPtrT }) as tf.Tensor3D;
    return {
      value,
      gradFunc: (dy, saved) => {
        const [hs, ws] = saved as [tf.Tensor3D, tf.Tensor3D];
        return tf.engine().runKernel<tf.Tensor[]>(EDGE_SPMM_GRAD_KERNEL, { dy: dy as tf.Tensor3D, h: hs, w: ws, src: g.srcT, dst: g.dstT, bySrc: g.bySrcT });
      },
    };
  });
  return f(h, w) as tf.Tensor3D;
}

/**
 * One loopy tick fused: tanh(A_W h + extra), differentiable in h, w and extra; `extra` [N, B, H] (input
 * drive, node noise) or null. Where the kernels are not registered: tanh of the plain formulation.
 */
export function edgeTanh(g: EdgeGraph, h: tf.Tensor3D, w: tf.Tensor3D, extra: tf.Tensor3D | null): tf.Tensor3D {
  if (!edgeKernelsOnBackend()) {
    const pre = edgeSpmm(g, h, w);
    return tf.tanh(extra ? tf.add(pre, extra) : pre);
  }
  checkShapes(g, h, w);
  if (extra && (extra.shape[0] !== h.shape[0] || extra.shape[1] !== h.shape[1] || extra.shape[2] !== h.shape[2])) throw new Error('edge-spmm: extra must be shaped as h');
  const run = (hv: tf.Tensor3D, wv: tf.Tensor3D, ev: tf.Tensor3D | null): tf.Tensor3D =>
    tf.engine().runKernel(EDGE_TANH_KERNEL, { h: hv, w: wv, src: g.srcT, rowPtr: g.rowPtrT, ...(ev ? { extra: ev } : {}) });
  const back = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
    const [hs, ws, rate] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
    return tf.engine().runKernel<tf.Tensor[]>(EDGE_TANH_GRAD_KERNEL, { dy, rate, h: hs, w: ws, src: g.srcT, dst: g.dstT, bySrc: g.bySrcT });
  };
  if (extra) {
    const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [hv, wv, ev, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
      const value = run(hv, wv, ev);
      save([hv, wv, value]);
      return { value, gradFunc: (dy, saved) => back(dy as tf.Tensor, saved) };
    });
    return f(h, w, extra) as tf.Tensor3D;
  }
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [hv, wv, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
    const value = run(hv, wv, null);
    save([hv, wv, value]);
    return {
      value,
      gradFunc: (dy, saved) => {
        const [dh, dw, dpre] = back(dy as tf.Tensor, saved) as [tf.Tensor, tf.Tensor, tf.Tensor];
        dpre.dispose();
        return [dh, dw];
      },
    };
  });
  return f(h, w) as tf.Tensor3D;
}
