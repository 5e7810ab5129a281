/**
 * The echo-state network: the spectral radius it sets (checked by an
 * independent estimate), and its forward pass against the float64 reference.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createRng, randInt, randNormal } from '../random';
import type { TaskBatch } from '../tasks/task';
import { describeBackends } from '../testing/backends';
import { batchTensors, sequenceLoss, uniformArray } from './baseline-common';
import { esnReference, type ReferenceCase } from './baseline-reference';
import { esnParamsSchema } from './baseline-params';
import { createEsnModel, esnFeatures, initEsnWeights, spectralRadius, type EsnWeightName } from './esn';

/**
 * Independent of power iteration's eigenvalue fit: the growth rate of
 * ||W^k v|| over many steps, exp((log||W^(K+M) v|| - log||W^K v||) / M),
 * which tends to the spectral radius whatever the dominant eigenvalues are
 * (an oscillating norm only costs log(oscillation) / M).
 */
function growthRate(values: ArrayLike<number>, n: number, warmup = 2000, measured = 30000): number {
  const entries: [number, number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (values[i * n + j] !== 0) entries.push([i, j, values[i * n + j] as number]);
  const rng = createRng(5, 9);
  let v = Float64Array.from({ length: n }, () => randNormal(rng));
  let logNorm = 0;
  let atWarmup = 0;
  for (let k = 1; k <= warmup + measured; k++) {
    const next = new Float64Array(n);
    for (const [i, j, x] of entries) next[i] = (next[i] as number) + x * (v[j] as number);
    const norm = Math.hypot(...next);
    logNorm += Math.log(norm);
    v = next.map((x) => x / norm);
    if (k === warmup) atWarmup = logNorm;
  }
  return Math.exp((logNorm - atWarmup) / measured);
}

describe('spectralRadius (host power iteration)', () => {
  const cases: [string, number[], number][] = [
    ['a complex pair (rotation x 2)', [0, -2, 2, 0], 2],
    ['a real dominant eigenvalue', [3, 0, 0, 0, -1, 0, 0, 0, 0.5], 3],
    ['a ± real pair of equal modulus', [2, 0, 0, -2], 2],
    ['a complex pair over a real one', [0.9, -1.2, 0, 1.2, 0.9, 0, 0, 0, 1.4], 1.5],
    ['a non-normal matrix', [1, 50, 0, 0.5], 1],
    ['a nilpotent matrix', [0, 1, 0, 0], 0],
  ];
  for (const [name, values, expected] of cases) {
    it(name, () => {
      expect(Math.abs(spectralRadius({ n: Math.round(Math.sqrt(values.length)), values }) - expected)).toBeLessThan(1e-9);
    });
  }

  it('agrees with the growth rate of a random sparse matrix', () => {
    const rng = createRng(3, 1);
    const n = 50;
    const values = Float64Array.from({ length: n * n }, () => (rng.next() < 0.1 ? 2 * rng.next() - 1 : 0));
    expect(Math.abs(spectralRadius({ n, values }) - growthRate(values, n))).toBeLessThan(1e-3);
  });
});

const SMALL = { inputSize: 3, outputSize: 3, lanes: 2 } as const;

function randomBatch(seed: number, length = 5): TaskBatch & ReferenceCase {
  const rng = createRng(seed, 3);
  const n = SMALL.lanes * length;
  return {
    ...SMALL,
    length,
    inputs: Int32Array.from({ length: n }, () => randInt(rng, SMALL.inputSize)),
    targets: Int32Array.from({ length: n }, () => (rng.next() < 0.3 ? -1 : randInt(rng, SMALL.outputSize))),
  };
}

describe('echo-state network reservoir', () => {
  it.each([
    { units: 100, spectralRadius: 0.9 },
    { units: 40, spectralRadius: 1.2, connectivity: 0.2 },
    { units: 30, spectralRadius: 0.5, connectivity: 0.3 },
  ])('has the requested spectral radius: %o', (params) => {
    const { reservoirW } = initEsnWeights({ ...SMALL, seed: 11 }, esnParamsSchema.parse(params));
    expect(Math.abs(growthRate(reservoirW.values, params.units) - params.spectralRadius)).toBeLessThan(1e-3);
  });
});

describeBackends('echo-state network', () => {
  it('forward matches the float64 reference (leaky units, random read-out)', async () => {
    const units = 6;
    const leakRate = 0.6;
    const rng = createRng(21, 1);
    const w: Record<EsnWeightName, Float32Array> = {
      reservoirW: uniformArray(rng, units * units, 0.7),
      inputW: uniformArray(rng, SMALL.inputSize * units, 1),
      readoutW: uniformArray(rng, (units + SMALL.inputSize) * SMALL.outputSize, 1),
      readoutB: uniformArray(rng, SMALL.outputSize, 1),
    };
    const s0 = uniformArray(rng, SMALL.lanes * units, 0.9);
    const batch = randomBatch(21);
    const ref = esnReference(w, batch, units, leakRate, s0);
    const out = tf.tidy(() => {
      const { x, targets, scored } = batchTensors(batch, SMALL.inputSize, SMALL.outputSize);
      const r = esnFeatures(
        { reservoirW: tf.tensor2d(w.reservoirW, [units, units]), inputW: tf.tensor2d(w.inputW, [SMALL.inputSize, units]) },
        x,
        tf.tensor2d(s0, [SMALL.lanes, units]),
        batch.length,
        batch.lanes,
        leakRate,
      );
      const logits = tf.add<tf.Tensor2D>(tf.matMul(r.features, tf.tensor2d(w.readoutW, [units + SMALL.inputSize, SMALL.outputSize])), tf.tensor1d(w.readoutB));
      return { logits, state: r.state, loss: sequenceLoss(logits, targets, scored) };
    });
    const [logits, state, loss] = await Promise.all([out.logits.data(), out.state.data(), out.loss.data()]);
    tf.dispose([out.logits, out.state, out.loss]);
    const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => Math.max(...Array.from(a, (x, i) => Math.abs(x - (b[i] as number))));
    expect(maxDiff(logits, ref.logits)).toBeLessThan(1e-4);
    expect(maxDiff(state, ref.state[0] as Float64Array)).toBeLessThan(1e-4);
    expect(Math.abs((loss[0] as number) - ref.loss)).toBeLessThan(1e-4);
  });

  it("the model's evaluate carries each lane's state across batches like the reference", async () => {
    const params = { units: 12, leakRate: 0.7, connectivity: 0.3 };
    const model = createEsnModel({ ...SMALL, seed: 5 }, params);
    try {
      // A few steps so the read-out is not zero.
      for (let i = 0; i < 3; i++) await model.train(randomBatch(100 + i));
      model.resetState();
      const w = await model.readWeights();
      const flat = Object.fromEntries(Object.entries(w).map(([n, t]) => [n, t.values])) as Record<EsnWeightName, Float32Array>;
      const first = randomBatch(7);
      const second = randomBatch(8);
      const ref1 = esnReference(flat, first, params.units, params.leakRate, new Float64Array(SMALL.lanes * params.units));
      const ref2 = esnReference(flat, second, params.units, params.leakRate, ref1.state[0] as Float64Array);
      expect(Math.abs((await model.evaluate(first)).loss - ref1.loss)).toBeLessThan(1e-4);
      expect(Math.abs((await model.evaluate(second)).loss - ref2.loss)).toBeLessThan(1e-4);
    } finally {
      model.dispose();
    }
  });
});
