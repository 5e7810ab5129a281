/**
 * The gathered matmul of gathered-matmul.ts as WGSL programs for tfjs-webgpu, one invocation per output
 * element, reading W in place (the plain formulation gathers a P x Q matrix per row):
 * y[i, j] = sum_k x[i, k] W[idx i, k, j]; dx[i, k] = sum_j dy[i, j] W[idx i, k, j];
 * dW[a, k, j] = sum over rows i with idx i = a of x[i, k] dy[i, j] (each invocation owns its element and scans
 * idx, so no float atomics; O(rows of W x P x Q x N), fine at the active tick's N = lanes x (threads + forced)).
 * Registered on import (tfjs-webgpu itself is only a type import here); checked against the plain formulation
 * in Chromium's WebGPU adapter by src/bench/pages/lara-active-webgpu-check.ts (e2e/webgpu-kernels.spec.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { elementwiseProgram } from './webgpu-program';
import { GATHERED_MATMUL_GRAD_W_KERNEL, GATHERED_MATMUL_GRAD_X_KERNEL, GATHERED_MATMUL_KERNEL } from './gathered-matmul-names';

const UNIFORMS = 'rowCount : i32, inWidth : i32, outWidth : i32,';

function program(key: string, variableNames: string[], outputShape: number[], code: string): WebGPUProgram {
  return elementwiseProgram(`gathered_matmul_${key}`, variableNames, outputShape, UNIFORMS, () => code);
}

/** y[i, j] over k; W[a] is [P, Q] row-major. */
const FORWARD = `
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let P = uniforms.inWidth;
  let Q = uniforms.outWidth;
  let j = index % Q;
  let i = index / Q;
  let base = idx[i] * P * Q + j;
  var acc = 0.0;
  for (var k = 0; k < P; k++) { acc += x[i * P + k] * w[base + k * Q]; }
  result[index] = acc;
}`;

/** dx[i, k] over j: a contiguous row of W[a]. */
const GRAD_X = `
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let P = uniforms.inWidth;
  let Q = uniforms.outWidth;
  let k = index % P;
  let i = index / P;
  let base = (idx[i] * P + k) * Q;
  var acc = 0.0;
  for (var j = 0; j < Q; j++) { acc += dy[i * Q + j] * w[base + j]; }
  result[index] = acc;
}`;

/** dW[a, k, j] over the rows that use matrix a. */
const GRAD_W = `
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let P = uniforms.inWidth;
  let Q = uniforms.outWidth;
  let j = index % Q;
  let k = (index / Q) % P;
  let a = index / (P * Q);
  var acc = 0.0;
  for (var i = 0; i < uniforms.rowCount; i++) {
    if (idx[i] == a) { acc += x[i * P + k] * dy[i * Q + j]; }
  }
  result[index] = acc;
}`;

function need(inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const t = inputs[name];
  if (!t) throw new Error(`gathered-matmul-webgpu: missing input ${name}`);
  return t;
}

function dims(N: number, P: number, Q: number): { type: string; data: number[] }[] {
  return [N, P, Q].map((v) => ({ type: 'int32', data: [v] }));
}

const forward: tf.KernelFunc = ({ inputs, backend }) => {
  const [x, w, idx] = [need(inputs, 'x'), need(inputs, 'w'), need(inputs, 'idx')];
  const [N, P] = x.shape as [number, number];
  const Q = w.shape[2] as number;
  return (backend as unknown as WebGPUBackend).runWebGPUProgram(program('fwd', ['x', 'w', 'idx'], [N, Q], FORWARD), [x, w, idx], 'float32', dims(N, P, Q));
};

// The wT input (for wasm's transposing copies) is not needed here: W is read in place.
const gradX: tf.KernelFunc = ({ inputs, backend }) => {
  const [dy, w, idx] = [need(inputs, 'dy'), need(inputs, 'w'), need(inputs, 'idx')];
  const [N, Q] = dy.shape as [number, number];
  const P = w.shape[1] as number;
  return (backend as unknown as WebGPUBackend).runWebGPUProgram(program('grad_x', ['dy', 'w', 'idx'], [N, P], GRAD_X), [dy, w, idx], 'float32', dims(N, P, Q));
};

const gradW: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const [x, dy, idx] = [need(inputs, 'x'), need(inputs, 'dy'), need(inputs, 'idx')];
  const { rows } = attrs as { rows: number };
  const [N, P] = x.shape as [number, number];
  const Q = dy.shape[1] as number;
  return (backend as unknown as WebGPUBackend).runWebGPUProgram(program('grad_w', ['x', 'dy', 'idx'], [rows, P, Q], GRAD_W), [x, dy, idx], 'float32', dims(N, P, Q));
};

let registered = false;
/** Registers the three gathered-matmul kernels for the webgpu backend (idempotent). */
export function registerGatheredMatMulWebgpu(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: GATHERED_MATMUL_KERNEL, backendName: 'webgpu', kernelFunc: forward });
  tf.registerKernel({ kernelName: GATHERED_MATMUL_GRAD_X_KERNEL, backendName: 'webgpu', kernelFunc: gradX });
  tf.registerKernel({ kernelName: GATHERED_MATMUL_GRAD_W_KERNEL, backendName: 'webgpu', kernelFunc: gradW });
}
registerGatheredMatMulWebgpu();
