/**
 * The read-node protocol against its plain-TS reference, and the local
 * learning rules: node perturbation estimates the gradient, both rules
 * reduce the loss on a task they can learn.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { generateGraph, generatorLayout } from '../graph-generators';
import { createTopology, disposeTopology, readoutLoss } from '../lara/lara-forward';
import { packGraph } from '../packing';
import { createRng, normalArray } from '../random';
import { pacingReference } from '../reference/loopy-pacing-reference';
import { createRecallStream } from '../tasks/recall-task';
import { describeBackends } from '../testing/backends';
import { localRuleDirections } from './loopy-local-rules';
import { createLoopySequenceModel, initLoopyEdges, loopyInputWeights } from './loopy-model';
import { loopyUnroll } from './loopy-unroll';

const D = 3;
const C = 3;

function readNodeNet(seed: number, H: number) {
  const opts = { hidden: 6, inputs: D, outputs: C, readNode: true } as const;
  const graph = generateGraph({ generator: 'erdos-renyi', ...opts, degree: 3, selfLoops: true, seed });
  const packing = packGraph(graph, false);
  const readPosition = packing.nodeIds.indexOf(generatorLayout(opts).read as number);
  return { packing, readPosition, H };
}

function oneHot(symbols: Int32Array, size: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(symbols, 'int32'), size), 'float32') as tf.Tensor2D);
}

describeBackends('loopy read-node pacing vs plain-TS reference', () => {
  const cases = [
    { name: 'fires on its own', seed: 3, H: 2, maxTicks: 4, silenceReadNode: false },
    { name: 'single neurons, cap 6', seed: 5, H: 1, maxTicks: 6, silenceReadNode: false },
    { name: 'silent read node: every read is a timeout', seed: 3, H: 2, maxTicks: 3, silenceReadNode: true },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { packing, readPosition, H } = readNodeNet(c.seed, c.H);
      const { L, K } = packing;
      const B = 3;
      const T = 4;
      const rng = createRng(c.seed, 11);
      const edgeW = normalArray(rng, L * K * H * H, 0.9);
      for (let s = 0; s < L * K; s++) {
        const silenced = c.silenceReadNode && Math.floor(s / K) === readPosition;
        if ((packing.mask[s] as number) === 0 || silenced) edgeW.fill(0, s * H * H, (s + 1) * H * H);
      }
      const inputW = loopyInputWeights(D, H, 1.5);
      const nRead = packing.readPositions.length;
      const readoutW = normalArray(rng, nRead * H * C, 0.5);
      const h0 = normalArray(rng, L * B * H, 0.2);
      if (c.silenceReadNode) h0.fill(0, readPosition * B * H, (readPosition + 1) * B * H);
      const inputs = Int32Array.from({ length: T * B }, () => Math.floor(rng.next() * D));
      const expected = pacingReference({ packing, width: H, inputSize: D, outputSize: C, edgeW, inputW, readoutW, h0, lanes: B, inputs, readPosition, maxTicks: c.maxTicks });

      const topo = createTopology(packing, 1);
      const out = tf.tidy(() => {
        const r = loopyUnroll(
          { edgeW: tf.tensor3d(edgeW, [L, K * H, H]), inputW: tf.tensor3d(inputW, [D, D, H]), readoutW: tf.tensor2d(readoutW, [nRead * H, C]) },
          topo,
          { h0: tf.tensor3d(h0, [L, B, H]), x: oneHot(inputs, D), steps: T, thinkTicks: 1, readNode: { position: readPosition, maxTicks: c.maxTicks }, trace: true },
        );
        return [r.logits, r.hT, r.thinkSum, r.timeouts, (r.trace as NonNullable<typeof r.trace>).reads];
      });
      const [logits, hT, thinkSum, timeouts, reads] = await Promise.all(out.map((t) => t.data()));
      tf.dispose(out);
      disposeTopology(topo);
      expected.logits.forEach((v, i) => expect(Math.abs((logits![i] as number) - v), `logit ${i}`).toBeLessThan(1e-4));
      expected.hT.forEach((v, i) => expect(Math.abs((hT![i] as number) - v), `h ${i}`).toBeLessThan(1e-5));
      expect(Array.from(thinkSum!)).toEqual(Array.from(expected.thinkSum));
      expect(Array.from(timeouts!)).toEqual(Array.from(expected.timeouts));
      expect(Array.from(reads!)).toEqual(Array.from(expected.reads));
      // Every lane read every symbol, and the case does what its name says.
      for (let b = 0; b < B; b++) expect(expected.reads.filter((_, i) => i % B === b).reduce((x, y) => x + y, 0)).toBe(T);
      const totalTimeouts = expected.timeouts.reduce((x, y) => x + y, 0);
      if (c.silenceReadNode) expect(totalTimeouts).toBe(T * B);
      else expect(totalTimeouts).toBeLessThan(T * B);
    });
  }
});

describeBackends(
  'loopy learning rules',
  () => {
    const spec = { inputSize: D, outputSize: C, lanes: 8, seed: 2 };
    const small = { hidden: 24, degree: 3, width: 2, thinkTicks: 2, learningRate: 0.03 };
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

    it('node perturbation points along the true gradient', async () => {
      const graph = generateGraph({ generator: 'erdos-renyi', hidden: 10, inputs: D, outputs: C, readNode: false, degree: 3, selfLoops: true, seed: 7 });
      const packing = packGraph(graph, false);
      const { L, K } = packing;
      const H = 2;
      const B = 256;
      const T = 4;
      const topo = createTopology(packing, 1);
      const mask = new Float32Array(L * K * H * H);
      for (let s = 0; s < L * K; s++) if ((packing.mask[s] as number) > 0) mask.fill(1, s * H * H, (s + 1) * H * H);
      const rng = createRng(4);
      const edgeW = tf.variable(tf.tensor3d(initLoopyEdges(packing, H, 1.1, 3), [L, K * H, H]));
      const readoutW = tf.variable(tf.tensor2d(normalArray(rng, C * H * C, 1), [C * H, C]));
      const fixed = { inputW: tf.tensor3d(loopyInputWeights(D, H, 1), [D, D, H]), edgeMask: tf.tensor3d(mask, [L, K * H, H]), h0: tf.zeros([L, B, H]) as tf.Tensor3D };
      const stream = createRecallStream(B, 9, { delay: 1, symbols: D });
      const batch = stream.next(T);
      const x = oneHot(batch.inputs, D);
      const targets = oneHot(Int32Array.from(batch.targets, (t) => Math.max(t, 0)), C);
      const scored = tf.tensor1d(Float32Array.from(batch.targets, (t) => (t >= 0 ? 1 : 0)));
      const { grads } = tf.variableGrads(() => {
        const out = loopyUnroll({ edgeW: tf.mul(edgeW, fixed.edgeMask) as tf.Tensor3D, inputW: fixed.inputW, readoutW: readoutW as tf.Tensor2D }, topo, { h0: fixed.h0, x, steps: T, thinkTicks: 2 });
        return readoutLoss(out.logits, targets, scored).loss;
      }, [edgeW]);
      const truth = grads[edgeW.name] as tf.Tensor;
      // Average a few noise draws: each is unbiased, the mean is closer.
      const directions: tf.Tensor[] = [];
      for (let seed = 0; seed < 4; seed++) {
        const r = localRuleDirections({ rule: 'perturbation', edgeW, readoutW, ...fixed, topo, x, targets, scored, steps: T, thinkTicks: 2, sigma: 0.02, seed });
        directions.push(r.edgeW);
        tf.dispose([r.readoutW, r.loss, r.correct, r.scoredCount, r.hT, r.thinkSum]);
      }
      const cosine = tf.tidy(() => {
        const est = tf.reshape(tf.mean(tf.stack(directions), 0), [-1]);
        const t = tf.reshape(truth, [-1]);
        return tf.div(tf.sum(tf.mul(est, t)), tf.mul(tf.norm(est), tf.norm(t)));
      });
      const value = (await cosine.data())[0] as number;
      expect(value).toBeGreaterThan(0.3);
      tf.dispose([cosine, truth, ...directions, edgeW, readoutW, x, targets, scored, ...Object.values(fixed)]);
      disposeTopology(topo);
    });

    for (const rule of ['perturbation', 'hebbian'] as const) {
      it(`${rule}: loss falls on recall-1, no tensor leaks`, async () => {
        const before = tf.memory().numTensors;
        const model = createLoopySequenceModel(spec, { ...small, rule });
        const stream = createRecallStream(8, 5, { delay: 1, symbols: 3 });
        const probe = createRecallStream(8, 77, { delay: 1, symbols: 3 }).next(32);
        const first = await model.evaluate(probe);
        const losses: number[] = [];
        for (let i = 0; i < 150; i++) losses.push((await model.train(stream.next(8))).loss);
        expect(mean(losses.slice(-15))).toBeLessThan(0.8 * mean(losses.slice(0, 15)));
        model.resetState();
        expect((await model.evaluate(probe)).loss).toBeLessThan(first.loss);
        model.dispose();
        expect(tf.memory().numTensors).toBe(before);
      });
    }

    it('read-node pacing learns with BPTT', async () => {
      const model = createLoopySequenceModel(spec, { ...small, pacing: 'read-node', thinkTicks: 4 });
      const stream = createRecallStream(8, 5, { delay: 1, symbols: 3 });
      const losses: number[] = [];
      for (let i = 0; i < 100; i++) losses.push((await model.train(stream.next(8))).loss);
      expect(mean(losses.slice(-15))).toBeLessThan(0.7 * mean(losses.slice(0, 15)));
      model.dispose();
    });
  },
  ['wasm'],
);
