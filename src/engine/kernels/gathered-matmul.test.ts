/**
 * The gathered matmul against a plain-TS float64 reference (values and both
 * gradients), central differences of a scalar loss, and the plain-tfjs
 * formulation, with duplicate indices and zero inputs (the skipped rows).
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { createRng } from '../random';
import { describeBackends } from '../testing/backends';
import { gatheredMatMul, gatheredMatMulKernelActive, gatheredMatMulReference, setGatheredMatMulWasmGrouping } from './gathered-matmul';

const N = 7;
const P = 5;
const Q = 3;
const L = 4;
// Duplicates (row 0 and 3 share a matrix) and one matrix no row uses.
const IDX = [2, 0, 1, 2, 2, 0, 1];

function fixture(seed: number): { x: Float64Array; w: Float64Array; dy: Float64Array } {
  const r = createRng(seed, 3);
  const rng = (): number => r.next();
  const x = Float64Array.from({ length: N * P }, () => (rng() < 0.3 ? 0 : rng() * 2 - 1));
  const w = Float64Array.from({ length: L * P * Q }, () => rng() * 2 - 1);
  const dy = Float64Array.from({ length: N * Q }, () => rng() * 2 - 1);
  return { x, w, dy };
}

/** y, and the gradients of sum(y * dy). */
function reference(x: Float64Array, w: Float64Array, dy: Float64Array): { y: number[]; dx: number[]; dw: number[] } {
  const y = new Array<number>(N * Q).fill(0);
  const dx = new Array<number>(N * P).fill(0);
  const dw = new Array<number>(L * P * Q).fill(0);
  for (let i = 0; i < N; i++) {
    const a = IDX[i] as number;
    for (let k = 0; k < P; k++)
      for (let j = 0; j < Q; j++) {
        const wv = w[(a * P + k) * Q + j] as number;
        y[i * Q + j] = (y[i * Q + j] as number) + (x[i * P + k] as number) * wv;
        dx[i * P + k] = (dx[i * P + k] as number) + (dy[i * Q + j] as number) * wv;
        dw[(a * P + k) * Q + j] = (dw[(a * P + k) * Q + j] as number) + (x[i * P + k] as number) * (dy[i * Q + j] as number);
      }
  }
  return { y, dx, dw };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs((actual[i] as number) - (expected[i] as number)), `at ${i}`).toBeLessThan(tol);
}

describeBackends('gathered matmul', (backend) => {
  it('runs the registered kernel on this backend', () => {
    expect(backend === 'cpu' || backend === 'wasm').toBe(true);
    expect(gatheredMatMulKernelActive()).toBe(true);
  });

  // wasm runs one XNNPACK matmul per matrix by default; the JS loops (cpu's) are checked there too.
  for (const grouped of backend === 'wasm' ? [true, false] : [true]) it(`values and gradients equal the float64 reference and the plain-tfjs formulation${grouped ? '' : ' (JS loops)'}`, async () => {
    setGatheredMatMulWasmGrouping(grouped);
    const { x, w, dy } = fixture(1);
    const ref = reference(x, w, dy);
    const before = tf.memory().numTensors;
    const xt = tf.tensor2d(Float32Array.from(x), [N, P]);
    const wt = tf.tensor3d(Float32Array.from(w), [L, P, Q]);
    const dyt = tf.tensor2d(Float32Array.from(dy), [N, Q]);
    const idx = tf.tensor1d(IDX, 'int32');
    const y = gatheredMatMul(xt, wt, idx);
    const plain = tf.tidy(() => gatheredMatMulReference(xt, wt, idx));
    const grads = tf.grads((a, b) => tf.sum(tf.mul(gatheredMatMul(a as tf.Tensor2D, b as tf.Tensor3D, idx), dyt)))([xt, wt]);
    expectClose(await y.data(), ref.y, 1e-5);
    expectClose(await plain.data(), ref.y, 1e-5);
    expectClose(await (grads[0] as tf.Tensor).data(), ref.dx, 1e-5);
    expectClose(await (grads[1] as tf.Tensor).data(), ref.dw, 1e-5);
    // With the transposed weights supplied (the active tick makes them once per unroll).
    const wT = tf.transpose(wt, [0, 2, 1]);
    const withT = tf.grads((a, b) => tf.sum(tf.mul(gatheredMatMul(a as tf.Tensor2D, b as tf.Tensor3D, idx, wT), dyt)))([xt, wt]);
    expectClose(await (withT[0] as tf.Tensor).data(), ref.dx, 1e-5);
    expectClose(await (withT[1] as tf.Tensor).data(), ref.dw, 1e-5);
    tf.dispose([xt, wt, dyt, idx, y, plain, wT, ...grads, ...withT]);
    expect(tf.memory().numTensors).toBe(before);
    setGatheredMatMulWasmGrouping(true);
  });

  it('gradients match central differences of the float64 loss', async () => {
    const { x, w, dy } = fixture(2);
    const loss = (xs: Float64Array, ws: Float64Array): number => reference(xs, ws, dy).y.reduce((s, v, i) => s + v * (dy[i] as number), 0);
    const xt = tf.tensor2d(Float32Array.from(x), [N, P]);
    const wt = tf.tensor3d(Float32Array.from(w), [L, P, Q]);
    const dyt = tf.tensor2d(Float32Array.from(dy), [N, Q]);
    const idx = tf.tensor1d(IDX, 'int32');
    const grads = tf.grads((a, b) => tf.sum(tf.mul(gatheredMatMul(a as tf.Tensor2D, b as tf.Tensor3D, idx), dyt)))([xt, wt]);
    const [gx, gw] = [await (grads[0] as tf.Tensor).data(), await (grads[1] as tf.Tensor).data()];
    const step = 1e-6;
    for (const i of [0, 6, 13, 34]) {
      const up = x.slice();
      const down = x.slice();
      up[i] = (up[i] as number) + step;
      down[i] = (down[i] as number) - step;
      expect(Math.abs((gx[i] as number) - (loss(up, w) - loss(down, w)) / (2 * step))).toBeLessThan(1e-4);
    }
    for (const i of [0, 17, 29, L * P * Q - 1]) {
      const up = w.slice();
      const down = w.slice();
      up[i] = (up[i] as number) + step;
      down[i] = (down[i] as number) - step;
      expect(Math.abs((gw[i] as number) - (loss(x, up) - loss(x, down)) / (2 * step))).toBeLessThan(1e-4);
    }
    tf.dispose([xt, wt, dyt, idx, ...grads]);
  });
});
