/**
 * Finite-difference checks: central differences of the float64 reference loss
 * against the tfjs gradient (and against the reference's own autodiff), on
 * a few coordinates of every weight tensor.
 */
import { expect, it } from 'vitest';
import { createRng, randInt } from '../random';
import { caseInput, caseLabel, runDevice, type CaseInput, type LaraCase } from '../reference/lara-cases';
import { laraReference, REFERENCE_WEIGHTS, type ReferenceWeightName } from '../reference/lara-reference';
import { describeBackends } from '../testing/backends';

const CASES: LaraCase[] = [
  { gate: 'gaussian', thinkTicks: 2, threads: 1, noise: 'epsilon' },
  { gate: 'sigmoid', thinkTicks: 1, threads: 1, noise: 'gumbel', readAll: true },
  { gate: 'softmax', thinkTicks: 2, threads: 1, noise: 'greedy', graph: 'twoPort' },
  // The ablations: bias on (its gradient is checked too), random-walk and all-active routing.
  { gate: 'gaussian', thinkTicks: 2, threads: 1, noise: 'greedy', bias: true },
  { gate: 'sigmoid', thinkTicks: 2, threads: 1, noise: 'greedy', routing: 'random-walk', bias: true },
  { gate: 'gaussian', thinkTicks: 1, threads: 1, noise: 'epsilon', routing: 'all-active' },
];
const COORDS_PER_TENSOR = 4;
const STEP = 1e-5;

/** Reference loss with one weight moved by `delta`; also its routing, which must not change. */
function shiftedLoss(input: CaseInput, name: ReferenceWeightName | 'nodeBias', index: number, delta: number): { loss: number; route: string } {
  const moved = Float64Array.from(input.weights[name] ?? []);
  moved[index] = (moved[index] as number) + delta;
  const r = laraReference({ ...input, weights: { ...input.weights, [name]: moved } });
  return { loss: r.loss, route: r.threadTrace.join(',') };
}

/** Coordinates to check: mostly ones with a sizeable gradient, so the check has something to measure. */
function pickCoordinates(grad: Float64Array, seed: number): number[] {
  const rng = createRng(seed, 11);
  const top = Math.max(...Array.from(grad, Math.abs));
  const sizeable = Array.from(grad.keys()).filter((i) => Math.abs(grad[i] as number) > 0.05 * top);
  const picks = Array.from({ length: COORDS_PER_TENSOR - 1 }, () => sizeable[randInt(rng, sizeable.length)] as number);
  return [...picks, randInt(rng, grad.length)];
}

describeBackends('LARA gradients vs finite differences', () => {
  CASES.forEach((c, n) => {
    it(caseLabel(c), async () => {
      const input = caseInput(c, 300 + n);
      const ref = laraReference(input);
      const route = ref.threadTrace.join(',');
      // Both topologies: one-hot matmuls and gathers have their own hand-written gradients.
      const devices = [await runDevice(input, true), await runDevice(input, false)];
      const names: (ReferenceWeightName | 'nodeBias')[] = [...REFERENCE_WEIGHTS, ...(c.bias ? (['nodeBias'] as const) : [])];
      for (const name of names) {
        const refGrad = ref.grads[name] as Float64Array;
        const scale = Math.max(...Array.from(refGrad, Math.abs));
        expect(scale, `${name} has a gradient`).toBeGreaterThan(1e-3);
        for (const i of pickCoordinates(refGrad, 17 * n + name.length)) {
          const plus = shiftedLoss(input, name, i, STEP);
          const minus = shiftedLoss(input, name, i, -STEP);
          // A step that changed a routing decision would measure the jump, not the slope.
          expect(plus.route).toBe(route);
          expect(minus.route).toBe(route);
          const numeric = (plus.loss - minus.loss) / (2 * STEP);
          expect(Math.abs((refGrad[i] as number) - numeric), `reference ${name}[${i}]`).toBeLessThan(1e-6 * scale + 1e-8);
          for (const device of devices) {
            expect(Math.abs(((device.grads[name] as Float32Array)[i] as number) - numeric), `device ${name}[${i}]`).toBeLessThan(1e-3 * scale);
          }
        }
      }
    });
  });
});
