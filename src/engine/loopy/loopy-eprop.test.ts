/**
 * e-prop and RFLO (loopy-eprop.ts) against their plain-TS reference, the
 * identities where e-prop is the exact gradient, determinism and leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import type { Graph } from '../graph';
import { generateGraph } from '../graph-generators';
import { createTopology, disposeTopology, readoutLoss } from '../lara/lara-forward';
import { packGraph, type Packing } from '../packing';
import { createRng, normalArray } from '../random';
import { epropReference } from '../reference/eprop-reference';
import { createRecallStream } from '../tasks/recall-task';
import { describeBackends } from '../testing/backends';
import { feedbackUsesReadout, fixedFeedbackWeights, traceRuleDirections } from './loopy-eprop';
import { createLoopySequenceModel, loopyInputWeights } from './loopy-model';
import { loopyParamsSchema, type LoopyExperiment, type LoopyFeedback, type TraceRule } from './loopy-params';
import { LoopyTrainer } from './loopy-trainer';
import { loopyUnroll } from './loopy-unroll';

const D = 3;
const C = 3;
const B = 2;

function erGraph(seed: number): Packing {
  return packGraph(generateGraph({ generator: 'erdos-renyi', hidden: 4, inputs: D, outputs: C, readNode: false, degree: 3, selfLoops: true, seed }), false);
}

/** Input, hidden and output nodes whose only edges are self-loops. */
function selfLoopGraph(): Packing {
  const roles = ['input', 'input', 'input', 'hidden', 'output', 'output', 'output'] as const;
  const graph: Graph = {
    nodes: roles.map((role, id) => ({ id, role })),
    edges: roles.map((_, id) => ({ id, source: id, target: id })),
    nextNodeId: roles.length,
    nextEdgeId: roles.length,
  };
  return packGraph(graph, true);
}

interface Case {
  readonly packing: Packing;
  readonly H: number;
  readonly T: number;
  readonly thinkTicks: number;
  readonly leak: number;
  readonly seed: number;
  /** Start traces nonzero (a carried window) or from zero. */
  readonly carried: boolean;
}

function caseData(c: Case) {
  const { L, K } = c.packing;
  const H = c.H;
  const rng = createRng(c.seed, 21);
  const edgeW = normalArray(rng, L * K * H * H, 0.7);
  for (let s = 0; s < L * K; s++) if ((c.packing.mask[s] as number) === 0) edgeW.fill(0, s * H * H, (s + 1) * H * H);
  const edgeMask = new Float32Array(L * K * H * H);
  for (let s = 0; s < L * K; s++) if ((c.packing.mask[s] as number) > 0) edgeMask.fill(1, s * H * H, (s + 1) * H * H);
  const nRead = c.packing.readPositions.length;
  const readoutW = normalArray(rng, nRead * H * C, 0.8);
  const h0 = normalArray(rng, L * B * H, 0.4);
  const traces0 = c.carried ? normalArray(rng, L * B * K * H * H, 0.3) : new Float32Array(L * B * K * H * H);
  for (let a = 0; a < L; a++) {
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < K; s++) if ((c.packing.mask[a * K + s] as number) === 0) traces0.fill(0, ((a * B + b) * K + s) * H * H, ((a * B + b) * K + s + 1) * H * H);
    }
  }
  const inputs = Int32Array.from({ length: c.T * B }, () => Math.floor(rng.next() * D));
  // The first symbol of lane 0 is not scored.
  const targets = Int32Array.from({ length: c.T * B }, (_, i) => (i === 0 ? -1 : Math.floor(rng.next() * C)));
  const feedback = (kind: LoopyFeedback) => ({ fixed: fixedFeedbackWeights(kind, L, H, C, c.packing.readPositions, c.seed + 1) ?? undefined, readOut: feedbackUsesReadout(kind) });
  return { edgeW, edgeMask, readoutW, h0, traces0, inputs, targets, feedback, inputW: loopyInputWeights(D, H, 1.2) };
}

type Data = ReturnType<typeof caseData>;

function oneHot(values: Int32Array, size: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(values, (v) => Math.max(v, 0)), 'int32'), size), 'float32') as tf.Tensor2D);
}

/** One tfjs update; returns host copies of its directions, loss, state and traces. */
async function deviceUpdate(c: Case, d: Data, rule: TraceRule, kind: LoopyFeedback) {
  const { L, K } = c.packing;
  const H = c.H;
  const topo = createTopology(c.packing, 1);
  const initial = [tf.tensor3d(d.edgeW, [L, K * H, H]), tf.tensor2d(d.readoutW, [c.packing.readPositions.length * H, C])] as const;
  const edgeW = tf.variable(initial[0]);
  const readoutW = tf.variable(initial[1]);
  const fixed = {
    inputW: tf.tensor3d(d.inputW, [D, D, H]),
    edgeMask: tf.tensor3d(d.edgeMask, [L, K * H, H]),
    h0: tf.tensor3d(d.h0, [L, B, H]),
    traces0: tf.tensor4d(d.traces0, [L, B, K * H, H]),
    x: oneHot(d.inputs, D),
    targets: oneHot(d.targets, C),
    scored: tf.tensor1d(Float32Array.from(d.targets, (t) => (t >= 0 ? 1 : 0))),
  };
  const fb = d.feedback(kind);
  const feedback = { fixed: fb.fixed ? tf.tensor3d(fb.fixed, [L, H, C]) : null, readOut: fb.readOut };
  const r = traceRuleDirections({
    rule,
    edgeW,
    readoutW,
    ...fixed,
    topo,
    steps: c.T,
    thinkTicks: c.thinkTicks,
    leak: c.leak,
    feedback,
  });
  const [dW, dR, loss, hT, traces] = await Promise.all([r.edgeW, r.readoutW, r.loss, r.hT, r.traces].map((t) => t.data()));
  tf.dispose([r.edgeW, r.readoutW, r.loss, r.hT, r.traces, r.correct, r.scoredCount, r.thinkSum, edgeW, readoutW, ...initial, ...Object.values(fixed), ...(feedback.fixed ? [feedback.fixed] : [])]);
  disposeTopology(topo);
  return { edgeW: dW as Float32Array, readoutW: dR as Float32Array, loss: (loss as Float32Array)[0] as number, hT: hT as Float32Array, traces: traces as Float32Array };
}

/** The true gradient of the window's loss with respect to the recurrent weights (BPTT through the window, from the same start state). */
async function bpttGradient(c: Case, d: Data): Promise<Float32Array> {
  const { L, K } = c.packing;
  const H = c.H;
  const topo = createTopology(c.packing, 1);
  const initial = tf.tensor3d(d.edgeW, [L, K * H, H]);
  const edgeW = tf.variable(initial);
  const g = tf.tidy(() => {
    const mask = tf.tensor3d(d.edgeMask, [L, K * H, H]);
    const x = oneHot(d.inputs, D);
    const targets = oneHot(d.targets, C);
    const scored = tf.tensor1d(Float32Array.from(d.targets, (t) => (t >= 0 ? 1 : 0)));
    const { grads } = tf.variableGrads(() => {
      const w = { edgeW: tf.mul(edgeW, mask) as tf.Tensor3D, inputW: tf.tensor3d(d.inputW, [D, D, H]), readoutW: tf.tensor2d(d.readoutW, [c.packing.readPositions.length * H, C]) };
      const out = loopyUnroll(w, topo, { h0: tf.tensor3d(d.h0, [L, B, H]), x, steps: c.T, thinkTicks: c.thinkTicks, leak: c.leak });
      return readoutLoss(out.logits, targets, scored).loss;
    }, [edgeW]);
    return tf.mul(grads[edgeW.name] as tf.Tensor, mask);
  });
  const out = (await g.data()) as Float32Array;
  tf.dispose([g, edgeW, initial]);
  disposeTopology(topo);
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i] as number));
  for (let i = 0; i < expected.length; i++) expect(Math.abs((actual[i] as number) - (expected[i] as number)), `${label} ${i}`).toBeLessThan(tol * Math.max(1, scale));
}

describeBackends('e-prop and RFLO vs plain-TS reference', () => {
  const cases: (Case & { name: string })[] = [
    { name: 'single neurons, no leak, fresh traces', packing: erGraph(3), H: 1, T: 3, thinkTicks: 2, leak: 0, seed: 1, carried: false },
    { name: 'width 2, leak 0.6, carried traces', packing: erGraph(5), H: 2, T: 3, thinkTicks: 2, leak: 0.6, seed: 2, carried: true },
    { name: 'single neurons, leak 0.3, carried traces', packing: erGraph(7), H: 1, T: 3, thinkTicks: 2, leak: 0.3, seed: 3, carried: true },
  ];
  for (const c of cases) {
    for (const rule of ['eprop', 'rflo'] as const) {
      for (const feedback of ['random', 'symmetric', 'mixed'] as const) {
        it(`${rule}, ${feedback} feedback: ${c.name}`, async () => {
          const d = caseData(c);
          const before = tf.memory().numTensors;
          const got = await deviceUpdate(c, d, rule, feedback);
          expect(tf.memory().numTensors).toBe(before);
          const ref = epropReference({
            rule,
            packing: c.packing,
            width: c.H,
            inputSize: D,
            outputSize: C,
            ...d,
            lanes: B,
            thinkTicks: c.thinkTicks,
            leak: c.leak,
            feedback: d.feedback(feedback),
          });
          expect(Math.abs(got.loss - ref.loss)).toBeLessThan(1e-5);
          expectClose(got.hT, ref.hT, 1e-5, 'hT');
          expectClose(got.traces, ref.traces, 1e-5, 'traces');
          expectClose(got.readoutW, ref.readoutW, 1e-5, 'read-out');
          expectClose(got.edgeW, ref.edgeW, 1e-5, 'edgeW');
          // The case is not trivial: the update moves some recurrent weight.
          expect(ref.edgeW.some((v) => Math.abs(v) > 1e-4)).toBe(true);
        });
      }
    }
  }

  it('e-prop and RFLO differ where a node has a self-loop, and agree without recurrence in the trace', async () => {
    const c: Case = { packing: erGraph(3), H: 1, T: 3, thinkTicks: 2, leak: 0, seed: 4, carried: false };
    const d = caseData(c);
    const e = await deviceUpdate(c, d, 'eprop', 'random');
    const r = await deviceUpdate(c, d, 'rflo', 'random');
    let diff = 0;
    for (let i = 0; i < e.edgeW.length; i++) diff = Math.max(diff, Math.abs((e.edgeW[i] as number) - (r.edgeW[i] as number)));
    expect(diff).toBeGreaterThan(1e-4);
    // With all self-loops zeroed, e-prop's diagonal term vanishes: the rules are one.
    const { K } = c.packing;
    const noSelf = { ...d, edgeW: d.edgeW.slice() };
    for (let s = 0; s < c.packing.L * K; s++) if (c.packing.source[s] === Math.floor(s / K)) noSelf.edgeW[s] = 0;
    const e0 = await deviceUpdate(c, noSelf, 'eprop', 'random');
    const r0 = await deviceUpdate(c, noSelf, 'rflo', 'random');
    expectClose(e0.edgeW, r0.edgeW, 1e-6, 'no self-loops');
  });
});

describeBackends('e-prop is the true gradient where it should be', () => {
  it('one tick, fresh traces, symmetric feedback: e-prop and RFLO equal BPTT truncated to that tick', async () => {
    for (const leak of [0, 0.4]) {
      const c: Case = { packing: erGraph(9), H: 2, T: 1, thinkTicks: 1, leak, seed: 5, carried: false };
      const d = caseData(c);
      const g = await bpttGradient(c, d);
      expect(g.some((v) => Math.abs(v) > 1e-3)).toBe(true);
      expectClose((await deviceUpdate(c, d, 'eprop', 'symmetric')).edgeW, g, 1e-5, `e-prop, leak ${leak}`);
      expectClose((await deviceUpdate(c, d, 'rflo', 'symmetric')).edgeW, g, 1e-5, `RFLO, leak ${leak}`);
    }
  });

  it('self-loops only, every node read, |λ + ψ W_jj| < 1 (the clip idle): e-prop with symmetric feedback is exact over many ticks; RFLO is not', async () => {
    const c: Case = { packing: selfLoopGraph(), H: 1, T: 3, thinkTicks: 3, leak: 0.3, seed: 6, carried: false };
    const raw = caseData(c);
    const d = { ...raw, edgeW: raw.edgeW.map((w) => 0.4 * w) };
    expect(d.edgeW.every((w) => 0.3 + 0.7 * Math.abs(w) < 1)).toBe(true);
    const g = await bpttGradient(c, d);
    expectClose((await deviceUpdate(c, d, 'eprop', 'symmetric')).edgeW, g, 1e-5, 'e-prop');
    const r = (await deviceUpdate(c, d, 'rflo', 'symmetric')).edgeW;
    let diff = 0;
    for (let i = 0; i < g.length; i++) diff = Math.max(diff, Math.abs((r[i] as number) - (g[i] as number)));
    expect(diff).toBeGreaterThan(1e-3);
  });
});

describeBackends('e-prop and RFLO in the sequence model', () => {
  for (const rule of ['eprop', 'rflo'] as const) {
    it(`${rule}: seeded runs are equal, and nothing leaks`, async () => {
      const spec = { inputSize: 4, outputSize: 4, lanes: 4, seed: 11 };
      const run = async (): Promise<number[]> => {
        const stream = createRecallStream(4, 3, { delay: 1, symbols: 4 });
        const model = createLoopySequenceModel(spec, { rule, hidden: 12, degree: 3, leak: 0.5, learningRate: 0.02 });
        const losses: number[] = [];
        for (let i = 0; i < 4; i++) losses.push((await model.train(stream.next(6))).loss);
        await model.evaluate(stream.next(6));
        model.resetState();
        losses.push((await model.train(stream.next(6))).loss);
        model.dispose();
        return losses;
      };
      const before = tf.memory().numTensors;
      const a = await run();
      expect(tf.memory().numTensors).toBe(before);
      const b = await run();
      expect(b).toEqual(a);
      expect(a.every(Number.isFinite)).toBe(true);
    });
  }
});

describeBackends(
  'e-prop and RFLO in the lab trainer',
  () => {
    for (const [rule, feedback, pacing] of [['eprop', 'symmetric', 'fixed'], ['rflo', 'symmetric', 'read-node']] as const) {
      it(`${rule} (${feedback} feedback, ${pacing} pacing, leak): learns the lab task, seeded, no leaks`, async () => {
        const experiment: LoopyExperiment = {
          model: 'loopy',
          task: 'recall',
          seed: 3,
          params: loopyParamsSchema.parse({ hidden: 48, batch: 8, window: 8, learningRate: 0.03, rule, feedback, leak: 0.3, pacing, thinkTicks: 4 }),
        };
        const before = tf.memory().numTensors;
        const run = async (steps: number): Promise<number[]> => {
          const t = LoopyTrainer.create(experiment);
          const losses: number[] = [];
          for (let i = 0; i < steps; i++) losses.push((await t.trainStep()).stats.loss);
          t.dispose();
          return losses;
        };
        const losses = await run(60);
        expect(tf.memory().numTensors).toBe(before);
        const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
        expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)));
        expect(await run(5)).toEqual(losses.slice(0, 5));
      });
    }
  },
  ['wasm'],
);

it('parameters from before e-prop (no leak, no feedback) parse to the plain tanh tick and random feedback', () => {
  const old = { generator: 'erdos-renyi', hidden: 64, degree: 4, rule: 'tbptt', learningRate: 0.01, thinkTicks: 3 };
  const p = loopyParamsSchema.parse(old);
  expect(p.leak).toBe(0);
  expect(p.feedback).toBe('random');
});
