import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { createRng } from '../random';
import { describeBackends } from '../testing/backends';
import { gatherRows, gatherRowsKernelsActive, gatherRowsTap, scatterAddRows, setGatherRowsKernels } from './gather-rows';

function randomMatrix(rows: number, cols: number, seed: number): tf.Tensor2D {
  const rng = createRng(seed);
  return tf.tensor2d(Float32Array.from({ length: rows * cols }, () => rng.next() * 2 - 1), [rows, cols]);
}

function randomIndex(length: number, n: number, seed: number): Int32Array {
  const rng = createRng(seed);
  return Int32Array.from({ length }, () => Math.floor(rng.next() * n));
}

function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  expect(x.length).toBe(y.length);
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs((x[i] as number) - (y[i] as number)));
  return d;
}

/** [N, M] rows, R indices: narrow rows (loopy single neurons), wide rows (LARA states), repeats, an empty index. */
const CASES: Array<[number, number, number]> = [
  [1, 1, 1],
  [7, 1, 20],
  [10, 3, 25],
  [50, 16, 120],
  [33, 64, 9],
  [200, 32, 2200],
  [5, 4, 0],
];

describeBackends('gatherRows', (backend) => {
  // tfjs-wasm has no UnsortedSegmentSum kernel, so tf.gather has no gradient there.
  const gatherHasGradient = (): boolean => tf.getKernel('UnsortedSegmentSum', backend) !== undefined;

  let seed = 1;
  for (const [N, M, R] of CASES)
    it(`N=${N} M=${M} R=${R}: values equal plain-TS row copies and tf.gather; gradient equals the plain-TS segment sum and tf.gather's`, async () => {
      const x = randomMatrix(N, M, seed++);
      const idx = randomIndex(R, N, seed++);
      const index = tf.tensor1d(idx, 'int32');
      const w = randomMatrix(R, M, seed++);
      const before = tf.memory().numTensors;

      const y = gatherRows(x, index);
      expect(y.shape).toEqual([R, M]);
      const xv = await x.data();
      const expected = new Float32Array(R * M);
      idx.forEach((i, r) => expected.set(xv.subarray(i * M, (i + 1) * M), r * M));
      expect(maxAbsDiff(await y.data(), expected)).toBe(0);
      const viaGather = tf.gather(x, index);
      expect(maxAbsDiff(await y.data(), await viaGather.data())).toBe(0);

      const loss = (f: (v: tf.Tensor2D) => tf.Tensor2D) => (v: tf.Tensor) => tf.sum(tf.mul(f(v as tf.Tensor2D), w));
      const dx = tf.grad(loss((v) => gatherRows(v, index)))(x);
      const dxGather = gatherHasGradient() ? tf.grad(loss((v) => tf.gather(v, index)))(x) : null;
      const wv = await w.data();
      const segmentSum = new Float32Array(N * M);
      idx.forEach((i, r) => {
        for (let j = 0; j < M; j++) segmentSum[i * M + j] = (segmentSum[i * M + j] as number) + (wv[r * M + j] as number);
      });
      expect(maxAbsDiff(await dx.data(), segmentSum)).toBeLessThan(1e-5);
      if (dxGather) expect(maxAbsDiff(await dx.data(), await dxGather.data())).toBeLessThan(1e-5);

      tf.dispose([y, viaGather, dx]);
      if (dxGather) dxGather.dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, index, w]);
    });

  it('scatterAddRows equals the plain-TS segment sum, and its gradient is the gather', async () => {
    const dy = randomMatrix(40, 6, 50);
    const idx = randomIndex(40, 9, 51);
    const index = tf.tensor1d(idx, 'int32');
    const s = scatterAddRows(dy, index, 9);
    const dyv = await dy.data();
    const ref = new Float32Array(9 * 6);
    idx.forEach((i, r) => {
      for (let j = 0; j < 6; j++) ref[i * 6 + j] = (ref[i * 6 + j] as number) + (dyv[r * 6 + j] as number);
    });
    expect(maxAbsDiff(await s.data(), ref)).toBeLessThan(1e-5);
    const w = randomMatrix(9, 6, 52);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(scatterAddRows(v as tf.Tensor2D, index, 9), w)))(dy);
    const gRef = tf.gather(w, index);
    expect(maxAbsDiff(await g.data(), await gRef.data())).toBeLessThan(1e-6);
    tf.dispose([dy, index, s, w, g, gRef]);
  });

  it('gradient matches finite differences through a nonlinearity', async () => {
    const x = randomMatrix(6, 3, 60);
    const idx = Int32Array.from([0, 5, 5, 2, 0, 3, 1]);
    const index = tf.tensor1d(idx, 'int32');
    const f = (v: tf.Tensor): tf.Scalar => tf.sum(tf.square(tf.tanh(gatherRows(v as tf.Tensor2D, index))));
    const grad = await tf.grad(f)(x).data();
    const xv = await x.data();
    const eps = 1e-2;
    for (let i = 0; i < xv.length; i++) {
      const at = async (d: number): Promise<number> => {
        const v = Float32Array.from(xv);
        v[i] = (v[i] as number) + d;
        const t = tf.tensor2d(v, [6, 3]);
        const out = f(t);
        const r = (await out.data())[0] as number;
        tf.dispose([t, out]);
        return r;
      };
      const fd = ((await at(eps)) - (await at(-eps))) / (2 * eps);
      expect(Math.abs(fd - (grad[i] as number))).toBeLessThan(2e-3);
    }
    tf.dispose([x, index]);
  });

  it('refuses out-of-range indices and wrong dtypes', () => {
    const x = randomMatrix(4, 2, 70);
    const bad = tf.tensor1d([0, 4], 'int32');
    const floats = tf.tensor1d([0, 1], 'float32');
    expect(() => gatherRows(x, bad)).toThrow(/outside \[0, 4\)/);
    expect(() => gatherRows(x, floats)).toThrow(/int32/);
    tf.dispose([x, bad, floats]);
  });

  it('keeps tensors and backend buffers flat over many training-style calls', () => {
    const x = randomMatrix(200, 8, 80);
    const index = tf.tensor1d(randomIndex(900, 200, 81), 'int32');
    const run = (): void => {
      tf.tidy(() => {
        tf.grad((v: tf.Tensor) => tf.sum(tf.square(gatherRows(v as tf.Tensor2D, index))))(x);
      });
    };
    run();
    const tensors = tf.memory().numTensors;
    const buffers = tf.engine().backend.numDataIds();
    for (let i = 0; i < 50; i++) run();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    tf.dispose([x, index]);
  });
  it('gathers int32 rows, vectors and rank-3 rows; the rank-3 gradient is the plain-TS segment sum', async () => {
    const idx = Int32Array.from([3, 0, 3, 1]);
    const index = tf.tensor1d(idx, 'int32');
    const ints = tf.tensor2d(Int32Array.from({ length: 4 * 3 }, (_, i) => i * 7 - 20), [4, 3], 'int32');
    const vec = tf.tensor1d(Int32Array.from([5, -1, 9, 2]), 'int32');
    const cube = tf.tidy(() => tf.reshape(randomMatrix(4, 6, 90), [4, 2, 3]) as tf.Tensor3D);
    const before = tf.memory().numTensors;
    const outs = [gatherRows(ints, index), gatherRows(vec, index), gatherRows(cube, index)];
    const refs = [tf.gather(ints, index), tf.gather(vec, index), tf.gather(cube, index)];
    for (let i = 0; i < outs.length; i++) {
      const [o, r] = [outs[i] as tf.Tensor, refs[i] as tf.Tensor];
      expect(o.dtype).toBe(r.dtype);
      expect(o.shape).toEqual(r.shape);
      expect(Array.from(await o.data())).toEqual(Array.from(await r.data()));
    }
    const w = tf.tidy(() => tf.reshape(randomMatrix(4, 6, 91), [4, 2, 3]));
    const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(gatherRows(v, index), w)))(cube);
    expect(dx.shape).toEqual([4, 2, 3]);
    const wv = await w.data();
    const ref = new Float32Array(4 * 6);
    idx.forEach((i, r) => {
      for (let j = 0; j < 6; j++) ref[i * 6 + j] = (ref[i * 6 + j] as number) + (wv[r * 6 + j] as number);
    });
    expect(maxAbsDiff(await dx.data(), ref)).toBeLessThan(1e-6);
    tf.dispose([...outs, ...refs, w, dx]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([index, ints, vec, cube]);
  });

  it('scatterAddRows onto a base: base + the segment sum; gradients the gather (rows) and identity (base)', async () => {
    const rows = randomMatrix(30, 5, 100);
    const idx = randomIndex(30, 8, 101);
    const index = tf.tensor1d(idx, 'int32');
    const base = randomMatrix(8, 5, 102);
    const w = randomMatrix(8, 5, 103);
    const before = tf.memory().numTensors;
    const s = scatterAddRows(rows, index, 8, base);
    const [rv, bv] = [await rows.data(), await base.data()];
    const ref = Float32Array.from(bv);
    idx.forEach((i, r) => {
      for (let j = 0; j < 5; j++) ref[i * 5 + j] = (ref[i * 5 + j] as number) + (rv[r * 5 + j] as number);
    });
    expect(maxAbsDiff(await s.data(), ref)).toBeLessThan(1e-5);
    const [dRows, dBase] = tf.grads((r: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(scatterAddRows(r as tf.Tensor2D, index, 8, b as tf.Tensor2D), w)))([rows, base]) as [tf.Tensor, tf.Tensor];
    const gRef = tf.gather(w, index);
    expect(maxAbsDiff(await dRows.data(), await gRef.data())).toBeLessThan(1e-6);
    expect(maxAbsDiff(await dBase.data(), await w.data())).toBe(0);
    tf.dispose([s, dRows, dBase, gRef]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([rows, index, base, w]);
  });

  it('switched off, the plain-tfjs formulation gives the same values and gradients (and the kernels are on again after)', async () => {
    const x = randomMatrix(40, 4, 110);
    const index = tf.tensor1d(randomIndex(70, 40, 111), 'int32');
    const base = randomMatrix(40, 4, 112);
    const w = randomMatrix(40, 4, 113);
    const run = (): tf.Tensor[] => {
      const f = (v: tf.Tensor, b: tf.Tensor): tf.Scalar => {
        const rows = gatherRows(v as tf.Tensor2D, index);
        return tf.sum(tf.mul(scatterAddRows(tf.tanh(rows), index, 40, b as tf.Tensor2D), w));
      };
      const { value, grads } = tf.valueAndGrads(f)([x, base]);
      return [value, ...grads];
    };
    expect(gatherRowsKernelsActive()).toBe(true);
    const before = tf.memory().numTensors;
    const on = run();
    setGatherRowsKernels(false);
    let off: tf.Tensor[];
    try {
      expect(gatherRowsKernelsActive()).toBe(false);
      off = run();
    } finally {
      setGatherRowsKernels(true);
    }
    expect(gatherRowsKernelsActive()).toBe(true);
    for (let i = 0; i < on.length; i++) expect(maxAbsDiff(await (on[i] as tf.Tensor).data(), await (off[i] as tf.Tensor).data())).toBeLessThan(1e-5);
    tf.dispose([...on, ...off]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, index, base, w]);
  });

  /** sum_c sum(gather_c(x) * w_c) over three gathers of one rank-3 variable, through a tap or per gather. */
  function tapLoss(x: tf.Variable, ws: tf.Tensor[], idxs: tf.Tensor1D[], tapped: boolean): tf.Scalar {
    const tap = tapped ? gatherRowsTap(x as unknown as tf.Tensor3D) : null;
    return tf.addN(idxs.map((idx, c) => tf.sum(tf.mul(tap ? tap.gather(idx) : gatherRows(x as unknown as tf.Tensor3D, idx), ws[c] as tf.Tensor)))) as tf.Scalar;
  }

  it('a tap sums the gradient of many gathers once: equals the per-gather gradient and the plain-TS segment sum', async () => {
    const [N, K, H] = [9, 2, 3];
    const rng = createRng(77);
    const xv = Float32Array.from({ length: N * K * H }, () => rng.next() * 2 - 1);
    const x = tf.variable(tf.tensor3d(xv, [N, K, H]));
    // Repeats within and across gathers, and rows no gather reads.
    const idxArrays = [Int32Array.from([0, 3, 3, 8]), Int32Array.from([8, 1]), Int32Array.from([3, 3, 3, 0, 5])];
    const idxs = idxArrays.map((a) => tf.tensor1d(a, 'int32'));
    const wArrays = idxArrays.map((a, c) => Float32Array.from({ length: a.length * K * H }, (_, i) => Math.sin(i + 10 * c)));
    const ws = wArrays.map((a, c) => tf.tensor3d(a, [(idxArrays[c] as Int32Array).length, K, H]));
    const expected = new Float64Array(N * K * H);
    idxArrays.forEach((a, c) => a.forEach((row, r) => { for (let j = 0; j < K * H; j++) expected[row * K * H + j] = (expected[row * K * H + j] as number) + ((wArrays[c] as Float32Array)[r * K * H + j] as number); }));
    const before = tf.memory().numTensors;
    for (let rep = 0; rep < 2; rep++) {
      const tapped = tf.variableGrads(() => tapLoss(x, ws, idxs, true), [x]);
      const plain = tf.variableGrads(() => tapLoss(x, ws, idxs, false), [x]);
      const g = await (tapped.grads[x.name] as tf.Tensor).data();
      expect((tapped.grads[x.name] as tf.Tensor).shape).toEqual([N, K, H]);
      expect(maxAbsDiff(g, expected)).toBeLessThan(1e-6);
      expect(maxAbsDiff(g, await (plain.grads[x.name] as tf.Tensor).data())).toBeLessThan(1e-6);
      expect(Math.abs(((await tapped.value.data())[0] as number) - ((await plain.value.data())[0] as number))).toBeLessThan(1e-5);
      tf.dispose([tapped.value, plain.value, ...Object.values(tapped.grads), ...Object.values(plain.grads)]);
      expect(tf.memory().numTensors).toBe(before);
    }
    // A step that throws (forward, or backward after the last gather stashed its rows) leaves only what tfjs keeps of any
    // such step: every op's saved inputs. A per-gather gradient saves its index, as a tapped one does.
    const throwing = tf.customGrad((v) => ({ value: tf.mul(v as tf.Tensor, 1), gradFunc: () => { throw new Error('injected'); } }));
    const leftBy = (tapped: boolean, where: 'forward' | 'backward'): number => {
      const start = tf.memory().numTensors;
      expect(() =>
        tf.variableGrads(() => {
          const loss = tapLoss(x, ws, idxs, tapped);
          if (where === 'forward') throw new Error('injected');
          return throwing(loss) as tf.Scalar;
        }, [x]),
      ).toThrow('injected');
      return tf.memory().numTensors - start;
    };
    for (const where of ['forward', 'backward'] as const) expect(leftBy(true, where), where).toBe(leftBy(false, where));
    tf.dispose([x, ...idxs, ...ws]);
  });
});
