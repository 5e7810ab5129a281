/**
 * LARA's active-only tick on WebGPU (Node has none): checkActiveTick
 * (src/engine/lara/lara-active-check.ts) runs every reference case active
 * and dense on the webgpu backend and compares values, thread positions,
 * visits and gradients with the dense tick and the float64 reference.
 * e2e/webgpu-kernels.spec.ts opens this page and asserts every case passed.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { checkActiveTick, type ActiveCheckReport } from '../../engine/lara/lara-active-check';

export interface ActiveWebgpuCheckResult {
  readonly backend: string;
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

void (async () => {
  const out = document.getElementById('out') as HTMLElement;
  const started = performance.now();
  let backend = 'none';
  try {
    if (!(await tf.setBackend('webgpu'))) throw new Error('webgpu backend did not start');
    await tf.ready();
    backend = tf.getBackend();
    const before = tf.memory().numTensors;
    const cases = await checkActiveTick();
    const leaked = tf.memory().numTensors - before;
    const worst = (r: ActiveCheckReport): string => Math.max(0, ...Object.values(r.errors)).toExponential(1);
    out.textContent = cases.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.label}: max error ${worst(r)}${r.ok ? '' : `\n     ${r.failures.join('\n     ')}`}`).join('\n');
    window.activeCheck = { backend, cases, leaked, ms: Math.round(performance.now() - started) };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    out.textContent += `\nerror: ${error}`;
    window.activeCheck = { backend, cases: [], leaked: 0, ms: Math.round(performance.now() - started), error };
  }
})();
