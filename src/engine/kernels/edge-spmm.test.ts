/**
 * The edge SpMM kernels (cpu, wasm) against the plain-tfjs formulation, and their gradients against finite
 * differences of a plain-TS loop in float64.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { createRng, normalArray, randInt } from '../random';
import { describeBackends } from '../testing/backends';
import { createEdgeGraph, disposeEdgeGraph, edgeKernelsOnBackend, edgeSpmm, edgeSpmmReference, edgeTanh } from './edge-spmm';

/** A seeded random multigraph (self-loops, repeated edges and sourceless nodes included), sorted by destination. */
function randomEdges(N: number, E: number, seed: number): { src: Int32Array; dst: Int32Array } {
  const rng = createRng(seed);
  const pairs = Array.from({ length: E }, () => [randInt(rng, N), randInt(rng, Math.max(1, N - 1))] as const);
  pairs.sort((p, q) => p[1] - q[1]);
  return { src: Int32Array.from(pairs, (p) => p[0]), dst: Int32Array.from(pairs, (p) => p[1]) };
}

/** sum(r * y) in float64, y from plain loops over the edge list. */
function plainLoss(src: Int32Array, dst: Int32Array, h: Float64Array, w: Float64Array, r: ArrayLike<number>, N: number, B: number, H: number): number {
  const y = new Float64Array(N * B * H);
  for (let e = 0; e < src.length; e++) {
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < H; i++) {
        for (let j = 0; j < H; j++) {
          const at = ((dst[e] as number) * B + b) * H + j;
          y[at] = (y[at] as number) + (h[((src[e] as number) * B + b) * H + i] as number) * (w[(e * H + i) * H + j] as number);
        }
      }
    }
  }
  return y.reduce((s, v, i) => s + v * (r[i] as number), 0);
}

describeBackends('edge spmm', (backend) => {
  for (const H of [1, 3]) {
    it(`H = ${H}: the kernel equals the plain-op formulation, values and gradients`, async () => {
      expect(edgeKernelsOnBackend()).toBe(true);
      const [N, E, B] = [13, 40, H === 1 ? 6 : 4]; // 6 lanes: a block of four and a remainder
      const { src, dst } = randomEdges(N, E, 7 + H);
      const rng = createRng(3);
      const before = tf.memory().numTensors;
      const g = createEdgeGraph(N, src, dst);
      const h = tf.tensor3d(normalArray(rng, N * B * H, 1), [N, B, H]);
      const w = tf.tensor3d(normalArray(rng, E * H * H, 1), [E, H, H]);
      const r = tf.tensor3d(normalArray(rng, N * B * H, 1), [N, B, H]);
      const loss = (f: typeof edgeSpmm) => (hv: tf.Tensor, wv: tf.Tensor) => tf.sum(tf.mul(f(g, hv as tf.Tensor3D, wv as tf.Tensor3D), r));
      const ours = tf.grads(loss(edgeSpmm))([h, w]);
      const plain = tf.grads(loss(edgeSpmmReference))([h, w]);
      const y = edgeSpmm(g, h, w);
      const yRef = edgeSpmmReference(g, h, w);
      const close = async (a: tf.Tensor, b: tf.Tensor) => {
        const [x, z] = await Promise.all([a.data(), b.data()]);
        expect(a.shape).toEqual(b.shape);
        x.forEach((v, i) => expect(Math.abs(v - (z[i] as number))).toBeLessThan(1e-5 * (1 + Math.abs(z[i] as number))));
      };
      await close(y, yRef);
      await close(ours[0] as tf.Tensor, plain[0] as tf.Tensor);
      await close(ours[1] as tf.Tensor, plain[1] as tf.Tensor);

      // Finite differences of the float64 loop at a few coordinates of h and w.
      const [hv, wv, rv] = await Promise.all([h.data(), w.data(), r.data()]);
      const [gh, gw] = await Promise.all([(ours[0] as tf.Tensor).data(), (ours[1] as tf.Tensor).data()]);
      const eps = 1e-4;
      const fd = (which: 'h' | 'w', at: number): number => {
        const hp = Float64Array.from(hv);
        const wp = Float64Array.from(wv);
        const target = which === 'h' ? hp : wp;
        target[at] = (target[at] as number) + eps;
        const up = plainLoss(src, dst, hp, wp, rv, N, B, H);
        target[at] -= 2 * eps;
        const down = plainLoss(src, dst, hp, wp, rv, N, B, H);
        return (up - down) / (2 * eps);
      };
      for (let k = 0; k < 6; k++) {
        const ih = randInt(rng, N * B * H);
        const iw = randInt(rng, E * H * H);
        expect(Math.abs((gh[ih] as number) - fd('h', ih))).toBeLessThan(1e-4);
        expect(Math.abs((gw[iw] as number) - fd('w', iw))).toBeLessThan(1e-4);
      }
      tf.dispose([h, w, r, y, yRef, ...ours, ...plain]);
      disposeEdgeGraph(g);
      expect(tf.memory().numTensors, backend).toBe(before);
    });
  }

  for (const H of [1, 2]) {
    for (const withExtra of [false, true]) {
      it(`H = ${H}, ${withExtra ? 'with' : 'no'} extra drive: the fused tanh tick equals tanh of the plain formulation, values and gradients`, async () => {
        const [N, E, B] = [11, 30, 5];
        const { src, dst } = randomEdges(N, E, 21 + H);
        const rng = createRng(8);
        const before = tf.memory().numTensors;
        const g = createEdgeGraph(N, src, dst);
        const h = tf.tensor3d(normalArray(rng, N * B * H, 0.7), [N, B, H]);
        const w = tf.tensor3d(normalArray(rng, E * H * H, 0.7), [E, H, H]);
        const extra = tf.tensor3d(normalArray(rng, N * B * H, 0.5), [N, B, H]);
        const r = tf.tensor3d(normalArray(rng, N * B * H, 1), [N, B, H]);
        const fused = (hv: tf.Tensor, wv: tf.Tensor, ev?: tf.Tensor) => tf.sum(tf.mul(edgeTanh(g, hv as tf.Tensor3D, wv as tf.Tensor3D, (ev as tf.Tensor3D | undefined) ?? null), r));
        const plain = (hv: tf.Tensor, wv: tf.Tensor, ev?: tf.Tensor) => {
          const pre = edgeSpmmReference(g, hv as tf.Tensor3D, wv as tf.Tensor3D);
          return tf.sum(tf.mul(tf.tanh(ev ? tf.add(pre, ev) : pre), r));
        };
        const args = withExtra ? [h, w, extra] : [h, w];
        const a = tf.valueAndGrads(fused)(args);
        const b = tf.valueAndGrads(plain)(args);
        const close = async (x: tf.Tensor, y: tf.Tensor) => {
          const [u, v] = await Promise.all([x.data(), y.data()]);
          u.forEach((q, i) => expect(Math.abs(q - (v[i] as number))).toBeLessThan(1e-5 * (1 + Math.abs(v[i] as number))));
        };
        await close(a.value, b.value);
        for (let i = 0; i < args.length; i++) await close(a.grads[i] as tf.Tensor, b.grads[i] as tf.Tensor);
        tf.dispose([h, w, extra, r, a.value, b.value, ...a.grads, ...b.grads]);
        disposeEdgeGraph(g);
        expect(tf.memory().numTensors, backend).toBe(before);
      });
    }
  }

  it('a node with no incoming edges gets zero, and no edges at all is allowed', async () => {
    const g = createEdgeGraph(3, Int32Array.from([0, 2]), Int32Array.from([1, 1]));
    const h = tf.tensor3d([1, 2, 3, 4, 5, 6], [3, 2, 1]);
    const w = tf.tensor3d([10, 100], [2, 1, 1]);
    const y = edgeSpmm(g, h, w);
    expect(Array.from(await y.data())).toEqual([0, 0, 510, 620, 0, 0]);
    tf.dispose([h, w, y]);
    disposeEdgeGraph(g);
  });

  it('refuses edges not sorted by destination', () => {
    expect(() => createEdgeGraph(3, Int32Array.from([0, 1]), Int32Array.from([2, 1]))).toThrow(/sorted/);
  });
});
