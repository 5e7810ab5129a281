/**
 * The routing-module stack (docs/ARCHITECTURE.md): tfjs math against the float64
 * reference, finite-difference gradients, hard routing, the sparsity
 * pressure, determinism, leaks, learning, export round trips and the sweep.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HostTensor } from '../training/host-tensor';
import { loadDataset, type ClassificationData } from '../datasets/classification-data';
import type { RoutingExperiment } from './routing-params';
import { createRng, normalArray, randInt } from '../random';
import { referenceForward, referenceLoss, type ReferenceStack } from '../reference/routing-reference';
import { describeBackends, useBackend } from '../testing/backends';
import { DEFAULT_ROUTING_PARAMS, type RoutingParamsInput, routingParamsSchema } from './routing-params';
import { allShapes, ROUTING_TENSOR_NAMES, type RoutingTensorName, type StackDims } from './routing-shapes';
import { stackForward, stackLoss, type StackOptions, type StackWeights } from './routing-stack';
import { sweepLambda } from './routing-sweep';
import { routingGraph, routingTensorShapes } from './routing-document';
import { RoutingTrainer } from './routing-trainer';
import { installOwnData, ownDataSnapshot, restoreOwnData } from '../datasets/own-data';

const DIMS: StackDims = { inputSize: 2, width: 4, layers: 3, classes: 3 };
const ROWS = 6;

/** Random weights with non-zero skip matrices and router biases, so every term of the loss is live. */
function randomStack(seed: number, options: StackOptions, dims = DIMS): ReferenceStack & { host: Record<RoutingTensorName, Float32Array> } {
  const rng = createRng(seed, 5);
  const shapes = allShapes(dims);
  const host = {} as Record<RoutingTensorName, Float32Array>;
  for (const name of ROUTING_TENSOR_NAMES) host[name] = normalArray(rng, shapes[name].reduce((a, b) => a * b, 1), 0.8);
  host.skipD = new Float32Array(0);
  return { dims, options, weights: host, host };
}

function device(host: Record<RoutingTensorName, Float32Array>, dims = DIMS): StackWeights {
  const shapes = allShapes(dims);
  return Object.fromEntries(ROUTING_TENSOR_NAMES.map((n) => [n, tf.tensor(host[n], shapes[n])]));
}

function batch(seed: number, rows = ROWS, dims = DIMS): { x: Float32Array; labels: Int32Array; oneHot: Float32Array } {
  const rng = createRng(seed, 9);
  const x = Float32Array.from({ length: rows * dims.inputSize }, () => 2 * rng.next() - 1);
  const labels = Int32Array.from({ length: rows }, () => randInt(rng, dims.classes));
  const oneHot = new Float32Array(rows * dims.classes);
  labels.forEach((c, b) => (oneHot[b * dims.classes + c] = 1));
  return { x, labels, oneHot };
}

const PENALTIES = { lambdaS: 0.3, lambda1: 0.02 };

function experiment(task: RoutingExperiment['task'], params: RoutingParamsInput = {}, seed = 7): RoutingExperiment {
  return { model: 'routing', task, seed, params: routingParamsSchema.parse({ ...params }) };
}

const SMALL: RoutingParamsInput = { layers: 3, width: 8 };

let circle: ClassificationData;
beforeAll(async () => {
  circle = await loadDataset('circle', 7, { noise: 0 });
});

describeBackends('routing stack vs float64 reference', () => {
  for (const activation of ['tanh', 'relu'] as const) {
    for (const routing of [true, false]) {
      it(`loss and logits (${activation}, routing ${routing})`, async () => {
        const stack = randomStack(routing ? 11 : 12, { activation, routing, router: 'soft', skip: 'dense' });
        const b = batch(3);
        const ref = referenceLoss(stack, b.x, b.labels, PENALTIES.lambdaS, PENALTIES.lambda1);
        const refSoft = referenceForward(stack, b.x, ROWS, false);
        const out = tf.tidy(() => {
          const r = stackLoss(device(stack.host), tf.tensor2d(b.x, [ROWS, 2]), tf.tensor2d(b.oneHot, [ROWS, DIMS.classes]), stack.options, PENALTIES);
          return tf.concat([tf.stack([r.total, r.task]), tf.reshape(r.logits, [-1]), tf.reshape(r.pExec, [-1])]);
        });
        const got = (await out.data()) as Float32Array;
        out.dispose();
        expect(got[0]).toBeCloseTo(ref.total, 4);
        expect(got[1]).toBeCloseTo(ref.task, 4);
        if (routing) expect(ref.total - ref.task).toBeGreaterThan(0.05);
        const C = DIMS.classes;
        refSoft.logits.forEach((v, i) => expect(got[2 + i]).toBeCloseTo(v, 4));
        refSoft.pExec.forEach((v, i) => expect(got[2 + ROWS * C + i]).toBeCloseTo(v, 5));
      });
    }
  }

  it('finite-difference gradients of W_l, R_l, S_l (and the rest) match tfjs', async () => {
    const STEP = 1e-5;
    const stack = randomStack(21, { activation: 'tanh', routing: true, router: 'soft', skip: 'dense' });
    const b = batch(4);
    const g = tf.grads((...ts: tf.Tensor[]) => {
      const w = Object.fromEntries(ROUTING_TENSOR_NAMES.map((n, i) => [n, ts[i] as tf.Tensor])) as StackWeights;
      return stackLoss(w, tf.tensor2d(b.x, [ROWS, 2]), tf.tensor2d(b.oneHot, [ROWS, DIMS.classes]), stack.options, PENALTIES).total;
    });
    const weights = device(stack.host);
    const grads = g(ROUTING_TENSOR_NAMES.map((n) => weights[n] as tf.Tensor));
    const values = await Promise.all(grads.map(async (t) => (await t.data()) as Float32Array));
    tf.dispose([...grads, ...Object.values(weights)]);
    const rng = createRng(5, 1);
    ROUTING_TENSOR_NAMES.forEach((name, k) => {
      const grad = values[k] as Float32Array;
      const scale = Math.max(...Array.from(grad, Math.abs));
      expect(scale, `${name} has a gradient`).toBeGreaterThan(1e-3);
      // W_l, R_l and S_l (the brief's three) get more coordinates than the rest.
      const coords = ['layerW', 'routerW', 'skipS'].includes(name) ? 6 : 2;
      for (let c = 0; c < coords; c++) {
        const i = randInt(rng, grad.length);
        const shifted = (delta: number): number => {
          const moved = Float64Array.from(stack.host[name]);
          moved[i] = (moved[i] as number) + delta;
          return referenceLoss({ ...stack, weights: { ...stack.weights, [name]: moved } }, b.x, b.labels, PENALTIES.lambdaS, PENALTIES.lambda1).total;
        };
        const numeric = (shifted(STEP) - shifted(-STEP)) / (2 * STEP);
        expect(Math.abs((grad[i] as number) - numeric), `${name}[${i}]`).toBeLessThan(1e-3 * scale + 1e-5);
      }
    });
  });
});

describeBackends('hard routing', () => {
  it('a forced router executes f_l(h), skips to h S_l, and counts the skips', async () => {
    const options: StackOptions = { activation: 'tanh', routing: true, router: 'soft', skip: 'dense' };
    const stack = randomStack(31, options);
    const { width: W, layers: N, classes: C } = DIMS;
    const w = stack.host;
    const affine = (h: Float64Array, m: Float32Array, bias: Float32Array | null, l: number): Float64Array =>
      Float64Array.from({ length: W }, (_, j) => h.reduce((s, v, i) => s + v * (m[(l * W + i) * W + j] as number), bias ? (bias[l * W + j] as number) : 0));
    const f = (h: Float64Array, l: number): Float64Array => affine(h, w.layerW, w.layerB, l).map(Math.tanh);
    const skip = (h: Float64Array, l: number): Float64Array => affine(h, w.skipS, null, l);
    const rows = 16;
    const b = batch(6, rows);
    const h2 = Array.from({ length: rows }, (_, r) => {
      const x0 = b.x[2 * r] as number;
      const x1 = b.x[2 * r + 1] as number;
      const h0 = Float64Array.from({ length: W }, (_, j) => Math.tanh(x0 * (w.inW[j] as number) + x1 * (w.inW[W + j] as number) + (w.inB[j] as number)));
      return skip(f(h0, 0), 1);
    });
    // Layer 0 always executes, layer 1 always skips, layer 2 executes iff unit u of h_2 is positive,
    // u chosen so that it is positive for some rows and not for others.
    const u = Array.from({ length: W }, (_, j) => j).find((j) => h2.some((h) => (h[j] as number) > 0.01) && h2.some((h) => (h[j] as number) < -0.01)) ?? -1;
    expect(u).toBeGreaterThanOrEqual(0);
    w.routerW.fill(0);
    w.routerB.set([10, -10, -10, 10, 0, 0]);
    w.routerW[(2 * W + u) * 2 + 0] = 50;
    const out = tf.tidy(() => {
      const r = stackForward(device(w), tf.tensor2d(b.x, [rows, 2]), options, true);
      return tf.concat([tf.reshape(r.logits, [-1]), tf.reshape(r.executed, [-1])]);
    });
    const got = (await out.data()) as Float32Array;
    out.dispose();
    let skipped = 0;
    h2.forEach((h, r) => {
      const third = (h[u] as number) > 0;
      const h3 = third ? f(h, 2) : skip(h, 2);
      skipped += 1 + (third ? 0 : 1);
      for (let c = 0; c < C; c++) {
        const logit = h3.reduce((s, v, j) => s + v * (w.outW[j * C + c] as number), w.outB[c] as number);
        expect(got[r * C + c]).toBeCloseTo(logit, 4);
      }
      expect(Array.from(got.subarray(rows * C + r * N, rows * C + (r + 1) * N))).toEqual([1, 0, third ? 1 : 0]);
    });
    // The input-dependent router must have gone both ways for the test to mean something.
    expect(skipped).toBeGreaterThan(rows);
    expect(skipped).toBeLessThan(2 * rows);
    const ref = referenceForward(stack, b.x, rows, true);
    expect(ref.skipped).toBe(skipped);
  });
});

describeBackends('routing trainer', (backend) => {
  it('lambda_s pushes the execute probability down', async () => {
    const pExec = async (lambdaS: number): Promise<number> => {
      const t = await RoutingTrainer.create(experiment('circle', { ...SMALL, lambdaS }), circle);
      for (let s = 0; s < 80; s++) await t.trainStep();
      const d = await t.detail();
      t.dispose();
      return d.batchPExec.reduce((a, v) => a + v, 0) / d.layers;
    };
    const free = await pExec(0);
    const pressed = await pExec(1);
    expect(pressed).toBeLessThan(free - 0.2);
  });

  it('no tensor leaks over steps, probe, detail, predict, export and a rollback', async () => {
    const t = await RoutingTrainer.create(experiment('circle', SMALL), circle);
    for (let s = 0; s < 3; s++) await t.trainStep();
    const before = tf.memory().numTensors;
    for (let s = 3; s < 25; s++) await t.trainStep();
    const atCheckpoint = (await t.exportModel()).tensors;
    for (let s = 25; s < 33; s++) await t.trainStep();
    await t.probe(4);
    await t.detail();
    await t.predict();
    await t.evaluate();
    expect(tf.memory().numTensors).toBe(before);
    // lambda_1 = Infinity makes the loss non-finite: back to the step-25 checkpoint, weights and all.
    t.setLiveParams({ lambda1: Infinity });
    const r = await t.trainStep();
    expect(r.rolledBack?.toStep).toBe(25);
    expect(t.step).toBe(25);
    const restored = (await t.exportModel()).tensors;
    for (const name of ROUTING_TENSOR_NAMES) expect(Array.from((restored[name] as HostTensor).values)).toEqual(Array.from((atCheckpoint[name] as HostTensor).values));
    t.setLiveParams({ lambda1: DEFAULT_ROUTING_PARAMS.lambda1 });
    expect(Number.isFinite((await t.trainStep()).stats.loss)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
  });

  it('learns circle (soft test accuracy > 0.85)', async () => {
    const t = await RoutingTrainer.create(experiment('circle', SMALL), circle);
    for (let s = 0; s < 300; s++) await t.trainStep();
    const e = await t.evaluate();
    t.dispose();
    expect(e.softAccuracy).toBeGreaterThan(0.85);
    expect(e.skippedFraction).toBeGreaterThanOrEqual(0);
    expect(e.skippedFraction).toBeLessThanOrEqual(1);
  });

  it('export -> fromModel gives the same predictions; suspend rebuilds an equal trainer', async () => {
    const exp = experiment('circle', SMALL);
    const t = await RoutingTrainer.create(exp, circle);
    for (let s = 0; s < 20; s++) await t.trainStep();
    const model = await t.exportModel();
    const u = await RoutingTrainer.fromModel(exp, model, t.step, circle);
    expect(Array.from(await u.predict())).toEqual(Array.from(await t.predict()));
    expect(u.step).toBe(20);
    u.dispose();
    const rebuild = await t.suspend();
    const v = rebuild();
    const a = await t.trainStep();
    const b = await v.trainStep();
    expect(b.stats.loss).toBe(a.stats.loss);
    expect(Array.from(await v.predict())).toEqual(Array.from(await t.predict()));
    t.dispose();
    v.dispose();
  });

  it('fromModel refuses a model that does not fit the experiment', async () => {
    const exp = experiment('circle', SMALL);
    const t = await RoutingTrainer.create(exp, circle);
    const model = await t.exportModel();
    t.dispose();
    const bad = (tensors: Record<string, HostTensor>) => RoutingTrainer.fromModel(exp, { graph: model.graph, tensors }, 0, circle);
    const outW = model.tensors.outW as HostTensor;
    await expect(bad({ ...model.tensors, outW: { shape: [8, 3], values: new Float32Array(24) } })).rejects.toThrow(/shape/);
    await expect(bad({ ...model.tensors, outW: { shape: outW.shape, values: outW.values.map(() => NaN) } })).rejects.toThrow(/non-finite/);
    const { skipS: _, ...missing } = model.tensors;
    await expect(bad(missing)).rejects.toThrow(/missing/);
    await expect(bad({ ...model.tensors, extra: outW })).rejects.toThrow(/unknown/);
  });

  it('probe and detail have the shapes the views expect', async () => {
    const t = await RoutingTrainer.create(experiment('circle', SMALL), circle);
    await t.trainStep();
    const N = SMALL.layers as number;
    const p = await t.probe(1);
    expect(Array.from(p.nodeIds)).toEqual(t.currentGraph.nodes.map((n) => n.id));
    expect(Array.from(p.slotEdge)).toEqual([-1, 0, 1, 2, 3]);
    expect(p.activity.length).toBe(N + 2);
    expect([p.gates[0], p.gates[N + 1], p.active[0], p.active[N + 1]]).toEqual([1, 1, 1, 1]);
    for (let l = 1; l <= N; l++) expect(p.active[l]).toBe((p.gates[l] as number) > 0.5 ? 1 : 0);
    const d = await t.detail();
    expect(d.samplePExec.length).toBe(64 * N);
    expect(d.sampleX.length).toBe(64 * 2);
    expect(d.boundary.length).toBe(40 * 40);
    expect(d.boundaryClass.length).toBe(0);
    expect(d.classes).toBe(2);
    expect(d.gridSize).toBe(40);
    expect(d.batchPExec.length).toBe(N);
    expect((await t.predict()).length).toBe(64 * 2);
    t.dispose();
    if (backend === 'cpu') expect(routingTensorShapes(experiment('mnist', SMALL)).inW).toEqual([784, 8]);
  });

  it("a 2-D data set of three classes streams each grid point's winning class and its probability", async () => {
    const before = ownDataSnapshot();
    // Three blobs along x: a region per class once trained a little.
    const rows = ['x,y,label', ...Array.from({ length: 90 }, (_, i) => `${((i % 3) - 1) * 2 + ((i * 7) % 10) / 50},${((i * 3) % 10) / 25 - 0.2},${['a', 'b', 'c'][i % 3]}`)];
    installOwnData({ kind: 'csv', name: 'three.csv', text: rows.join('\n') });
    try {
      const data = await loadDataset('own-csv', 7);
      const t = await RoutingTrainer.create(experiment('own-csv', SMALL), data);
      for (let i = 0; i < 3; i++) await t.trainStep();
      const d = await t.detail();
      expect(d.classes).toBe(3);
      expect(d.gridSize).toBe(40);
      expect(d.boundary.length).toBe(40 * 40);
      expect(d.boundaryClass.length).toBe(40 * 40);
      // The winner's probability is at least a uniform guess's and at most 1; winners are class indices.
      for (let k = 0; k < d.boundary.length; k++) {
        expect(d.boundary[k]).toBeGreaterThanOrEqual(1 / 3 - 1e-6);
        expect(d.boundary[k]).toBeLessThanOrEqual(1 + 1e-6);
        expect([0, 1, 2]).toContain(d.boundaryClass[k]);
      }
      t.dispose();
    } finally {
      restoreOwnData(before);
    }
  });
});

describe('routing determinism and sweep [cpu]', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('same seed, same numbers', async () => {
    const run = async (): Promise<{ losses: number[]; tensors: Float32Array[] }> => {
      const t = await RoutingTrainer.create(experiment('xor', SMALL), await loadDataset('xor', 7));
      const losses: number[] = [];
      for (let s = 0; s < 15; s++) losses.push((await t.trainStep()).stats.loss);
      const m = await t.exportModel();
      t.dispose();
      return { losses, tensors: ROUTING_TENSOR_NAMES.map((n) => (m.tensors[n] as HostTensor).values) };
    };
    const a = await run();
    const b = await run();
    expect(b.losses).toEqual(a.losses);
    b.tensors.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(a.tensors[i] as Float32Array)));
  });

  it('the graph is the chain input -> layers -> output', () => {
    const g = routingGraph(2);
    expect(g.nodes.map((n) => n.role)).toEqual(['input', 'hidden', 'hidden', 'output']);
    expect(g.edges.map((e) => [e.source, e.target])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
  });

  it('sweepLambda gives one point per lambda against the baseline', async () => {
    const seen: number[] = [];
    const points = await sweepLambda(experiment('gaussian', { layers: 2, width: 6 }), [0, 1], 40, { onPoint: (_, done) => seen.push(done) });
    expect(seen).toEqual([1, 2, 3]);
    expect(points.map((p) => p.lambdaS)).toEqual([0, 1]);
    for (const p of points) {
      expect(p.skippedFraction).toBeGreaterThanOrEqual(0);
      expect(p.skippedFraction).toBeLessThanOrEqual(1);
      expect(Number.isFinite(p.accuracyLost)).toBe(true);
    }
    expect((points[1] as (typeof points)[number]).skippedFraction).toBeGreaterThan((points[0] as (typeof points)[number]).skippedFraction);
  });
});
