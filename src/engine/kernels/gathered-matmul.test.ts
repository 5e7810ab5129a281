/**
 * The gathered matmul against a plain-TS float64 reference (values and both
 * gradients), central differences of a scalar loss, and the plain-tfjs
 * formulation, with duplicate indices and zero inputs (the skipped rows).
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { createRng } from '../random';
import { describeBackends } from '../testing/backends';
import { gatheredMatMul, gatheredMatMulKernelActive, gatheredMatMulReference, gatheredMatMulTap, setGatheredMatMulWasmGrouping } from './gathered-matmul';
import { gatheredMatMulFloat64 } from '../reference/gathered-matmul-reference';

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
function reference(x: Float64Array, w: Float64Array, dy: Float64Array, rowIdx: readonly number[] = IDX): { y: number[]; dx: number[]; dw: number[] } {
  const r = gatheredMatMulFloat64(x, w, rowIdx, dy, P, Q, L);
  return { y: Array.from(r.y), dx: Array.from(r.dx), dw: Array.from(r.dw) };
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

  // Three calls on one W (an unroll's ticks), with repeats within and across calls and a matrix only one call uses.
  const CALL_IDX = [IDX, [...IDX].reverse(), [3, 3, 3, 0, 0, 1, 2]];
  const calls = (seed: number): { x: Float64Array; dy: Float64Array }[] => CALL_IDX.map((_, c) => fixture(seed + c));

  /** sum over calls of sum(y_c * dy_c): the loss, and its gradients (dx per call, dw summed). */
  function tapReference(cs: { x: Float64Array; dy: Float64Array }[], w: Float64Array): { loss: number; dx: number[][]; dw: number[] } {
    const dw = new Array<number>(L * P * Q).fill(0);
    let loss = 0;
    const dx = cs.map(({ x, dy }, c) => {
      const r = reference(x, w, dy, CALL_IDX[c]);
      r.dw.forEach((v, i) => (dw[i] = (dw[i] as number) + v));
      loss += r.y.reduce((s, v, i) => s + v * (dy[i] as number), 0);
      return r.dx;
    });
    return { loss, dx, dw };
  }

  /** The three calls' loss under tf.variableGrads, through a tap or per call. */
  function tapLoss(wv: tf.Variable, xs: tf.Variable[], dys: tf.Tensor2D[], idxs: tf.Tensor1D[], tapped: boolean): tf.Scalar {
    const tap = tapped ? gatheredMatMulTap(wv as unknown as tf.Tensor3D) : null;
    const ys = xs.map((x, c) => (tap ? tap.matMul(x as unknown as tf.Tensor2D, idxs[c] as tf.Tensor1D) : gatheredMatMul(x as unknown as tf.Tensor2D, wv as unknown as tf.Tensor3D, idxs[c] as tf.Tensor1D)));
    return tf.addN(ys.map((y, c) => tf.sum(tf.mul(y, dys[c] as tf.Tensor2D)))) as tf.Scalar;
  }

  for (const grouped of backend === 'wasm' ? [true, false] : [true])
    it(`a tap sums the weight gradient of many calls once: equals the per-call gradients and the float64 reference${grouped ? '' : ' (JS loops)'}`, async () => {
      setGatheredMatMulWasmGrouping(grouped);
      const { w } = fixture(10);
      const cs = calls(11);
      const ref = tapReference(cs, w);
      const wv = tf.variable(tf.tensor3d(Float32Array.from(w), [L, P, Q]));
      const xs = cs.map(({ x }) => tf.variable(tf.tensor2d(Float32Array.from(x), [N, P])));
      const dys = cs.map(({ dy }) => tf.tensor2d(Float32Array.from(dy), [N, Q]));
      const idxs = CALL_IDX.map((i) => tf.tensor1d(i, 'int32'));
      const before = tf.memory().numTensors;
      for (let rep = 0; rep < 2; rep++) {
        const tapped = tf.variableGrads(() => tapLoss(wv, xs, dys, idxs, true), [wv, ...xs]);
        const plain = tf.variableGrads(() => tapLoss(wv, xs, dys, idxs, false), [wv, ...xs]);
        expect(Math.abs(((await tapped.value.data())[0] as number) - ref.loss)).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref.loss)));
        const dw = await (tapped.grads[wv.name] as tf.Tensor).data();
        expectClose(dw, ref.dw, 1e-5);
        expectClose(dw, await (plain.grads[wv.name] as tf.Tensor).data(), 1e-5);
        for (const [c, x] of xs.entries()) {
          const dx = await (tapped.grads[x.name] as tf.Tensor).data();
          expectClose(dx, ref.dx[c] as number[], 1e-5);
          expectClose(dx, await (plain.grads[x.name] as tf.Tensor).data(), 1e-5);
        }
        tf.dispose([tapped.value, plain.value, ...Object.values(tapped.grads), ...Object.values(plain.grads)]);
        expect(tf.memory().numTensors).toBe(before);
      }
      // Without a gradient scope the calls are plain gathered matmuls and keep nothing.
      const y = tf.tidy(() => gatheredMatMulTap(wv).matMul(xs[0] as unknown as tf.Tensor2D, idxs[0] as tf.Tensor1D));
      expectClose(await y.data(), reference(cs[0]?.x as Float64Array, w, cs[0]?.dy as Float64Array).y, 1e-5);
      y.dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([wv, ...xs, ...dys, ...idxs]);
      setGatheredMatMulWasmGrouping(true);
    });

  it("a tap's weight gradient matches central differences of the float64 loss", async () => {
    const { w } = fixture(20);
    const cs = calls(21);
    const wv = tf.variable(tf.tensor3d(Float32Array.from(w), [L, P, Q]));
    const xs = cs.map(({ x }) => tf.variable(tf.tensor2d(Float32Array.from(x), [N, P])));
    const dys = cs.map(({ dy }) => tf.tensor2d(Float32Array.from(dy), [N, Q]));
    const idxs = CALL_IDX.map((i) => tf.tensor1d(i, 'int32'));
    const { value, grads } = tf.variableGrads(() => tapLoss(wv, xs, dys, idxs, true), [wv]);
    const gw = await (grads[wv.name] as tf.Tensor).data();
    const step = 1e-6;
    // Entries of a matrix all calls use, one only the third uses, and the last.
    for (const i of [0, 17, 3 * P * Q + 4, L * P * Q - 1]) {
      const up = w.slice();
      const down = w.slice();
      up[i] = (up[i] as number) + step;
      down[i] = (down[i] as number) - step;
      expect(Math.abs((gw[i] as number) - (tapReference(cs, up).loss - tapReference(cs, down).loss) / (2 * step)), `at ${i}`).toBeLessThan(1e-4);
    }
    tf.dispose([value, ...Object.values(grads), wv, ...xs, ...dys, ...idxs]);
  });

  it('a step that throws leaves nothing of the tap behind (only what tfjs keeps of any step that throws)', () => {
    const { w } = fixture(30);
    const cs = calls(31);
    const wv = tf.variable(tf.tensor3d(Float32Array.from(w), [L, P, Q]));
    const xs = cs.map(({ x }) => tf.variable(tf.tensor2d(Float32Array.from(x), [N, P])));
    const dys = cs.map(({ dy }) => tf.tensor2d(Float32Array.from(dy), [N, Q]));
    const idxs = CALL_IDX.map((i) => tf.tensor1d(i, 'int32'));
    // An op whose gradient throws, downstream of the last call: the backward pass stops after that call stashed its rows.
    const throwing = tf.customGrad((v) => ({ value: tf.mul(v as tf.Tensor, 1), gradFunc: () => { throw new Error('injected'); } }));
    // Tensors left behind by a step that throws in its forward pass (after the calls) or in its backward pass (after the last call stashed its rows).
    const leftBy = (tapped: boolean, where: 'forward' | 'backward'): number => {
      const before = tf.memory().numTensors;
      expect(() =>
        tf.variableGrads(() => {
          const loss = tapLoss(wv, xs, dys, idxs, tapped);
          if (where === 'forward') throw new Error('injected');
          return throwing(loss) as tf.Scalar;
        }, [wv]),
      ).toThrow('injected');
      return tf.memory().numTensors - before;
    };
    // tfjs itself keeps every op's saved inputs when a step throws; a per-call matmul saves (x, w, idx), a tapped one (x, idx). The tap adds nothing.
    for (const where of ['forward', 'backward'] as const) expect(leftBy(true, where), where).toBe(leftBy(false, where) - CALL_IDX.length);
    // A later step is whole.
    const after = tf.memory().numTensors;
    const ok = tf.variableGrads(() => tapLoss(wv, xs, dys, idxs, true), [wv]);
    tf.dispose([ok.value, ...Object.values(ok.grads)]);
    expect(tf.memory().numTensors).toBe(after);
    tf.dispose([wv, ...xs, ...dys, ...idxs]);
  });
});
