/**
 * Checks the WGSL edge kernels (src/engine/kernels/edge-spmm-webgpu.ts) in a real browser's WebGPU adapter (Node
 * has none): the kernels against the plain-tfjs formulation on the same backend, values and gradients, and the
 * sparse loopy unroll against the padded one. e2e/edge-spmm-webgpu.spec.ts opens this page.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { generateGraph } from '../../engine/graph-generators';
import { createEdgeGraph, disposeEdgeGraph, edgeKernelsOnBackend, edgeSpmm, edgeSpmmReference, edgeTanh } from '../../engine/kernels/edge-spmm';
import { registerEdgeKernelsWebgpu } from '../../engine/kernels/edge-spmm-webgpu';
import { createTopology, disposeTopology, readoutLoss } from '../../engine/lara/lara-forward';
import { createLoopyEdges, disposeLoopyEdges, loopyUnroll } from '../../engine/loopy/loopy-unroll';
import { packGraph } from '../../engine/packing';
import { createRng, normalArray, randInt } from '../../engine/random';

export interface EdgeCheckCase {
  readonly label: string;
  readonly ok: boolean;
  readonly maxError: number;
}
export interface EdgeCheckResult {
  readonly cases: EdgeCheckCase[];
  readonly kernels: boolean;
  readonly error?: string;
}

declare global {
  interface Window {
    edgeCheck?: EdgeCheckResult;
  }
}

const TOL = 1e-4;

async function maxRelError(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): Promise<number> {
  let worst = 0;
  for (let k = 0; k < a.length; k++) {
    const [x, y] = await Promise.all([(a[k] as tf.Tensor).data(), (b[k] as tf.Tensor).data()]);
    if (x.length !== y.length) return Infinity;
    x.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (y[i] as number)) / (1 + Math.abs(y[i] as number)))));
  }
  return worst;
}

async function kernelCase(H: number, B: number, fused: boolean, extra: boolean): Promise<EdgeCheckCase> {
  const [N, E] = [37, 150];
  const rng = createRng(H * 10 + B);
  const pairs = Array.from({ length: E }, () => [randInt(rng, N), randInt(rng, N - 2)] as const).sort((p, q) => p[1] - q[1]);
  const g = createEdgeGraph(N, Int32Array.from(pairs, (p) => p[0]), Int32Array.from(pairs, (p) => p[1]));
  const h = tf.tensor3d(normalArray(rng, N * B * H, 0.7), [N, B, H]);
  const w = tf.tensor3d(normalArray(rng, E * H * H, 0.7), [E, H, H]);
  const x = tf.tensor3d(normalArray(rng, N * B * H, 0.5), [N, B, H]);
  const r = tf.tensor3d(normalArray(rng, N * B * H, 1), [N, B, H]);
  const args = extra ? [h, w, x] : [h, w];
  const ours = (hv: tf.Tensor, wv: tf.Tensor, xv?: tf.Tensor) =>
    tf.sum(tf.mul(fused ? edgeTanh(g, hv as tf.Tensor3D, wv as tf.Tensor3D, (xv as tf.Tensor3D | undefined) ?? null) : edgeSpmm(g, hv as tf.Tensor3D, wv as tf.Tensor3D), r));
  const plain = (hv: tf.Tensor, wv: tf.Tensor, xv?: tf.Tensor) => {
    const pre = edgeSpmmReference(g, hv as tf.Tensor3D, wv as tf.Tensor3D);
    return tf.sum(tf.mul(fused ? tf.tanh(xv ? tf.add(pre, xv) : pre) : pre, r));
  };
  const a = tf.valueAndGrads(ours)(args);
  const b = tf.valueAndGrads(plain)(args);
  const ya = fused ? edgeTanh(g, h, w, extra ? x : null) : edgeSpmm(g, h, w);
  const yb = fused ? tf.tanh(extra ? tf.add(edgeSpmmReference(g, h, w), x) : edgeSpmmReference(g, h, w)) : edgeSpmmReference(g, h, w);
  const err = await maxRelError([ya, a.value, ...a.grads], [yb, b.value, ...b.grads]);
  tf.dispose([h, w, x, r, ya, yb, a.value, b.value, ...a.grads, ...b.grads]);
  disposeEdgeGraph(g);
  return { label: `kernel H=${H} B=${B} ${fused ? 'tanh' : 'spmm'}${extra ? ' +extra' : ''}`, ok: err < TOL, maxError: err };
}

async function unrollCase(H: number, readNode: boolean): Promise<EdgeCheckCase> {
  const graph = generateGraph({ generator: 'erdos-renyi', hidden: 40, inputs: 3, outputs: 2, readNode, degree: 4, selfLoops: true, seed: 5 });
  const packing = packGraph(graph, false);
  const { L, K } = packing;
  const [B, T, D, C] = [3, 4, 3, 2];
  const rng = createRng(7);
  const edgeW = normalArray(rng, L * K * H * H, 0.5);
  for (let s = 0; s < L * K; s++) if ((packing.mask[s] as number) === 0) edgeW.fill(0, s * H * H, (s + 1) * H * H);
  const topo = createTopology(packing, 1);
  const edges = createLoopyEdges(topo);
  const vars = {
    edgeW: tf.tidy(() => tf.variable(tf.tensor3d(edgeW, [L, K * H, H]))),
    readoutW: tf.tidy(() => tf.variable(tf.tensor2d(normalArray(rng, topo.readCount * H * C, 0.5), [topo.readCount * H, C]))),
  };
  const inputW = tf.tensor3d(normalArray(rng, D * D * H, 1), [D, D, H]);
  const h0 = tf.tensor3d(normalArray(rng, L * B * H, 0.5), [L, B, H]);
  const x = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from({ length: T * B }, () => randInt(rng, D)), 'int32'), D).toFloat()) as tf.Tensor2D;
  const targets = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from({ length: T * B }, () => randInt(rng, C)), 'int32'), C).toFloat()) as tf.Tensor2D;
  const scored = tf.ones([T * B]) as tf.Tensor1D;
  const run = (sparse: boolean) => {
    const kept: tf.Tensor[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const out = loopyUnroll({ edgeW: vars.edgeW as tf.Tensor3D, inputW, readoutW: vars.readoutW as tf.Tensor2D }, topo, {
        h0, x, steps: T, thinkTicks: 3, readNode: readNode ? { position: L - 1, maxTicks: 4 } : undefined, leak: 0.3, edges: sparse ? edges : undefined,
      });
      kept.push(tf.keep(out.hT), tf.keep(out.logits));
      return readoutLoss(out.logits, targets, scored).loss;
    });
    return [value, ...kept, grads[vars.edgeW.name] as tf.Tensor, grads[vars.readoutW.name] as tf.Tensor];
  };
  const padded = run(false);
  const sparse = run(true);
  const err = await maxRelError(sparse, padded);
  tf.dispose([...padded, ...sparse, inputW, h0, x, targets, scored, vars.edgeW, vars.readoutW]);
  disposeLoopyEdges(edges);
  disposeTopology(topo);
  return { label: `unroll H=${H} ${readNode ? 'read-node' : 'fixed'}`, ok: err < TOL, maxError: err };
}

async function main(): Promise<EdgeCheckResult> {
  if (!(await tf.setBackend('webgpu'))) return { cases: [], kernels: false, error: 'no webgpu backend' };
  await tf.ready();
  registerEdgeKernelsWebgpu();
  const cases: EdgeCheckCase[] = [];
  for (const H of [1, 3]) {
    for (const B of [1, 5]) {
      cases.push(await kernelCase(H, B, false, false));
      cases.push(await kernelCase(H, B, true, false));
      cases.push(await kernelCase(H, B, true, true));
    }
    cases.push(await unrollCase(H, false));
    cases.push(await unrollCase(H, true));
  }
  return { cases, kernels: edgeKernelsOnBackend() };
}

main()
  .then((r) => (window.edgeCheck = r))
  .catch((e: unknown) => (window.edgeCheck = { cases: [], kernels: false, error: String(e) }))
  .finally(() => {
    const out = document.getElementById('out');
    if (out) out.textContent = JSON.stringify(window.edgeCheck, null, 1);
  });
