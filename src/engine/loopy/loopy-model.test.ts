/**
 * Loopy networks: the shared unroll under the loopy policy (all nodes, no
 * gates, tanh) against the plain-TS reference, and the SequenceModel's rules.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { spectralRadius } from '../baselines/esn';
import { generateGraph } from '../graph-generators';
import { createTopology, disposeTopology, readoutLoss } from '../lara/lara-forward';
import { packGraph } from '../packing';
import { createRng, normalArray } from '../random';
import { laraReference } from '../reference/lara-reference';
import { createRecallStream } from '../tasks/recall-task';
import { describeBackends } from '../testing/backends';
import { createLoopySequenceModel, initLoopyEdges } from './loopy-model';
import { loopyUnroll } from './loopy-unroll';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(1e-3, Math.abs(b));

describeBackends('loopy policy vs plain-TS reference', () => {
  it('matches values and gradients', async () => {
    const graph = generateGraph({ generator: 'erdos-renyi', hidden: 5, inputs: 3, outputs: 2, readNode: false, degree: 2, selfLoops: true, seed: 4 });
    const packing = packGraph(graph, false);
    const { L, K } = packing;
    const H = 2;
    const D = 3;
    const C = 2;
    const B = 2;
    const rng = createRng(9);
    const edgeW = normalArray(rng, L * K * H * H, 0.6);
    for (let s = 0; s < L * K; s++) if ((packing.mask[s] as number) === 0) edgeW.fill(0, s * H * H, (s + 1) * H * H);
    const inputW = normalArray(rng, D * D * H, 1);
    const readoutW = normalArray(rng, C * H * C, 0.5);
    const h0 = normalArray(rng, L * B * H, 0.3);
    const inputs = Int32Array.from([0, 2, 1, 1, 2, 0]);
    const targets = Int32Array.from([1, -1, 0, 1, 1, 0]);
    const expected = laraReference({
      packing,
      width: H,
      inputSize: D,
      outputSize: C,
      weights: { edgeW, gateU: new Float32Array(L * K * H), gateV: new Float32Array(L * K * H), inputW, readoutW },
      lanes: B,
      h0,
      threads0: [0, 0],
      inputs,
      targets,
      thinkTicks: 2,
      gate: 'none',
      routing: 'all',
      activation: 'tanh',
      exploration: 'epsilon',
    });

    const topo = createTopology(packing, 1);
    const vars = {
      edgeW: tf.variable(tf.tensor3d(edgeW, [L, K * H, H])),
      inputW: tf.variable(tf.tensor3d(inputW, [D, D, H])),
      readoutW: tf.variable(tf.tensor2d(readoutW, [C * H, C])),
    };
    const x = tf.cast(tf.oneHot(tf.tensor1d(inputs, 'int32'), D), 'float32') as tf.Tensor2D;
    const y = tf.cast(tf.oneHot(tf.tensor1d(targets.map((t) => Math.max(t, 0)), 'int32'), C), 'float32') as tf.Tensor2D;
    const scored = tf.tensor1d(Array.from(targets, (t) => (t >= 0 ? 1 : 0)));
    const hStart = tf.tensor3d(h0, [L, B, H]);
    const keep: { logits?: tf.Tensor; hT?: tf.Tensor } = {};
    const { value, grads } = tf.variableGrads(() => {
      const out = loopyUnroll({ edgeW: vars.edgeW as tf.Tensor3D, inputW: vars.inputW as tf.Tensor3D, readoutW: vars.readoutW as tf.Tensor2D }, topo, {
        h0: hStart,
        x,
        steps: 3,
        thinkTicks: 2,
      });
      keep.logits = tf.keep(out.logits);
      keep.hT = tf.keep(out.hT);
      return readoutLoss(out.logits, y, scored).loss;
    });
    expect(rel((await value.data())[0] as number, expected.loss)).toBeLessThan(1e-4);
    const logits = await (keep.logits as tf.Tensor).data();
    expected.logits.forEach((v, i) => expect(rel(logits[i] as number, v)).toBeLessThan(1e-4));
    const hT = await (keep.hT as tf.Tensor).data();
    expected.hT.forEach((v, i) => expect(Math.abs((hT[i] as number) - v)).toBeLessThan(1e-5));
    for (const name of ['edgeW', 'inputW', 'readoutW'] as const) {
      const g = await (grads[vars[name].name] as tf.Tensor).data();
      const ref = expected.grads[name];
      const scale = Math.max(...Array.from(ref, Math.abs));
      expect(scale, name).toBeGreaterThan(0);
      ref.forEach((v, i) => expect(Math.abs((g[i] as number) - v) / scale, `${name}[${i}]`).toBeLessThan(1e-3));
    }
    tf.dispose([value, ...Object.values(grads), ...Object.values(vars), x, y, scored, hStart, keep.logits as tf.Tensor, keep.hT as tf.Tensor]);
    disposeTopology(topo);
  });
});

describeBackends(
  'loopy SequenceModel',
  () => {
    const spec = { inputSize: 3, outputSize: 3, lanes: 8, seed: 2 };
    const small = { hidden: 24, degree: 3, width: 2, thinkTicks: 2, learningRate: 0.03 };

    it('learns recall-1 with truncated BPTT', async () => {
      const model = createLoopySequenceModel(spec, small);
      const stream = createRecallStream(8, 5, { delay: 1, symbols: 3 });
      const losses: number[] = [];
      for (let i = 0; i < 120; i++) losses.push((await model.train(stream.next(8))).loss);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(mean(losses.slice(-15))).toBeLessThan(0.6 * mean(losses.slice(0, 15)));
      model.dispose();
    });

    it('reservoir: the recurrent weights never change, the read-out learns', async () => {
      const before = tf.memory().numTensors;
      const model = createLoopySequenceModel(spec, { ...small, rule: 'reservoir' });
      const stream = createRecallStream(8, 5, { delay: 1, symbols: 3 });
      const cp = await model.checkpoint();
      const probe = stream.next(8);
      const first = await model.evaluate(probe);
      for (let i = 0; i < 60; i++) await model.train(stream.next(8));
      model.resetState();
      const after = await model.evaluate(probe);
      expect(after.loss).toBeLessThan(first.loss);
      cp.restore();
      model.resetState();
      expect((await model.evaluate(probe)).loss).toBeCloseTo(first.loss, 5);
      cp.dispose();
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it('removed connections stay removed through training', async () => {
      const model = createLoopySequenceModel(spec, small);
      const stream = createRecallStream(8, 5, { delay: 1, symbols: 3 });
      await model.removeConnections(1, 3); // every edge: only input drive and the read-out remain
      for (let i = 0; i < 20; i++) await model.train(stream.next(8));
      model.resetState();
      const e = await model.evaluate(stream.next(8));
      // With no recurrent edge a node's state is tanh(drive): recall-1 cannot be solved.
      expect(e.accuracy).toBeLessThan(0.6);
      model.dispose();
    });
  },
  ['wasm'],
);

describe('loopy initial weights', () => {
  it('are scaled to the requested spectral radius', () => {
    const graph = generateGraph({ generator: 'watts-strogatz', hidden: 30, inputs: 2, outputs: 2, readNode: false, degree: 4, selfLoops: true, seed: 1 });
    const packing = packGraph(graph, false);
    const H = 2;
    const w = initLoopyEdges(packing, H, 0.7, 5);
    const n = packing.L * H;
    const dense = new Float64Array(n * n);
    for (let a = 0; a < packing.L; a++)
      for (let s = 0; s < packing.K; s++) {
        if ((packing.mask[a * packing.K + s] as number) === 0) continue;
        const b = packing.source[a * packing.K + s] as number;
        for (let i = 0; i < H; i++) {
          for (let j = 0; j < H; j++) {
            const cell = (a * H + j) * n + b * H + i;
            dense[cell] = (dense[cell] as number) + (w[((a * packing.K + s) * H + i) * H + j] as number);
          }
        }
      }
    expect(spectralRadius({ n, values: dense })).toBeCloseTo(0.7, 3);
  });

  it('a feed-forward graph (radius 0) gets the scale of a loopy graph of the same fan-in, not zeros', () => {
    const opts = { hidden: 60, inputs: 2, outputs: 2, readNode: false, degree: 4, selfLoops: false, seed: 1 } as const;
    const rms = (g: 'feed-forward' | 'erdos-renyi') => {
      const packing = packGraph(generateGraph({ ...opts, generator: g }), false);
      const w = initLoopyEdges(packing, 2, 0.9, 5);
      let sum = 0;
      let n = 0;
      for (const x of w) {
        if (x === 0) continue;
        sum += x * x;
        n++;
      }
      return { rms: Math.sqrt(sum / Math.max(1, n)), nonzero: n, all: w.length };
    };
    const ff = rms('feed-forward');
    const er = rms('erdos-renyi');
    expect(ff.nonzero).toBeGreaterThan(0);
    // Same order of magnitude as the loopy graph's weights (fan-ins differ a little between generators).
    expect(ff.rms / er.rms).toBeGreaterThan(0.4);
    expect(ff.rms / er.rms).toBeLessThan(2.5);
  });
});
