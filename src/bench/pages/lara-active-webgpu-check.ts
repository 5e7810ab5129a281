/**
 * LARA's active-only tick on WebGPU (Node has none): checkActiveTick
 * (src/engine/lara/lara-active-check.ts) runs every reference case active
 * and dense on the webgpu backend and compares values, thread positions,
 * visits and gradients with the dense tick and the float64 reference.
 * First the WGSL gathered matmul (src/engine/kernels/gathered-matmul-webgpu.ts)
 * alone, values and both gradients, against the plain-tfjs formulation on
 * the same backend and a float64 loop. e2e/webgpu-kernels.spec.ts opens this
 * page and asserts every case passed.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { gatheredMatMul, gatheredMatMulKernelActive, setGatheredMatMulWebgpu } from '../../engine/kernels/gathered-matmul';
import { checkActiveTick, type ActiveCheckReport } from '../../engine/lara/lara-active-check';
import { createRng, randInt } from '../../engine/random';
import { gatheredMatMulFloat64 } from '../../engine/reference/gathered-matmul-reference';

export interface GatheredMatMulCase {
  readonly label: string;
  readonly ok: boolean;
  /** Largest error relative to each quantity's scale: WGSL against plain tfjs, and against the float64 loop. */
  readonly errors: Record<string, number>;
}

export interface ActiveWebgpuCheckResult {
  readonly backend: string;
  /** Whether gatheredMatMul ran the WGSL programs (else the kernel cases compare the fallback with itself). */
  readonly wgsl: boolean;
  readonly kernelCases: GatheredMatMulCase[];
  readonly cases: ActiveCheckReport[];
  /** tf.memory().numTensors after the cases less before: 0 when nothing leaked. */
  readonly leaked: number;
  readonly ms: number;
  readonly error?: string;
}

declare global {
  interface Window {
    activeCheck?: ActiveWebgpuCheckResult;
  }
}

const TOLERANCE = 1e-4;

function relMax(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) {
    m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return m / scale;
}

/** y, dx, dW through gatheredMatMul with the WGSL programs on or off. */
async function runGathered(x: tf.Tensor2D, w: tf.Tensor3D, idx: tf.Tensor1D, r: tf.Tensor2D, wgsl: boolean): Promise<Float32Array[]> {
  setGatheredMatMulWebgpu(wgsl);
  try {
    const y = gatheredMatMul(x, w, idx);
    const [dx, dw] = tf.grads((xv: tf.Tensor, wv: tf.Tensor) => tf.sum(tf.mul(gatheredMatMul(xv as tf.Tensor2D, wv as tf.Tensor3D, idx), r)))([x, w]) as [tf.Tensor, tf.Tensor];
    const out = await Promise.all([y, dx, dw].map(async (t) => Float32Array.from(await t.data())));
    tf.dispose([y, dx, dw]);
    return out;
  } finally {
    setGatheredMatMulWebgpu(true);
  }
}

/** Sizes: tiny with duplicates and unused matrices, odd sizes across workgroups, the active tick's at the lab's default (K*H = 64, H = 16). */
async function gatheredCase(N: number, P: number, Q: number, rows: number, seed: number): Promise<GatheredMatMulCase> {
  const rng = createRng(seed, 11);
  const uniform = (): number => rng.next() * 2 - 1;
  // Zeros as relu states and zero gates leave them; at most rows - 1 matrices used, so one gets no gradient.
  const xs = Float32Array.from({ length: N * P }, () => (rng.next() < 0.3 ? 0 : uniform()));
  const ws = Float32Array.from({ length: rows * P * Q }, uniform);
  const is = Int32Array.from({ length: N }, () => randInt(rng, Math.max(1, rows - 1)));
  const rs = Float32Array.from({ length: N * Q }, uniform);
  const [x, w, idx, r] = [tf.tensor2d(xs, [N, P]), tf.tensor3d(ws, [rows, P, Q]), tf.tensor1d(is, 'int32'), tf.tensor2d(rs, [N, Q])];
  const wgsl = await runGathered(x, w, idx, r, true);
  const plain = await runGathered(x, w, idx, r, false);
  tf.dispose([x, w, idx, r]);
  const { y, dx, dw } = gatheredMatMulFloat64(xs, ws, is, rs, P, Q, rows);
  const ref = [y, dx, dw];
  const errors: Record<string, number> = {};
  ['y', 'dx', 'dW'].forEach((name, n) => {
    errors[`${name} vs plain`] = relMax(wgsl[n] as Float32Array, plain[n] as Float32Array);
    errors[`${name} vs float64`] = relMax(wgsl[n] as Float32Array, ref[n] as Float64Array);
  });
  return { label: `gathered matmul N=${N} P=${P} Q=${Q} W rows=${rows}`, ok: Object.values(errors).every((e) => e <= TOLERANCE), errors };
}

void (async () => {
  const out = document.getElementById('out') as HTMLElement;
  const started = performance.now();
  let backend = 'none';
  try {
    if (!(await tf.setBackend('webgpu'))) throw new Error('webgpu backend did not start');
    await tf.ready();
    backend = tf.getBackend();
    const wgsl = gatheredMatMulKernelActive();
    const before = tf.memory().numTensors;
    const kernelCases: GatheredMatMulCase[] = [];
    for (const [n, [N, P, Q, rows]] of [[7, 5, 3, 4], [1, 1, 1, 1], [97, 13, 7, 9], [130, 64, 16, 24]].entries()) {
      kernelCases.push(await gatheredCase(N as number, P as number, Q as number, rows as number, 40 + n));
    }
    const cases = await checkActiveTick();
    const leaked = tf.memory().numTensors - before;
    const worst = (r: { errors: Record<string, number> }): string => Math.max(0, ...Object.values(r.errors)).toExponential(1);
    out.textContent = [
      `wgsl gathered matmul: ${wgsl}`,
      ...kernelCases.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.label}: max error ${worst(r)}`),
      ...cases.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.label}: max error ${worst(r)}${r.ok ? '' : `\n     ${r.failures.join('\n     ')}`}`),
    ].join('\n');
    window.activeCheck = { backend, wgsl, kernelCases, cases, leaked, ms: Math.round(performance.now() - started) };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    out.textContent += `\nerror: ${error}`;
    window.activeCheck = { backend, wgsl: false, kernelCases: [], cases: [], leaked: 0, ms: Math.round(performance.now() - started), error };
  }
})();
