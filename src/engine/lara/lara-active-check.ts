/**
 * The active-only tick against the dense tick and the float64 reference on
 * whatever backend is current: the hook a browser page (the WebGPU kernel
 * check, bench/pages/webgpu-kernel-check.ts) calls where Node has no WebGPU.
 * The Node tests (lara-active-tick.test.ts) run the same cases on cpu and wasm.
 */
import { caseInput, caseLabel, LARA_ABLATION_CASES, LARA_CASES, runDevice, type CaseInput, type DeviceResult, type LaraCase } from '../reference/lara-cases';
import { laraReference, type ReferenceWeightName } from '../reference/lara-reference';
import type { TickKind } from './lara-params';

/** unroll + readoutLoss under tf.variableGrads with the given tick, plain tfjs ops (not the fused WGSL tick) and no trace. */
export function runTick(input: CaseInput, tick: TickKind, oneHotGathers: boolean): Promise<DeviceResult> {
  return runDevice(input, oneHotGathers, { tick, trace: false, fusedKernels: false });
}

/** The reference cases whose routing has something to skip (all-active always runs dense). */
export const ACTIVE_TICK_CASES: readonly LaraCase[] = [...LARA_CASES, ...LARA_ABLATION_CASES].filter((c) => (c.routing ?? 'argmax') !== 'all-active');

export interface ActiveCheckReport {
  readonly label: string;
  readonly ok: boolean;
  /** Largest error relative to the reference's scale: active against dense, and active against the float64 reference. */
  readonly errors: Record<string, number>;
  readonly failures: string[];
}

function relMax(a: ArrayLike<number>, b: ArrayLike<number>, scale: number): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m / Math.max(scale, 1e-6);
}

function scaleOf(a: ArrayLike<number>): number {
  return Math.max(1e-6, ...Array.from(a, Math.abs));
}

/** Runs every case active and dense on the current backend; `tolerance` bounds the relative errors (default 1e-4). */
export async function checkActiveTick(cases: readonly LaraCase[] = ACTIVE_TICK_CASES, tolerance = 1e-4): Promise<ActiveCheckReport[]> {
  const reports: ActiveCheckReport[] = [];
  for (const [n, c] of cases.entries()) {
    const input = caseInput(c, 500 + n);
    const ref = laraReference(input);
    const dense = await runTick(input, 'dense', n % 2 === 0);
    const active = await runTick(input, 'active', n % 2 === 0);
    const failures: string[] = [];
    const errors: Record<string, number> = {
      'hT vs dense': relMax(active.hT, dense.hT, scaleOf(dense.hT)),
      'hT vs reference': relMax(active.hT, ref.hT, scaleOf(ref.hT)),
      'loss vs reference': Math.abs(active.loss - ref.loss) / Math.max(1, ref.loss),
    };
    for (const [name, g] of Object.entries(ref.grads)) {
      const a = active.grads[name as ReferenceWeightName] ?? new Float32Array(g.length);
      errors[`${name} vs reference`] = relMax(a, g, scaleOf(g));
      errors[`${name} vs dense`] = relMax(a, dense.grads[name as ReferenceWeightName] ?? a, scaleOf(g));
    }
    for (const [k, e] of Object.entries(errors)) if (!(e <= tolerance)) failures.push(`${k}: ${e}`);
    if (active.threadsT.join() !== Array.from(ref.threadsT).join()) failures.push('thread positions differ from the reference');
    if (active.visits.join() !== Array.from(ref.visits).join()) failures.push('visits differ from the reference');
    if (active.activeCount.join() !== Array.from(ref.activeCount).join()) failures.push('active counts differ from the reference');
    reports.push({ label: caseLabel(c), ok: failures.length === 0, errors, failures });
  }
  return reports;
}
