/** Per-output biases, density, SET and RigL regrowth: tfjs against the plain-TS references, finite differences, the extinction rules, the trainer. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createRng } from '../random';
import { dnaPerOutputReference } from '../reference/dna-bias-reference';
import { denseGradientReference, riglPickReference } from '../reference/dna-regrowth-reference';
import { describeBackends } from '../testing/backends';
import type { TopologyEvent } from '../training/step-result';
import { dnaGraphProblem } from './dna-document';
import { extinction, initialPairs, pairsOf, type Cells, type ExtinctionSettings } from './dna-extinction';
import { createWiring, denseGradient, disposeWiring, dnaLogits, dnaLoss } from './dna-layer';
import { dnaParamsSchema, type DnaExperiment, type DnaParamsInput } from './dna-params';
import { DnaTrainer } from './dna-trainer';

// D = 3, C = 3; a parallel pair (0 -> 0 twice); pair 1 -> 0 is absent.
const TINY = {
  D: 3,
  C: 3,
  input: Int32Array.of(0, 0, 1, 2, 2, 1),
  output: Int32Array.of(0, 0, 1, 0, 2, 2),
  w: Float32Array.of(0.7, -0.4, 1.3, 0.5, -0.9, 0.2),
  b: Float32Array.of(0.1, -0.2, 0.05, 0, 0.3, -0.1),
  bias: Float32Array.of(0.2, -0.3, 0.15),
  x: Float32Array.of(0.5, -1, 0.25, 1.5, 0.2, -0.7, -0.3, 0.8, 1.1, 0, -0.5, 0.9),
  labels: Int32Array.of(0, 2, 1, 2),
};

function loss(input: Int32Array, output: Int32Array, w: Float32Array, b: Float32Array, perOutput: boolean): number {
  const wiring = createWiring(input, output, TINY.D, TINY.C, perOutput);
  const l = tf.tidy(() => {
    const targets = tf.oneHot(tf.tensor1d(TINY.labels, 'int32'), TINY.C).toFloat() as tf.Tensor2D;
    return dnaLoss(dnaLogits(tf.tensor2d(TINY.x, [4, TINY.D]), tf.tensor1d(w), tf.tensor1d(b), wiring), targets);
  });
  const v = l.arraySync();
  l.dispose();
  disposeWiring(wiring);
  return v;
}

const central = (f: (delta: number) => number, eps = 1e-2): number => (f(eps) - f(-eps)) / (2 * eps);

describeBackends('DNA per-output biases and the dense gradient vs the plain-TS references', () => {
  it('per-output biases: logits, loss and gradients agree; finite differences of one w and one bias match', async () => {
    const ref = dnaPerOutputReference(TINY, TINY.bias, TINY.x, TINY.labels, TINY.D, TINY.C);
    const wiring = createWiring(TINY.input, TINY.output, TINY.D, TINY.C, true);
    const w = tf.variable(tf.tensor1d(TINY.w));
    const b = tf.variable(tf.tensor1d(TINY.bias));
    const x = tf.tensor2d(TINY.x, [4, TINY.D]);
    const targets = tf.oneHot(tf.tensor1d(TINY.labels, 'int32'), TINY.C).toFloat() as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const kept: tf.Tensor[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const logits = dnaLogits(x, w as tf.Tensor1D, b as tf.Tensor1D, wiring);
      kept.push(tf.keep(logits));
      return dnaLoss(logits, targets);
    }, [w, b]);
    const close = async (t: tf.Tensor, want: Float64Array): Promise<void> => {
      const got = await t.data();
      expect(got.length).toBe(want.length);
      want.forEach((v, k) => expect(got[k]).toBeCloseTo(v, 5));
    };
    await close(kept[0] as tf.Tensor, ref.logits);
    await close(grads[w.name] as tf.Tensor, ref.gradW);
    await close(grads[b.name] as tf.Tensor, ref.gradBias);
    expect((await value.data())[0]).toBeCloseTo(ref.loss, 5);
    tf.dispose([value, ...Object.values(grads), ...kept]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, b, x, targets]);
    disposeWiring(wiring);

    const fdW = central((d) => loss(TINY.input, TINY.output, Float32Array.from(TINY.w, (v, k) => (k === 3 ? v + d : v)), TINY.bias, true));
    const fdB = central((d) => loss(TINY.input, TINY.output, TINY.w, Float32Array.from(TINY.bias, (v, k) => (k === 1 ? v + d : v)), true));
    expect(fdW).toBeCloseTo(ref.gradW[3] as number, 3);
    expect(fdB).toBeCloseTo(ref.gradBias[1] as number, 3);
  });

  it('dense gradient: equals the reference, and an absent pair’s entry is the finite difference of a zero-weight cell there', async () => {
    const ref = denseGradientReference(TINY, TINY.x, TINY.labels, TINY.D, TINY.C);
    const wiring = createWiring(TINY.input, TINY.output, TINY.D, TINY.C);
    const g = tf.tidy(() =>
      denseGradient(
        tf.tensor2d(TINY.x, [4, TINY.D]),
        tf.oneHot(tf.tensor1d(TINY.labels, 'int32'), TINY.C).toFloat() as tf.Tensor2D,
        tf.tensor1d(TINY.w),
        tf.tensor1d(TINY.b),
        wiring,
      ),
    );
    const got = await g.data();
    expect(g.shape).toEqual([TINY.D, TINY.C]);
    ref.forEach((v, k) => expect(got[k]).toBeCloseTo(v, 5));
    g.dispose();
    disposeWiring(wiring);
    // A seventh cell 1 -> 0 with w = 0 leaves the loss as it is; its finite difference is G[1·C + 0].
    const input = Int32Array.of(...TINY.input, 1);
    const output = Int32Array.of(...TINY.output, 0);
    const fd = central((d) => loss(input, output, Float32Array.of(...TINY.w, d), Float32Array.of(...TINY.b, 0), false));
    expect(Math.abs(ref[1 * TINY.C + 0] as number)).toBeGreaterThan(0.01);
    expect(fd).toBeCloseTo(ref[1 * TINY.C + 0] as number, 3);
  });
});

/** D = 6 inputs, C = 3 outputs, 9 cells on distinct pairs, passthrough rising with the index. */
function sparse(): Cells {
  const pairs = [0, 2, 4, 5, 7, 9, 11, 13, 16];
  return {
    ids: Int32Array.from(pairs),
    input: Int32Array.from(pairs, (p) => Math.floor(p / 3)),
    output: Int32Array.from(pairs, (p) => p % 3),
    w: Float32Array.from(pairs, (_, c) => 0.1 + 0.05 * c),
    b: new Float32Array(pairs.length),
    passthrough: Float32Array.from(pairs, (_, c) => c + 1),
  };
}
const settings = (regrowth: 'set' | 'rigl'): ExtinctionSettings => ({ extinction: 'percent', splitPercent: 20, deletePercent: 34, initialWeight: 0.1, regrowth });
// Distinct |G| per pair so the pick has no ties.
const GRADIENT = Float64Array.from({ length: 18 }, (_, p) => Math.sin(3.1 * p + 0.4) * (1 + p / 10));
const ctx = (seed: number) => ({ rng: createRng(seed), nextEdgeId: 18, tick: 3, outputNodeIds: [6, 7, 8], maxCells: 72, inputSize: 6, classes: 3, denseGradient: GRADIENT });

describe('DNA regrowth (SET, RigL) and density', () => {
  it('RigL: the bottom cells die, as many pairs regrow where |dense gradient| of absent pairs is largest (the reference’s pick), w = b = 0, no splits', () => {
    const cells = sparse();
    const r = extinction(cells, settings('rigl'), ctx(1));
    const deaths = r.events.filter((e) => e.kind === 'death');
    const births = r.events.filter((e) => e.kind === 'birth');
    // ceil(9 · 34%) = 4 die; the weakest cells 0..3 (ids 0, 2, 4, 5) but each output keeps its strongest.
    expect(deaths.map((e) => e.edgeIds[0]).sort((a, b) => (a as number) - (b as number))).toEqual([0, 2, 4, 5]);
    expect(births.length).toBe(4);
    expect(births.every((e) => e.cause === 'birth' && e.parentEdgeId === undefined)).toBe(true);
    const survivors = Array.from(cells.ids.keys()).filter((c) => c >= 4);
    const want = riglPickReference(GRADIENT, pairsOf(cells, 3, survivors), 4);
    const grown = births.map((e) => r.cells.ids.indexOf(e.edgeIds[0] as number));
    expect(grown.map((k) => (r.cells.input[k] as number) * 3 + (r.cells.output[k] as number))).toEqual(want);
    expect(grown.map((k) => [r.cells.w[k], r.cells.b[k], r.cells.passthrough[k], r.origin[k]])).toEqual(want.map(() => [0, 0, 0, -1]));
    births.forEach((e, k) => expect(e.nodeId).toBe(6 + ((want[k] as number) % 3)));
    expect(pairsOf(r.cells, 3).size).toBe(9);
    expect(r.cells.ids.length).toBe(9);
    expect(Array.from(r.cells.ids.slice(5))).toEqual([18, 19, 20, 21]);
  });

  it('SET: uniform among absent pairs, seeded: the same seed picks the same pairs, others differ; pair count kept', () => {
    const cells = sparse();
    const picks = (seed: number): string => {
      const r = extinction(cells, settings('set'), { ...ctx(seed), denseGradient: undefined as unknown as Float64Array });
      const kept = pairsOf(cells, 3, Array.from(cells.ids.keys()).filter((c) => c >= 4));
      const grown = r.cells.ids.length - 5;
      const pairs = Array.from({ length: grown }, (_, g) => (r.cells.input[5 + g] as number) * 3 + (r.cells.output[5 + g] as number));
      expect(pairs.every((p) => !kept.has(p))).toBe(true);
      expect(new Set(pairs).size).toBe(4);
      expect(pairsOf(r.cells, 3).size).toBe(9);
      return pairs.join(',');
    };
    expect(picks(7)).toBe(picks(7));
    expect(new Set([1, 2, 3, 4, 5, 6, 7, 8].map(picks)).size).toBeGreaterThan(3);
  });

  it('RigL without a gradient of the right size refuses', () => {
    expect(() => extinction(sparse(), settings('rigl'), { ...ctx(1), denseGradient: new Float64Array(3) })).toThrow(/dense gradient/);
  });

  it('initial pairs: round(density·D·C), every output fed, seeded, sorted; density 1 is fully connected', () => {
    const a = initialPairs(784, 10, 0.5, createRng(3));
    expect(a.length).toBe(3920);
    expect(new Set(a).size).toBe(3920);
    expect(Array.from(a)).toEqual(Array.from(a).sort((x, y) => x - y));
    expect(Array.from(initialPairs(784, 10, 0.5, createRng(3)))).toEqual(Array.from(a));
    expect(Array.from(initialPairs(784, 10, 0.5, createRng(4)))).not.toEqual(Array.from(a));
    const tiny = initialPairs(784, 10, 0.05, createRng(9));
    for (let j = 0; j < 10; j++) expect(tiny.some((p) => p % 10 === j)).toBe(true);
    expect(initialPairs(2, 2, 0.05, createRng(1)).length).toBe(2);
    expect(initialPairs(3, 2, 1, createRng(1))).toEqual(Int32Array.of(0, 1, 2, 3, 4, 5));
  });
});

const experiment = (over: DnaParamsInput, seed = 5, task: DnaExperiment['task'] = 'xor'): DnaExperiment => ({
  model: 'dna',
  task,
  seed,
  params: dnaParamsSchema.parse({ batch: 25, learningRate: 0.1, warmupEpochs: 1, patience: 1, deletePercent: 25, ...over }),
});

async function trainEpochs(t: DnaTrainer, epochs: number) {
  const results = [];
  while (t.tick < epochs) results.push(await t.trainStep());
  return results;
}

/** Each output's bias in an export: the sum of its cells' cellB. */
async function outputBiases(t: DnaTrainer): Promise<number[]> {
  const m = await t.exportModel();
  const sums = [0, 0];
  m.graph.edges.forEach((e, k) => (sums[e.target - 2] = (sums[e.target - 2] as number) + (m.tensors.cellB?.values[k] as number)));
  return sums;
}

describeBackends('DnaTrainer with regrowth and per-output biases', () => {
  it('RigL at density 0.75 on xor: cells die and regrow, the pair count stays 3, the graph stays valid, no tensor leaks', async () => {
    const t = await DnaTrainer.create(experiment({ density: 0.75, regrowth: 'rigl' }));
    expect(t.cellCount).toBe(3);
    await trainEpochs(t, 1);
    const before = tf.memory().numTensors;
    const events: TopologyEvent[] = [];
    while (t.tick < 10) events.push(...(await t.trainStep()).events);
    expect(tf.memory().numTensors).toBe(before);
    expect(events.filter((e) => e.kind === 'birth' && e.cause === 'birth').length).toBeGreaterThan(0);
    expect(events.filter((e) => e.kind === 'birth').length).toBe(events.filter((e) => e.kind === 'death').length);
    expect(new Set(t.currentGraph.edges.map((e) => `${e.source}>${e.target}`)).size).toBe(3);
    expect(dnaGraphProblem(t.currentExperiment, t.currentGraph)).toBeNull();
    t.dispose();
  });

  it('per-output biases: an extinction step moves an output’s bias by no more than one Adam step (the dead cells take none with them)', async () => {
    const t = await DnaTrainer.create(experiment({ splitPercent: 50, regrowth: 'split', bias: 'per-output' }));
    let events = 0;
    while (t.tick < 12) {
      const before = await outputBiases(t);
      const r = await t.trainStep();
      if (r.events.some((e) => e.kind === 'death')) {
        events++;
        const after = await outputBiases(t);
        // Adam moves a parameter by about lr per step, at most lr·(1 + small) with bias correction.
        after.forEach((v, j) => expect(Math.abs(v - (before[j] as number))).toBeLessThan(0.1 * 1.5));
      }
    }
    expect(events).toBeGreaterThan(0);
    t.dispose();
  });

  it('export -> fromModel gives the same predictions for both bias modes; a per-cell file loads as per-output with the same function', async () => {
    for (const bias of ['per-output', 'per-cell'] as const) {
      const t = await DnaTrainer.create(experiment({ density: 0.75, regrowth: 'rigl', bias }));
      await trainEpochs(t, 4);
      const model = await t.exportModel();
      const u = await DnaTrainer.fromModel(t.currentExperiment, model, t.step);
      const want = Array.from(await t.predict());
      expect(Array.from(await u.predict())).toEqual(want);
      const v = (await t.suspend())();
      expect(Array.from(await v.predict())).toEqual(want);
      expect((await v.trainStep()).stats.loss).toBe((await t.trainStep()).stats.loss);
      if (bias === 'per-cell') {
        // A file from before the option: its params lack bias, regrowth and density, so it parses as per-output.
        const { bias: _b, regrowth: _r, density: _d, ...older } = u.currentExperiment.params;
        const old = await DnaTrainer.fromModel({ ...u.currentExperiment, params: dnaParamsSchema.parse(older) }, model, u.step);
        expect(old.currentExperiment.params.bias).toBe('per-output');
        const got = Array.from(await old.predict());
        const now = Array.from(await u.predict());
        got.forEach((p, k) => expect(p).toBeCloseTo(now[k] as number, 5));
        old.dispose();
      }
      for (const x of [t, u, v]) x.dispose();
    }
  });
});

describeBackends(
  'DnaTrainer regrowth determinism',
  () => {
    it.each(['set', 'rigl'] as const)('%s: two trainers with one seed give the same losses and cells; another seed other cells', async (regrowth) => {
      const make = (seed: number) => DnaTrainer.create(experiment({ density: 0.75, regrowth }, seed));
      const [a, b, c] = await Promise.all([make(5), make(5), make(6)]);
      const la = (await trainEpochs(a, 8)).map((r) => r.stats.loss);
      const lb = (await trainEpochs(b, 8)).map((r) => r.stats.loss);
      await trainEpochs(c, 8);
      expect(la).toEqual(lb);
      expect(a.currentGraph).toEqual(b.currentGraph);
      expect(c.currentGraph).not.toEqual(a.currentGraph);
      for (const x of [a, b, c]) x.dispose();
    });

    it('MNIST at density 0.5: 3,920 cells, every output fed, a valid graph', async () => {
      const t = await DnaTrainer.create(experiment({ density: 0.5 }, 1, 'mnist'));
      expect(t.cellCount).toBe(3920);
      expect(dnaGraphProblem(t.currentExperiment, t.currentGraph)).toBeNull();
      expect(t.currentGraph.nextEdgeId).toBe(7840);
      t.dispose();
    });
  },
  ['cpu'],
);

describe('DNA descriptor: the new options', () => {
  it('has a control, a URL key and help naming the source for bias, regrowth and density', async () => {
    const { dnaModel } = await import('./dna-descriptor');
    const controls = dnaModel.controls.controls;
    const help = (key: string, over: DnaParamsInput): string => {
      const c = controls.find((x) => x.key === key);
      if (!c) throw new Error(`no control for ${key}`);
      return typeof c.help === 'string' ? c.help : c.help(dnaParamsSchema.parse(over));
    };
    expect(help('regrowth', { regrowth: 'set' })).toMatch(/Mocanu et al\. 2018/);
    expect(help('regrowth', { regrowth: 'rigl' })).toMatch(/Evci et al\. 2020/);
    expect(help('regrowth', { regrowth: 'split' })).toMatch(/seed/);
    expect(help('bias', { bias: 'per-output' })).toMatch(/Ours/);
    expect(help('bias', { bias: 'per-cell' })).toMatch(/seed/);
    expect(help('density', {})).toMatch(/input-output pairs/);
    expect(Object.values(dnaModel.url)).toEqual(expect.arrayContaining(['bias', 'regrowth', 'density']));
    expect(dnaModel.liveKeys).toContain('regrowth');
    expect(dnaModel.liveKeys).not.toContain('density');
    const slider = controls.find((x) => x.key === 'density');
    if (slider?.type !== 'slider' || !slider.get || !slider.set) throw new Error('density is a percent slider');
    expect(slider.get(dnaParamsSchema.parse({ density: 0.5 }))).toBe(50);
    expect(slider.set(dnaParamsSchema.parse({}), 20).density).toBeCloseTo(0.2, 12);
    expect(dnaModel.help.formulas.join(' ')).toMatch(/Mocanu et al\. 2018.*Evci et al\. 2020/);
  });
});
