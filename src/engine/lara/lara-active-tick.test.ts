/**
 * The active-only tick against the float64 reference (lara-reference.ts) and
 * against the dense masked unroll: loss, final states, thread moves, visit and
 * activity counts, and every weight gradient, on every reference case whose
 * routing has something to skip (all-active always runs dense).
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { caseInput, caseLabel } from '../reference/lara-cases';
import { laraReference, type ReferenceWeightName } from '../reference/lara-reference';
import { describeBackends } from '../testing/backends';
import { setGatherRowsTaps } from '../kernels/gather-rows';
import { setGatheredMatMulTaps } from '../kernels/gathered-matmul';
import { setActiveRowKernels } from './lara-active-rows';
import { ACTIVE_TICK_CASES, checkActiveTick, runTick } from './lara-active-check';
import { activeTickApplies } from './lara-active-tick';
import type { UnrollInput } from './lara-forward';

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

function scaleOf(a: ArrayLike<number>): number {
  return Math.max(1e-6, ...Array.from(a, Math.abs));
}


describeBackends('LARA active-only tick', () => {
  it('applies by default, not under all-active routing or a trace', () => {
    const base: UnrollInput = {
      h0: tf.zeros([1, 1, 1]) as tf.Tensor3D,
      q0: tf.zeros([1, 1]) as tf.Tensor2D,
      x: tf.zeros([1, 1]) as tf.Tensor2D,
      steps: 1,
      thinkTicks: 1,
      gate: 'gaussian',
      exploration: 'epsilon',
    };
    expect(activeTickApplies(base)).toBe(true);
    expect(activeTickApplies({ ...base, tick: 'dense' })).toBe(false);
    expect(activeTickApplies({ ...base, routing: 'all-active' })).toBe(false);
    expect(activeTickApplies({ ...base, trace: true })).toBe(false);
    tf.dispose([base.h0, base.q0, base.x]);
  });

  ACTIVE_TICK_CASES.forEach((c, n) => {
    it(`${caseLabel(c)}: equals the reference and the dense tick`, async () => {
      const input = caseInput(c, 500 + n);
      const ref = laraReference(input);
      const before = tf.memory().numTensors;
      const dense = await runTick(input, 'dense', n % 2 === 0);
      // Both topologies, and the row kernels against their plain-tfjs formulation (the webgpu path).
      for (const [oneHot, kernels] of [[true, true], [false, true], [n % 2 === 0, false]] as const) {
        setActiveRowKernels(kernels);
        const active = await runTick(input, 'active', oneHot);
        setActiveRowKernels(true);
        expect(Array.from(active.threadsT)).toEqual(Array.from(ref.threadsT));
        expect(Array.from(active.visits)).toEqual(Array.from(ref.visits));
        expect(Array.from(active.activeCount)).toEqual(Array.from(ref.activeCount));
        expect(Math.abs(active.loss - ref.loss)).toBeLessThan(1e-5 * Math.max(1, ref.loss));
        expect(maxDiff(active.hT, ref.hT)).toBeLessThan(1e-5 * scaleOf(ref.hT));
        expect(maxDiff(active.hT, dense.hT)).toBeLessThan(1e-5 * scaleOf(dense.hT));
        expect(Math.abs(active.loss - dense.loss)).toBeLessThan(1e-5 * Math.max(1, dense.loss));
        for (const [name, g] of Object.entries(ref.grads)) {
          const key = name as ReferenceWeightName | 'nodeBias';
          const a = active.grads[key] as Float32Array;
          expect(maxDiff(a, g), `${name} vs reference`).toBeLessThan(1e-4 * scaleOf(g));
          expect(maxDiff(a, dense.grads[key] as Float32Array), `${name} vs dense`).toBeLessThan(1e-4 * scaleOf(g));
        }
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  it('the gradient taps (one weight gradient per unroll) equal the per-tick gradients within 1e-5', async () => {
    for (const [n, c] of ACTIVE_TICK_CASES.entries()) {
      const input = caseInput(c, 700 + n);
      const before = tf.memory().numTensors;
      const tapped = await runTick(input, 'active', false);
      setGatheredMatMulTaps(false);
      setGatherRowsTaps(false);
      const perTick = await runTick(input, 'active', false).finally(() => {
        setGatheredMatMulTaps(true);
        setGatherRowsTaps(true);
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(Math.abs(tapped.loss - perTick.loss)).toBeLessThan(1e-6 * Math.max(1, perTick.loss));
      for (const [name, g] of Object.entries(perTick.grads)) {
        const t = tapped.grads[name as ReferenceWeightName | 'nodeBias'] as Float32Array;
        expect(maxDiff(t, g), `${caseLabel(c)}: ${name}`).toBeLessThan(1e-5 * scaleOf(g));
      }
    }
  });

  it('the browser hook (checkActiveTick) passes its cases here', async () => {
    const reports = await checkActiveTick(ACTIVE_TICK_CASES.slice(0, 4));
    expect(reports.filter((r) => !r.ok)).toEqual([]);
  });
});
