/**
 * The dense unroll's slot gathers (gatherSources, gatherHosts) on their three paths: one-hot
 * matmuls (small graphs), the row kernels (cpu and wasm above the one-hot size) and plain
 * tf.gather with the padded-reverse gradient (webgpu), against plain-TS row copies and sums.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { setGatherRowsKernels } from '../kernels/gather-rows';
import { loopyGraph } from '../loopy/loopy-model';
import { loopyParamsSchema } from '../loopy/loopy-params';
import { packGraph } from '../packing';
import { createRng } from '../random';
import { describeBackends } from '../testing/backends';
import { createTopology, disposeTopology, gatherHosts, gatherSources } from './lara-forward';

function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  expect(x.length).toBe(y.length);
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs((x[i] as number) - (y[i] as number)));
  return d;
}

describeBackends('LARA slot gathers', () => {
  const packing = packGraph(loopyGraph({ inputSize: 2, outputSize: 2, seed: 3 }, loopyParamsSchema.parse({ hidden: 30, degree: 4 })), false);
  const { L, K } = packing;
  const M = 5;
  const rng = createRng(4);
  const xv = Float32Array.from({ length: L * M }, () => rng.next() * 2 - 1);
  const wv = Float32Array.from({ length: L * K * M }, () => rng.next() * 2 - 1);

  /** y = x[rowOf(slot)], and d/dx sum(y * w): the sum of w over the slots reading each row. */
  function reference(rowOf: (slot: number) => number): { y: Float32Array; dx: Float32Array } {
    const y = new Float32Array(L * K * M);
    const dx = new Float32Array(L * M);
    for (let s = 0; s < L * K; s++) {
      const r = rowOf(s);
      for (let j = 0; j < M; j++) {
        y[s * M + j] = xv[r * M + j] as number;
        dx[r * M + j] = (dx[r * M + j] as number) + (wv[s * M + j] as number);
      }
    }
    return { y, dx };
  }
  const sources = reference((s) => packing.source[s] as number);
  const hosts = reference((s) => Math.floor(s / K));

  for (const [path, oneHot, kernels] of [['one-hot', true, true], ['row kernels', false, true], ['tf.gather', false, false]] as const)
    it(`${path}: values and gradients equal plain-TS row copies and sums`, async () => {
      const topo = createTopology(packing, 1, oneHot);
      const x = tf.tensor2d(xv, [L, M]);
      const w = tf.tensor2d(wv, [L * K, M]);
      const before = tf.memory().numTensors;
      setGatherRowsKernels(kernels);
      try {
        for (const [f, ref] of [[gatherSources, sources], [gatherHosts, hosts]] as const) {
          const { value, grad } = tf.valueAndGrad((v: tf.Tensor) => tf.sum(tf.mul(f(topo, v as tf.Tensor2D), w)))(x);
          const y = f(topo, x);
          expect(y.shape).toEqual([L * K, M]);
          expect(maxAbsDiff(await y.data(), ref.y)).toBe(0);
          expect(maxAbsDiff(await grad.data(), ref.dx)).toBeLessThan(1e-5);
          tf.dispose([value, grad, y]);
        }
      } finally {
        setGatherRowsKernels(true);
      }
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, w]);
      disposeTopology(topo);
    });
});
