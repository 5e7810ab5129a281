/** The DNA layer: tfjs math against the plain-TS reference, extinction rules, and the trainer as the lab runs it. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { DnaExperiment } from './dna-params';
import type { TopologyEvent } from '../training/step-result';
import { createRng } from '../random';
import { dnaReference } from '../reference/dna-reference';
import { describeBackends } from '../testing/backends';
import { extinction, INITIAL_PLATEAU, plateauStep, type Cells, type ExtinctionSettings } from './dna-extinction';
import { batchPassthrough, cellInputs, createWiring, disposeWiring, dnaLogits, dnaLoss } from './dna-layer';
import { dnaParamsSchema, type DnaParamsInput } from './dna-params';
import { dnaGraphProblem } from './dna-document';
import { DnaTrainer } from './dna-trainer';

// A tiny layer: D = 3, C = 3, a parallel pair (0 -> 0 twice), input 2 feeds two outputs, no cell 1 -> 0.
const TINY = {
  D: 3,
  C: 3,
  input: Int32Array.of(0, 0, 1, 2, 2, 1),
  output: Int32Array.of(0, 0, 1, 0, 2, 2),
  w: Float32Array.of(0.7, -0.4, 1.3, 0.5, -0.9, 0.2),
  b: Float32Array.of(0.1, -0.2, 0.05, 0, 0.3, -0.1),
  x: Float32Array.of(0.5, -1, 0.25, 1.5, 0.2, -0.7, -0.3, 0.8, 1.1, 0, -0.5, 0.9),
  labels: Int32Array.of(0, 2, 1, 2),
};

/** Mean loss of the tiny layer in tfjs for given w and b. */
function tfLoss(w: Float32Array, b: Float32Array): number {
  const wiring = createWiring(TINY.input, TINY.output, TINY.D, TINY.C);
  const loss = tf.tidy(() => {
    const x = tf.tensor2d(TINY.x, [4, TINY.D]);
    const targets = tf.oneHot(tf.tensor1d(TINY.labels, 'int32'), TINY.C).toFloat() as tf.Tensor2D;
    return dnaLoss(dnaLogits(x, tf.tensor1d(w), tf.tensor1d(b), wiring), targets);
  });
  const v = loss.arraySync();
  loss.dispose();
  disposeWiring(wiring);
  return v;
}

describeBackends('DNA layer vs the plain-TS reference', () => {
  it('forward, loss, gradient and passthrough agree', async () => {
    const ref = dnaReference(TINY, TINY.x, TINY.labels, TINY.D, TINY.C);
    const wiring = createWiring(TINY.input, TINY.output, TINY.D, TINY.C);
    const w = tf.variable(tf.tensor1d(TINY.w));
    const b = tf.variable(tf.tensor1d(TINY.b));
    const x = tf.tensor2d(TINY.x, [4, TINY.D]);
    const targets = tf.oneHot(tf.tensor1d(TINY.labels, 'int32'), TINY.C).toFloat() as tf.Tensor2D;
    const kept: tf.Tensor[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const logits = dnaLogits(x, w as tf.Tensor1D, b as tf.Tensor1D, wiring);
      kept.push(tf.keep(logits));
      return dnaLoss(logits, targets);
    }, [w, b]);
    const xCells = tf.tensor2d(cellInputs(TINY.x, 4, TINY.D, TINY.input), [4, TINY.input.length]);
    const pass = batchPassthrough(xCells, w as tf.Tensor1D, b as tf.Tensor1D);
    const logits = kept[0] as tf.Tensor;
    const close = async (t: tf.Tensor, want: Float64Array): Promise<void> => {
      const got = await t.data();
      want.forEach((v, k) => expect(got[k]).toBeCloseTo(v, 5));
    };
    await close(logits, ref.logits);
    await close(pass, ref.passthrough);
    await close(grads[w.name] as tf.Tensor, ref.gradW);
    await close(grads[b.name] as tf.Tensor, ref.gradB);
    expect((await value.data())[0]).toBeCloseTo(ref.loss, 5);
    // The parallel pair shares one gradient: a split changes the parametrisation, not the function class.
    expect(ref.gradW[0]).toBeCloseTo(ref.gradW[1] as number, 12);
    tf.dispose([w, b, x, xCells, pass, targets, value, ...Object.values(grads), ...kept]);
    disposeWiring(wiring);
  });

  it('finite differences of the tfjs loss match the gradient for one w and one b', () => {
    const ref = dnaReference(TINY, TINY.x, TINY.labels, TINY.D, TINY.C);
    const eps = 1e-2;
    for (const [name, k] of [
      ['w', 3],
      ['b', 4],
    ] as const) {
      const shifted = (delta: number): number => {
        const w = Float32Array.from(TINY.w);
        const b = Float32Array.from(TINY.b);
        const target = name === 'w' ? w : b;
        target[k] = (target[k] as number) + delta;
        return tfLoss(w, b);
      };
      const numeric = (shifted(eps) - shifted(-eps)) / (2 * eps);
      expect(numeric).toBeCloseTo((name === 'w' ? ref.gradW : ref.gradB)[k] as number, 3);
    }
  });
});

/** E cells over `classes` outputs, input c, passthrough rising with the index (cell E-1 strongest). */
function ladder(E: number, classes: number): Cells {
  return {
    ids: Int32Array.from({ length: E }, (_, c) => 100 + c),
    input: Int32Array.from({ length: E }, (_, c) => c),
    output: Int32Array.from({ length: E }, (_, c) => c % classes),
    w: Float32Array.from({ length: E }, (_, c) => 0.1 * (c + 1) * (c % 3 === 0 ? -1 : 1)),
    b: Float32Array.from({ length: E }, (_, c) => 0.01 * c),
    passthrough: Float32Array.from({ length: E }, (_, c) => c + 1),
  };
}

const settings = (over: Partial<ExtinctionSettings> = {}): ExtinctionSettings => ({ extinction: 'percent', splitPercent: 10, deletePercent: 10, initialWeight: 0.1, ...over });
const ctx = (nextEdgeId: number, seed = 1) => ({ rng: createRng(seed), nextEdgeId, tick: 7, outputNodeIds: [50, 51], maxCells: 1000 });

/** Output j's value for input vector x under a cell set. */
function layerOut(c: Cells, x: ArrayLike<number>, j: number): number {
  let s = 0;
  c.ids.forEach((_, k) => {
    if (c.output[k] === j) s += (c.w[k] as number) * (x[c.input[k] as number] as number) + (c.b[k] as number);
  });
  return s;
}

describe('DNA extinction', () => {
  it('percent mode: the top p% split into halves (function kept), the bottom p% die', () => {
    const cells = ladder(20, 2);
    const r = extinction(cells, settings(), ctx(200));
    const births = r.events.filter((e) => e.kind === 'birth');
    const deaths = r.events.filter((e) => e.kind === 'death');
    // ceil(20 · 10%) = 2 each way: cells 19 and 18 split, 0 and 1 die.
    expect(births.map((e) => e.parentEdgeId)).toEqual([119, 118]);
    expect(births.map((e) => e.edgeIds[0])).toEqual([200, 201]);
    expect(births.every((e) => e.cause === 'split' && e.tick === 7)).toBe(true);
    expect(deaths.map((e) => e.edgeIds[0]).sort()).toEqual([100, 101]);
    expect(deaths.map((e) => [e.nodeId, e.cause])).toContainEqual([50, 'extinct']);
    expect(r.nextEdgeId).toBe(202);
    expect(r.cells.ids.length).toBe(20);
    const at = (id: number): number => r.cells.ids.indexOf(id);
    // A keeps its id, w/2 and b; B has w/2, b = 0, the same i -> j.
    expect(r.cells.w[at(119)]).toBeCloseTo((cells.w[19] as number) / 2, 7);
    expect(r.cells.b[at(119)]).toBeCloseTo(cells.b[19] as number, 7);
    expect(r.cells.w[at(200)]).toBeCloseTo((cells.w[19] as number) / 2, 7);
    expect(r.cells.b[at(200)]).toBe(0);
    expect([r.cells.input[at(200)], r.cells.output[at(200)]]).toEqual([19, 1]);
    expect(Array.from(r.origin.slice(-2))).toEqual([-1, -1]);
  });

  it('a split alone leaves every output unchanged for any input: w_A + w_B = w, b_A + b_B = b', () => {
    const cells = ladder(12, 3);
    const r = extinction(cells, settings({ splitPercent: 50, deletePercent: 0 }), ctx(200));
    expect(r.cells.ids.length).toBe(18);
    const x = Array.from({ length: 12 }, (_, i) => Math.sin(i + 1));
    for (let j = 0; j < 3; j++) expect(layerOut(r.cells, x, j)).toBeCloseTo(layerOut(cells, x, j), 6);
  });

  it('threshold mode: split above 2·w0 and die below w0/2 by |w|', () => {
    const cells: Cells = {
      ids: Int32Array.of(0, 1, 2, 3, 4),
      input: Int32Array.of(0, 1, 2, 3, 4),
      output: Int32Array.of(0, 0, 0, 1, 1),
      w: Float32Array.of(-0.3, 0.04, 0.1, 0.25, 0.01),
      b: new Float32Array(5),
      passthrough: Float32Array.of(9, 9, 9, 9, 9),
    };
    const r = extinction(cells, settings({ extinction: 'threshold' }), ctx(5));
    // |-0.3| and 0.25 exceed 2·w0 = 0.2 and split; 0.04 and 0.01 are below w0/2 = 0.05 and die (each output keeps a stronger cell).
    expect(r.events.filter((e) => e.kind === 'birth').map((e) => e.parentEdgeId)).toEqual([0, 3]);
    expect(
      r.events
        .filter((e) => e.kind === 'death')
        .map((e) => e.edgeIds[0])
        .sort(),
    ).toEqual([1, 4]);
    expect(r.events.every((e) => e.cause === 'threshold')).toBe(true);
    expect(r.cells.w[r.cells.ids.indexOf(0)]).toBeCloseTo(-0.15, 7);
  });

  it('threshold mode keeps the strongest cell of an output even when it is below w0/2', () => {
    const cells: Cells = { ids: Int32Array.of(0, 1), input: Int32Array.of(0, 0), output: Int32Array.of(0, 1), w: Float32Array.of(0.01, 0.3), b: new Float32Array(2), passthrough: new Float32Array(2) };
    const r = extinction(cells, settings({ extinction: 'threshold' }), ctx(2));
    expect(r.events.filter((e) => e.kind === 'death')).toEqual([]);
  });

  it('never leaves an output without a cell, never reuses an id, respects the cell cap', () => {
    let cells = ladder(16, 4);
    let next = 200;
    const seen = new Set(cells.ids);
    for (let round = 0; round < 12; round++) {
      const r = extinction(cells, settings({ splitPercent: 0, deletePercent: 50 }), { ...ctx(next, round), outputNodeIds: [50, 51, 52, 53] });
      cells = r.cells;
      next = r.nextEdgeId;
      for (let j = 0; j < 4; j++) expect(cells.output.includes(j)).toBe(true);
    }
    expect(cells.ids.length).toBe(4);
    for (let round = 0; round < 6; round++) {
      const r = extinction(cells, settings({ splitPercent: 50, deletePercent: 25 }), { ...ctx(next, round), outputNodeIds: [50, 51, 52, 53], maxCells: 10 });
      for (const e of r.events) {
        if (e.kind === 'birth') {
          expect(seen.has(e.edgeIds[0] as number)).toBe(false);
          expect(e.edgeIds[0]).toBeGreaterThanOrEqual(next);
        }
        seen.add(e.edgeIds[0] as number);
      }
      cells = r.cells;
      next = r.nextEdgeId;
      expect(new Set(cells.ids).size).toBe(cells.ids.length);
      expect(cells.ids.length).toBeLessThanOrEqual(10);
      for (let j = 0; j < 4; j++) expect(cells.output.includes(j)).toBe(true);
    }
  });

  it('plateau trigger: after warm-up, patience epochs without a new best, then the count restarts', () => {
    const run = (losses: number[], warmupEpochs: number, patience: number): number[] => {
      let state = INITIAL_PLATEAU;
      const fired: number[] = [];
      losses.forEach((loss, e) => {
        const r = plateauStep(state, loss, e + 1, { warmupEpochs, patience });
        state = r.state;
        if (r.fire) fired.push(e + 1);
      });
      return fired;
    };
    // Best 1.0 at epoch 2, no better after: fires at 4 (2 stale), again at 6, 8.
    expect(run([1.2, 1.0, 1.1, 1.05, 1.0, 1.3, 1.1, 1.2], 0, 2)).toEqual([4, 6, 8]);
    // Same losses with warm-up 5: epoch 4 is too early; stale reaches 3 at epoch 5 and fires there.
    expect(run([1.2, 1.0, 1.1, 1.05, 1.0, 1.3, 1.1, 1.2], 5, 2)).toEqual([5, 7]);
    // A new best restarts the count.
    expect(run([1.0, 1.1, 0.9, 1.0, 0.8, 0.9, 1.0], 0, 2)).toEqual([7]);
  });
});

const experiment = (task: DnaExperiment['task'], over: DnaParamsInput = {}, seed = 5): DnaExperiment => ({
  model: 'dna',
  task,
  seed,
  params: dnaParamsSchema.parse({ batch: 25, learningRate: 0.05, ...over }),
});

/** Train until `epochs` epochs are done; returns every step's result. */
async function trainEpochs(t: DnaTrainer, epochs: number) {
  const results = [];
  while (t.tick < epochs) results.push(await t.trainStep());
  return results;
}

// Plateaus fast (a linear layer cannot do xor), so extinctions come often.
const CHURN: DnaParamsInput = { warmupEpochs: 1, patience: 1, splitPercent: 50, deletePercent: 25, learningRate: 0.1 };

describeBackends('DnaTrainer', () => {
  it('learns the gaussian blobs (test accuracy > 0.9)', async () => {
    const t = await DnaTrainer.create(experiment('gaussian', { noise: 0.2 }));
    await trainEpochs(t, 6);
    expect((await t.detail()).testAccuracy).toBeGreaterThan(0.9);
    t.dispose();
  });

  it('cells are born and die at extinctions; the graph follows; no tensor leaks', async () => {
    const t = await DnaTrainer.create(experiment('xor', CHURN));
    expect(t.stepsPerEpoch).toBe(10);
    const initialNext = t.currentGraph.nextEdgeId;
    await trainEpochs(t, 2);
    const before = tf.memory().numTensors;
    const events: TopologyEvent[] = [];
    const counts = new Set<number>();
    while (t.tick < 12) {
      const r = await t.trainStep();
      events.push(...r.events);
      if (r.events.length > 0) expect(r.stats.tick).toBe(r.events[0]?.tick);
      counts.add(t.currentGraph.edges.length);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(events.some((e) => e.kind === 'birth')).toBe(true);
    expect(events.some((e) => e.kind === 'death')).toBe(true);
    expect(counts.size).toBeGreaterThan(1);
    const g = t.currentGraph;
    expect(t.cellCount).toBe(g.edges.length);
    expect(new Set(g.edges.map((e) => e.id)).size).toBe(g.edges.length);
    expect(dnaGraphProblem(t.currentExperiment, g)).toBeNull();
    for (const e of events.filter((e) => e.kind === 'birth')) expect(e.edgeIds[0]).toBeGreaterThanOrEqual(initialNext);
    const detail = await t.detail();
    expect(Array.from(detail.cellIds)).toEqual(g.edges.map((e) => e.id));
    expect(detail.weights.every(Number.isFinite)).toBe(true);
    t.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
  });

  it('export -> fromModel and suspend -> rebuild give the same predictions', async () => {
    const t = await DnaTrainer.create(experiment('xor', CHURN));
    await trainEpochs(t, 4);
    const model = await t.exportModel();
    const u = await DnaTrainer.fromModel(t.currentExperiment, model, t.step);
    const want = Array.from(await t.predict());
    expect(want.length).toBe(64 * 2);
    expect(Array.from(await u.predict())).toEqual(want);
    expect(u.currentGraph).toEqual(t.currentGraph);
    expect(u.tick).toBe(t.tick);
    const v = (await t.suspend())();
    expect(Array.from(await v.predict())).toEqual(want);
    // The rebuilt trainer carries the Adam moments and epoch position: the next step matches.
    expect((await v.trainStep()).stats.loss).toBe((await t.trainStep()).stats.loss);
    for (const x of [t, u, v]) x.dispose();
  });

  it('a non-finite loss rolls back to the epoch-start checkpoint', async () => {
    const t = await DnaTrainer.create(experiment('gaussian'));
    await trainEpochs(t, 1);
    await t.trainStep();
    t.setLiveParams({ learningRate: 1e38 });
    let r = await t.trainStep();
    for (let i = 0; i < 3 && !r.rolledBack; i++) r = await t.trainStep();
    expect(r.rolledBack?.toStep).toBe(t.stepsPerEpoch);
    expect(t.step).toBe(t.stepsPerEpoch);
    expect((await t.predict()).every(Number.isFinite)).toBe(true);
    t.dispose();
  });

  it('probe: one tick, inputs show the example, outputs its class probabilities', async () => {
    const t = await DnaTrainer.create(experiment('spiral'));
    const trace = await t.probe(4);
    expect(trace.ticks).toBe(1);
    expect(Array.from(trace.nodeIds)).toEqual([0, 1, 2, 3]);
    expect((trace.activity[2] as number) + (trace.activity[3] as number)).toBeCloseTo(1, 5);
    expect(Array.from(trace.reads)).toEqual([1]);
    t.dispose();
  });
});

describeBackends(
  'DnaTrainer determinism',
  () => {
    it('two trainers with one seed give the same losses and the same cells', async () => {
      const [a, b] = await Promise.all([DnaTrainer.create(experiment('xor', CHURN)), DnaTrainer.create(experiment('xor', CHURN))]);
      const la = (await trainEpochs(a, 6)).map((r) => r.stats.loss);
      const lb = (await trainEpochs(b, 6)).map((r) => r.stats.loss);
      expect(la).toEqual(lb);
      expect(a.currentGraph).toEqual(b.currentGraph);
      a.dispose();
      b.dispose();
    });
  },
  ['cpu'],
);
