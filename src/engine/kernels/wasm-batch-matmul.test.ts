import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRng } from '../random';
import { describeBackends } from '../testing/backends';
import { fastKernelsInstalled, installFastKernels } from './fast-kernels';

/** Plain-TS batched product with tfjs's broadcast rule (batch index modulo each side's batch). */
function reference(a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], tA: boolean, tB: boolean): Float32Array {
  const ra = aShape.length;
  const rb = bShape.length;
  const M = (tA ? aShape[ra - 1] : aShape[ra - 2]) as number;
  const K = (tA ? aShape[ra - 2] : aShape[ra - 1]) as number;
  const N = (tB ? bShape[rb - 2] : bShape[rb - 1]) as number;
  const batchA = aShape.slice(0, -2).reduce((x, y) => x * y, 1);
  const batchB = bShape.slice(0, -2).reduce((x, y) => x * y, 1);
  const batch = Math.max(batchA, batchB);
  const out = new Float32Array(batch * M * N);
  for (let q = 0; q < batch; q++) {
    const ao = (q % batchA) * M * K;
    const bo = (q % batchB) * K * N;
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += (a[ao + (tA ? k * M + i : i * K + k)] as number) * (b[bo + (tB ? j * K + k : k * N + j)] as number);
        out[q * M * N + i * N + j] = s;
      }
  }
  return out;
}

function random(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  const n = shape.reduce((x, y) => x * y, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.next() * 2 - 1), shape);
}

function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  expect(x.length).toBe(y.length);
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs((x[i] as number) - (y[i] as number)));
  return d;
}

/** Reads and disposes a scalar (its input tensor is left to the caller's tidy). */
async function scalarOf(t: tf.Scalar): Promise<number> {
  const v = (await t.data())[0] as number;
  t.dispose();
  return v;
}

/** [aShape, bShape] pairs, untransposed; transposed variants swap the last two dims. */
const CASES: Array<[string, number[], number[]]> = [
  ['batch 1, 2-D', [9, 17], [17, 33]],
  ['batch 1, rank 3', [1, 12, 40], [1, 40, 24]],
  ['batched', [5, 9, 17], [5, 17, 33]],
  ['model shape', [8, 32, 128], [8, 128, 64]],
  ['shared b, rank 2', [6, 9, 17], [17, 33]],
  ['shared b, batch 1', [6, 9, 17], [1, 17, 33]],
  ['shared a', [9, 17], [4, 17, 33]],
  ['shared a, batch 1', [1, 9, 17], [4, 17, 33]],
  ['rank 4', [2, 3, 9, 17], [2, 3, 17, 33]],
  ['rank 4 broadcast', [2, 3, 9, 17], [1, 1, 17, 33]],
  ['tiny entries (original kernel)', [7, 3, 2], [7, 2, 5]],
  ['vector rows', [4, 1, 64], [4, 64, 48]],
];

function transposed(shape: number[], t: boolean): number[] {
  if (!t) return shape;
  const s = [...shape];
  const n = s.length;
  [s[n - 2], s[n - 1]] = [s[n - 1] as number, s[n - 2] as number];
  return s;
}

describeBackends('fast BatchMatMul', (backend) => {
  beforeAll(() => installFastKernels({ plain: false }));
  afterAll(() => installFastKernels({ plain: false }));

  it('is installed', () => {
    expect(fastKernelsInstalled()).toBe(true);
  });

  let seed = 1;
  for (const [name, aBase, bBase] of CASES)
    for (const tA of [false, true])
      for (const tB of [false, true])
        it(`${name} transposeA=${tA} transposeB=${tB} matches the plain-TS product and the plain kernel`, async () => {
          const aShape = transposed(aBase, tA);
          const bShape = transposed(bBase, tB);
          const a = random(aShape, seed++);
          const b = random(bShape, seed++);
          const before = tf.memory().numTensors;
          const fast = tf.matMul(a, b, tA, tB);
          const ref = reference((await a.data()) as Float32Array, aShape, (await b.data()) as Float32Array, bShape, tA, tB);
          expect(maxAbsDiff(await fast.data(), ref)).toBeLessThan(1e-4);
          installFastKernels({ plain: true });
          const plain = tf.matMul(a, b, tA, tB);
          installFastKernels({ plain: false });
          expect(fast.shape).toEqual(plain.shape);
          expect(maxAbsDiff(await fast.data(), await plain.data())).toBeLessThan(1e-4);
          tf.dispose([fast, plain]);
          expect(tf.memory().numTensors).toBe(before);
          tf.dispose([a, b]);
        });

  it('gradients equal the plain kernel gradients, for every transpose combination', async () => {
    for (const tA of [false, true])
      for (const tB of [false, true]) {
        const aShape = transposed([6, 10, 24], tA);
        const bShape = transposed([6, 24, 16], tB);
        const a = random(aShape, 100);
        const b = random(bShape, 101);
        const w = random([6, 10, 16], 102);
        const f = (x: tf.Tensor, y: tf.Tensor): tf.Scalar => tf.sum(tf.mul(tf.matMul(x, y, tA, tB), w));
        const g = tf.grads(f);
        const [da, db] = g([a, b]) as [tf.Tensor, tf.Tensor];
        installFastKernels({ plain: true });
        const [pa, pb] = g([a, b]) as [tf.Tensor, tf.Tensor];
        installFastKernels({ plain: false });
        expect(maxAbsDiff(await da.data(), await pa.data())).toBeLessThan(1e-4);
        expect(maxAbsDiff(await db.data(), await pb.data())).toBeLessThan(1e-4);
        tf.dispose([a, b, w, da, db, pa, pb]);
      }
  });

  it('gradients match finite differences', async () => {
    const a = random([3, 5, 20], 200);
    const b = random([3, 20, 40], 201);
    const w = random([3, 5, 40], 202);
    const f = (x: tf.Tensor, y: tf.Tensor): tf.Scalar => tf.sum(tf.mul(tf.matMul(x, y), w));
    const [da] = tf.grads(f)([a, b]) as [tf.Tensor, tf.Tensor];
    const av = (await a.data()) as Float32Array;
    const grad = await da.data();
    const eps = 1e-2;
    for (const i of [0, 17, 123, 299]) {
      const plus = Float32Array.from(av);
      const minus = Float32Array.from(av);
      plus[i] = (plus[i] as number) + eps;
      minus[i] = (minus[i] as number) - eps;
      const fp = await scalarOf(f(tf.tensor(plus, a.shape), b));
      const fm = await scalarOf(f(tf.tensor(minus, a.shape), b));
      expect(Math.abs((fp - fm) / (2 * eps) - (grad[i] as number))).toBeLessThan(2e-3);
    }
    tf.dispose([a, b, w, da]);
  });

  // Compared with unfused plain ops: tfjs-wasm 4.22's own _FusedMatMul gets transposeB wrong (max error ~1.8 at [16, 40] x [24, 40]^T).
  it('fused matMul with bias and activation matches matMul + bias + activation', async () => {
    const cases: Array<[number[], number[], boolean, boolean]> = [
      [[16, 40], [40, 24], false, false],
      [[16, 40], [40, 24], false, true],
      [[16, 40], [40, 24], true, false],
      [[5, 16, 40], [1, 40, 24], false, false],
      [[5, 16, 40], [40, 24], true, true],
      [[5, 16, 40], [5, 40, 24], false, false],
    ];
    for (const [aBase, bBase, tA, tB] of cases) {
      const a = random(transposed(aBase, tA), 300);
      const b = random(transposed(bBase, tB), 301);
      const bias = random([24], 302);
      for (const activation of ['linear', 'relu', 'sigmoid'] as const) {
        const fast = tf.fused.matMul({ a, b, transposeA: tA, transposeB: tB, bias, activation });
        installFastKernels({ plain: true });
        const sum = tf.add(tf.matMul(a, b, tA, tB), bias);
        const expected = activation === 'relu' ? tf.relu(sum) : activation === 'sigmoid' ? tf.sigmoid(sum) : tf.clone(sum);
        installFastKernels({ plain: false });
        expect(fast.shape).toEqual(expected.shape);
        expect(maxAbsDiff(await fast.data(), await expected.data()), `${aBase} ${bBase} ${tA} ${tB} ${activation}`).toBeLessThan(1e-4);
        tf.dispose([fast, sum, expected]);
      }
      tf.dispose([a, b, bias]);
    }
  });

  it('leaks neither tensors nor backend buffers over many products', () => {
    const start = tf.engine().backend.numDataIds();
    const a = random([16, 32, 64], 400);
    const b = random([16, 64, 32], 401);
    const bT = random([16, 32, 64], 403);
    const shared = random([64, 32], 402);
    const run = (): void => {
      tf.tidy(() => {
        tf.matMul(a, b);
        tf.matMul(a, bT, false, true);
        tf.matMul(bT, b, true, true);
        tf.matMul(a, a, true, false);
        tf.matMul(a, shared);
        tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y)))([a, b]);
      });
    };
    run();
    const tensors = tf.memory().numTensors;
    const buffers = tf.engine().backend.numDataIds();
    for (let i = 0; i < 20; i++) run();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    expect(backend === 'wasm' || backend === 'cpu').toBe(true);
    tf.dispose([a, b, bT, shared]);
    // What was cached from the operands (transposed copies, per-entry views) goes with them.
    expect(tf.engine().backend.numDataIds()).toBe(start);
  });

  it('a reused right operand whose value changes (a variable after assign) gives the new product', async () => {
    const a = random([4, 9, 20], 500);
    const w1 = random([4, 33, 20], 501);
    const w2 = random([4, 33, 20], 502);
    const shared2 = random([33, 20], 503);
    const v = tf.variable(w1);
    const sv = tf.variable(random([33, 20], 504));
    for (const w of [w1, w2, w1]) {
      v.assign(w);
      sv.assign(w === w1 ? w1.slice([0, 0, 0], [1, 33, 20]).reshape([33, 20]) : shared2);
      const y = tf.matMul(a, v, false, true);
      const ys = tf.matMul(a, sv, false, true);
      const ref = reference((await a.data()) as Float32Array, a.shape, (await v.data()) as Float32Array, v.shape, false, true);
      const refS = reference((await a.data()) as Float32Array, a.shape, (await sv.data()) as Float32Array, sv.shape, false, true);
      expect(maxAbsDiff(await y.data(), ref)).toBeLessThan(1e-4);
      expect(maxAbsDiff(await ys.data(), refS)).toBeLessThan(1e-4);
      tf.dispose([y, ys]);
    }
    tf.dispose([a, w1, w2, shared2, v, sv]);
  });
});
