/**
 * The sparse loopy unroll (edge list, kernels/edge-spmm.ts) against the padded one it replaces: values, kept
 * ticks, traces and gradients equal within rounding, under fixed and read-node pacing, with a leak and node
 * noise; the model's rules on either layout; and the sparse spectral radius against the dense one.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { spectralRadius } from '../baselines/esn';
import { generateGraph } from '../graph-generators';
import { createTopology, disposeTopology, readoutLoss } from '../lara/lara-forward';
import { packGraph } from '../packing';
import { createRng, normalArray, randInt } from '../random';
import { createRecallStream } from '../tasks/recall-task';
import { describeBackends } from '../testing/backends';
import { createLoopySequenceModel, loopyEdgeLayout } from './loopy-model';
import { sparseSpectralRadius } from './loopy-spectral';
import { createLoopyEdges, disposeLoopyEdges, loopyTicks, loopyUnroll, type LoopyUnrollInput } from './loopy-unroll';

async function expectClose(a: tf.Tensor, b: tf.Tensor, tol: number): Promise<void> {
  expect(a.shape).toEqual(b.shape);
  const [x, y] = await Promise.all([a.data(), b.data()]);
  let worst = 0;
  x.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (y[i] as number)) / (1 + Math.abs(y[i] as number)))));
  expect(worst).toBeLessThan(tol);
}

interface Case {
  readonly name: string;
  readonly H: number;
  readonly pacing: 'fixed' | 'read-node';
  readonly leak: number;
  readonly noise: boolean;
  readonly keepTicks: boolean;
}

const CASES: readonly Case[] = [
  { name: 'single neurons, fixed pacing', H: 1, pacing: 'fixed', leak: 0, noise: false, keepTicks: false },
  { name: 'width 3, leak, node noise, kept ticks', H: 3, pacing: 'fixed', leak: 0.4, noise: true, keepTicks: true },
  { name: 'single neurons, read-node pacing, kept ticks', H: 1, pacing: 'read-node', leak: 0, noise: false, keepTicks: true },
  { name: 'width 2, read-node pacing, leak', H: 2, pacing: 'read-node', leak: 0.3, noise: true, keepTicks: false },
];

describeBackends('sparse loopy unroll vs padded', (backend) => {
  for (const c of CASES) {
    it(`${c.name}: values and gradients equal`, async () => {
      const before = tf.memory().numTensors;
      const graph = generateGraph({ generator: 'erdos-renyi', hidden: 30, inputs: 3, outputs: 2, readNode: c.pacing === 'read-node', degree: 4, selfLoops: true, seed: 11 });
      const packing = packGraph(graph, false);
      const { L, K } = packing;
      const [H, D, C, B, T, thinkTicks] = [c.H, 3, 2, 3, 4, 3];
      const rng = createRng(5);
      const edgeW = normalArray(rng, L * K * H * H, 0.5);
      for (let s = 0; s < L * K; s++) if ((packing.mask[s] as number) === 0) edgeW.fill(0, s * H * H, (s + 1) * H * H);
      const topo = createTopology(packing, 1);
      const edges = createLoopyEdges(topo);
      const readNode = c.pacing === 'read-node' ? { position: L - 1, maxTicks: 4 } : undefined;
      const ticks = loopyTicks(T, thinkTicks, readNode);
      const vars = {
        edgeW: tf.tidy(() => tf.variable(tf.tensor3d(edgeW, [L, K * H, H]))),
        readoutW: tf.tidy(() => tf.variable(tf.tensor2d(normalArray(rng, topo.readCount * H * C, 0.5), [topo.readCount * H, C]))),
        h0: tf.tidy(() => tf.variable(tf.tensor3d(normalArray(rng, L * B * H, 0.5), [L, B, H]))),
      };
      const inputW = tf.tensor3d(normalArray(rng, D * D * H, 1), [D, D, H]);
      const x = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from({ length: T * B }, () => randInt(rng, D)), 'int32'), D).toFloat()) as tf.Tensor2D;
      const targets = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from({ length: T * B }, () => randInt(rng, C)), 'int32'), C).toFloat()) as tf.Tensor2D;
      const scored = tf.ones([T * B]) as tf.Tensor1D;
      const nodeNoise = c.noise ? (tf.tensor4d(normalArray(rng, ticks * L * B * H, 0.1), [ticks, L, B, H]) as tf.Tensor4D) : undefined;
      const run = (sparse: boolean) => {
        const kept: tf.Tensor[] = [];
        const { value, grads } = tf.variableGrads(() => {
          const input: LoopyUnrollInput = { h0: vars.h0 as tf.Tensor3D, x, steps: T, thinkTicks, readNode, leak: c.leak, nodeNoise, keepTicks: c.keepTicks, trace: true, edges: sparse ? edges : undefined };
          const out = loopyUnroll({ edgeW: vars.edgeW as tf.Tensor3D, inputW, readoutW: vars.readoutW as tf.Tensor2D }, topo, input);
          kept.push(...[out.logits, out.hT, out.thinkSum, out.timeouts, out.trace?.activity, out.trace?.reads].map((t) => tf.keep(t as tf.Tensor)));
          if (out.kept) kept.push(...[out.kept.sources, out.kept.states, out.kept.rates, out.kept.reads].map((t) => tf.keep(t)));
          return readoutLoss(out.logits, targets, scored).loss;
        });
        return { value, grads: [grads[vars.edgeW.name], grads[vars.readoutW.name], grads[vars.h0.name]] as tf.Tensor[], kept };
      };
      const padded = run(false);
      const sparse = run(true);
      expect(sparse.kept.length).toBe(padded.kept.length);
      await expectClose(sparse.value, padded.value, 1e-5);
      for (let i = 0; i < padded.kept.length; i++) await expectClose(sparse.kept[i] as tf.Tensor, padded.kept[i] as tf.Tensor, 1e-5);
      for (let i = 0; i < 3; i++) await expectClose(sparse.grads[i] as tf.Tensor, padded.grads[i] as tf.Tensor, 1e-4);
      // Padding slots get no gradient on the sparse path (the padded path masks them to zero too).
      const gW = await (sparse.grads[0] as tf.Tensor).data();
      for (let s = 0; s < L * K; s++) if ((packing.mask[s] as number) === 0) for (let k = 0; k < H * H; k++) expect(gW[s * H * H + k]).toBe(0);
      tf.dispose([padded.value, sparse.value, ...padded.grads, ...sparse.grads, ...padded.kept, ...sparse.kept]);
      tf.dispose([inputW, x, targets, scored, ...(nodeNoise ? [nodeNoise] : []), ...Object.values(vars)]);
      disposeLoopyEdges(edges);
      disposeTopology(topo);
      expect(tf.memory().numTensors, backend).toBe(before);
    });
  }

  for (const rule of ['tbptt', 'bptt', 'reservoir'] as const) {
    it(`${rule}: the model trains the same on either layout`, async () => {
      expect(loopyEdgeLayout(rule)).toBe('sparse');
      const before = tf.memory().numTensors;
      const spec = { inputSize: 4, outputSize: 4, lanes: 2, seed: 3 };
      const params = { hidden: 40, degree: 5, rule, width: 2, leak: 0.2 };
      const losses = async (edges: 'sparse' | 'padded'): Promise<number[]> => {
        const model = createLoopySequenceModel(spec, params, { edges });
        const stream = createRecallStream(2, 8, { delay: 2, symbols: 4 });
        const out: number[] = [];
        for (let i = 0; i < 3; i++) out.push((await model.train(stream.next(8))).loss);
        out.push((await model.evaluate(stream.next(8))).loss);
        model.dispose();
        return out;
      };
      const [s, p] = [await losses('sparse'), await losses('padded')];
      s.forEach((v, i) => expect(Math.abs(v - (p[i] as number))).toBeLessThan(1e-4 * (1 + Math.abs(p[i] as number))));
      expect(tf.memory().numTensors, backend).toBe(before);
    });
  }

  it('local and trace rules stay on the padded slots', () => {
    for (const rule of ['hebbian', 'perturbation', 'eprop', 'rflo'] as const) expect(loopyEdgeLayout(rule, { edges: 'sparse' })).toBe('padded');
  });
});

it('the sparse spectral radius equals the dense one', () => {
  const rng = createRng(2);
  const n = 40;
  const rows = Int32Array.from({ length: 200 }, () => randInt(rng, n));
  const cols = Int32Array.from({ length: 200 }, () => randInt(rng, n));
  const values = Float64Array.from(normalArray(rng, 200, 1));
  const dense = new Float64Array(n * n);
  rows.forEach((r, k) => (dense[r * n + (cols[k] as number)] = (dense[r * n + (cols[k] as number)] as number) + (values[k] as number)));
  expect(sparseSpectralRadius({ n, rows, cols, values }, 7)).toBe(spectralRadius({ n, values: dense }, 7));
});
