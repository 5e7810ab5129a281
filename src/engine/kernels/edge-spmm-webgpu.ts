/**
 * The edge kernels of edge-spmm.ts as WGSL programs for tfjs-webgpu, one invocation per output element:
 * forward y[a, b, j] over the destination's CSR row (then + extra, tanh for the fused tick); dh[s, b, i] over
 * the edges out of s (the by-source table, so no atomics); dW[e, i, j] summed over lanes. Registered on
 * import (registerEdgeKernelsWebgpu; tfjs-webgpu itself is only a type import here); checked against the plain formulation in Chromium's WebGPU adapter by
 * src/bench/pages/edge-spmm-webgpu-check.ts (e2e/edge-spmm-webgpu.spec.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { elementwiseProgram } from './webgpu-program';
import { EDGE_SPMM_GRAD_KERNEL, EDGE_SPMM_KERNEL, EDGE_TANH_GRAD_KERNEL, EDGE_TANH_KERNEL } from './edge-spmm';

const UNIFORMS = 'nodes : i32, edges : i32, lanes : i32, width : i32, outWidth : i32, act : i32, hasExtra : i32,';

interface Dims {
  readonly N: number;
  readonly E: number;
  readonly B: number;
  readonly H: number;
  readonly outWidth: number;
  readonly act: boolean;
  readonly extra: boolean;
}

function uniforms(d: Dims): { type: string; data: number[] }[] {
  return [d.N, d.E, d.B, d.H, d.outWidth, d.act ? 1 : 0, d.extra ? 1 : 0].map((v) => ({ type: 'int32', data: [v] }));
}

function program(key: string, variableNames: string[], outputShape: number[], code: string): WebGPUProgram {
  return elementwiseProgram(`edge_${key}`, variableNames, outputShape, UNIFORMS, () => code);
}

/** y (or tanh(y + extra)) at (a, b, j). */
const FORWARD = (extra: boolean): string => `
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let H = uniforms.width;
  let B = uniforms.lanes;
  let j = index % H;
  let b = (index / H) % B;
  let a = index / (H * B);
  var acc = 0.0;
  for (var e = rowPtr[a]; e < rowPtr[a + 1]; e++) {
    let s = src[e];
    for (var i = 0; i < H; i++) { acc += h[(s * B + b) * H + i] * w[(e * H + i) * H + j]; }
  }
  ${extra ? 'acc += extra[index];' : ''}
  if (uniforms.act != 0) { acc = tanh(acc); }
  result[index] = acc;
}`;

/** dpre = dy (1 - rate^2). */
const TANH_GRAD = `
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let r = rate[index];
  result[index] = dy[index] * (1.0 - r * r);
}`;

/** dh[s, b, i] = sum over edges e out of s, sum_j dpre[dst e, b, j] w[e, i, j]. */
const GRAD_H = `
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let H = uniforms.width;
  let B = uniforms.lanes;
  let i = index % H;
  let b = (index / H) % B;
  let s = index / (H * B);
  var acc = 0.0;
  for (var k = 0; k < uniforms.outWidth; k++) {
    let e = bySrc[s * uniforms.outWidth + k];
    if (e >= uniforms.edges) { break; }
    let a = dst[e];
    for (var j = 0; j < H; j++) { acc += dpre[(a * B + b) * H + j] * w[(e * H + i) * H + j]; }
  }
  result[index] = acc;
}`;

/** dW[e, i, j] = sum_b h[src e, b, i] dpre[dst e, b, j]. */
const GRAD_W = `
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let H = uniforms.width;
  let B = uniforms.lanes;
  let j = index % H;
  let i = (index / H) % H;
  let e = index / (H * H);
  let s = src[e];
  let a = dst[e];
  var acc = 0.0;
  for (var b = 0; b < B; b++) { acc += h[(s * B + b) * H + i] * dpre[(a * B + b) * H + j]; }
  result[index] = acc;
}`;

function need(inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const t = inputs[name];
  if (!t) throw new Error(`edge-spmm-webgpu: missing input ${name}`);
  return t;
}

function forwardKernel(act: boolean): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const be = backend as unknown as WebGPUBackend;
    const h = need(inputs, 'h');
    const [N, B, H] = h.shape as [number, number, number];
    const E = need(inputs, 'w').shape[0] as number;
    const extra = act && inputs.extra !== undefined;
    const names = ['h', 'w', 'src', 'rowPtr', ...(extra ? ['extra'] : [])];
    const prog = program(`fwd_${extra ? 'x' : 'n'}`, names, [N, B, H], FORWARD(extra));
    return be.runWebGPUProgram(prog, names.map((n) => need(inputs, n)), 'float32', uniforms({ N, E, B, H, outWidth: 0, act, extra }));
  };
}

function gradKernel(act: boolean): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const be = backend as unknown as WebGPUBackend;
    const h = need(inputs, 'h');
    const w = need(inputs, 'w');
    const bySrc = need(inputs, 'bySrc');
    const [N, B, H] = h.shape as [number, number, number];
    const E = w.shape[0] as number;
    const d: Dims = { N, E, B, H, outWidth: (bySrc.shape[0] as number) / N, act, extra: false };
    const dy = need(inputs, 'dy');
    const dpre = act
      ? be.runWebGPUProgram(program('tanh_grad', ['dy', 'rate'], [N, B, H], TANH_GRAD), [dy, need(inputs, 'rate')], 'float32', uniforms(d))
      : dy;
    const dh = be.runWebGPUProgram(program('grad_h', ['dpre', 'w', 'dst', 'bySrc'], [N, B, H], GRAD_H), [dpre, w, need(inputs, 'dst'), bySrc], 'float32', uniforms(d));
    const dw = be.runWebGPUProgram(program('grad_w', ['h', 'dpre', 'src', 'dst'], [E, H, H], GRAD_W), [h, dpre, need(inputs, 'src'), need(inputs, 'dst')], 'float32', uniforms(d));
    return act ? [dh, dw, dpre] : [dh, dw];
  };
}

let registered = false;
/** Registers the four edge kernels for the webgpu backend (idempotent). */
export function registerEdgeKernelsWebgpu(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: EDGE_SPMM_KERNEL, backendName: 'webgpu', kernelFunc: forwardKernel(false) });
  tf.registerKernel({ kernelName: EDGE_TANH_KERNEL, backendName: 'webgpu', kernelFunc: forwardKernel(true) });
  tf.registerKernel({ kernelName: EDGE_SPMM_GRAD_KERNEL, backendName: 'webgpu', kernelFunc: gradKernel(false) });
  tf.registerKernel({ kernelName: EDGE_TANH_GRAD_KERNEL, backendName: 'webgpu', kernelFunc: gradKernel(true) });
}
registerEdgeKernelsWebgpu();
