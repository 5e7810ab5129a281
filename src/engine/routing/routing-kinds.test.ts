/**
 * Router kinds (straight-through, Gumbel) and the identity skip (issue 14):
 * tfjs against the float64 reference, the straight-through estimator's
 * forward (exactly the hard decision) and backward (finite differences of
 * the surrogate q + frozen(1[q0 > 0.5] - q0)), gathered hard inference
 * against the masked one, determinism, leaks, export round trips and the
 * two-kind sweep.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HostTensor } from '../training/host-tensor';
import { loadDataset, type ClassificationData } from '../datasets/classification-data';
import { createRng, normalArray, randInt } from '../random';
import { referenceForward, referenceLoss, type ReferenceStack } from '../reference/routing-kinds-reference';
import { describeBackends, useBackend } from '../testing/backends';
import { routingParamsSchema, type RouterKind, type RoutingExperiment, type RoutingParamsInput, type SkipKind } from './routing-params';
import { allShapes, stackTensorNames, type RoutingTensorName, type StackDims } from './routing-shapes';
import { hardForwardGathered, logisticNoise, stackForward, stackLoss, type StackOptions, type StackWeights } from './routing-stack';
import { sweepLambda } from './routing-sweep';
import { RoutingTrainer } from './routing-trainer';
import { routingModel } from './routing-descriptor';

const DIMS: StackDims = { inputSize: 2, width: 4, layers: 3, classes: 3 };
const ROWS = 8;
const PENALTIES = { lambdaS: 0.3, lambda1: 0.02 };

/** Random weights; router biases near zero so decisions go both ways across rows. */
function randomStack(seed: number, options: StackOptions, dims = DIMS): ReferenceStack & { host: Partial<Record<RoutingTensorName, Float32Array>> } {
  const rng = createRng(seed, 5);
  const shapes = allShapes(dims);
  const host: Partial<Record<RoutingTensorName, Float32Array>> = {};
  for (const name of stackTensorNames(options.skip)) host[name] = normalArray(rng, shapes[name].reduce((a, b) => a * b, 1), name === 'routerW' ? 1.5 : 0.8);
  return { dims, options, weights: host, host };
}

function device(host: Partial<Record<RoutingTensorName, Float32Array>>, skip: SkipKind, dims = DIMS): StackWeights {
  const shapes = allShapes(dims);
  return Object.fromEntries(stackTensorNames(skip).map((n) => [n, tf.tensor(host[n] as Float32Array, shapes[n])]));
}

function batch(seed: number, rows = ROWS, dims = DIMS): { x: Float32Array; labels: Int32Array; oneHot: Float32Array } {
  const rng = createRng(seed, 9);
  const x = Float32Array.from({ length: rows * dims.inputSize }, () => 2 * rng.next() - 1);
  const labels = Int32Array.from({ length: rows }, () => randInt(rng, dims.classes));
  const oneHot = new Float32Array(rows * dims.classes);
  labels.forEach((c, b) => (oneHot[b * dims.classes + c] = 1));
  return { x, labels, oneHot };
}

const KINDS: { router: RouterKind; skip: SkipKind }[] = [
  { router: 'straight-through', skip: 'dense' },
  { router: 'gumbel', skip: 'dense' },
  { router: 'soft', skip: 'identity-diagonal' },
  { router: 'straight-through', skip: 'identity-diagonal' },
  { router: 'gumbel', skip: 'identity-diagonal' },
];

function experiment(task: RoutingExperiment['task'], params: RoutingParamsInput = {}, seed = 7): RoutingExperiment {
  return { model: 'routing', task, seed, params: routingParamsSchema.parse({ layers: 3, width: 8, ...params }) };
}

let circle: ClassificationData;
beforeAll(async () => {
  circle = await loadDataset('circle', 7, { noise: 0 });
});

describeBackends('router and skip kinds vs the float64 reference', () => {
  for (const kind of KINDS) {
    it(`training loss, logits and gates (${kind.router}, ${kind.skip})`, async () => {
      const options: StackOptions = { activation: 'tanh', routing: true, ...kind };
      const stack = randomStack(41, options);
      const b = batch(3);
      const noise = logisticNoise(ROWS, DIMS.layers, 5, 1);
      const ref = referenceLoss(stack, b.x, b.labels, PENALTIES.lambdaS, PENALTIES.lambda1, { noise });
      const refF = referenceForward(stack, b.x, ROWS, false, { noise });
      const out = tf.tidy(() => {
        const x = tf.tensor2d(b.x, [ROWS, 2]);
        const r = stackLoss(device(stack.host, kind.skip), x, tf.tensor2d(b.oneHot, [ROWS, DIMS.classes]), options, PENALTIES, tf.tensor2d(noise, [ROWS, DIMS.layers]));
        return tf.concat([tf.stack([r.total, r.task]), tf.reshape(r.logits, [-1])]);
      });
      const got = (await out.data()) as Float32Array;
      out.dispose();
      expect(got[0]).toBeCloseTo(ref.total, 4);
      expect(got[1]).toBeCloseTo(ref.task, 4);
      refF.logits.forEach((v, i) => expect(got[2 + i]).toBeCloseTo(v, 4));
      if (kind.router !== 'soft') {
        // The decisions must go both ways for the test to mean something.
        expect(refF.skipped).toBeGreaterThan(0);
        expect(refF.skipped).toBeLessThan(ROWS * DIMS.layers);
      }
    });
  }

  it('the straight-through training forward is exactly the hard forward; the Gumbel one is it with the noise added', async () => {
    const options: StackOptions = { activation: 'tanh', routing: true, router: 'straight-through', skip: 'dense' };
    const stack = randomStack(43, options);
    const b = batch(5);
    const out = tf.tidy(() => {
      const w = device(stack.host, 'dense');
      const x = tf.tensor2d(b.x, [ROWS, 2]);
      const train = stackForward(w, x, options, false);
      const hard = stackForward(w, x, options, true);
      return tf.stack([tf.reshape(train.logits, [-1]), tf.reshape(hard.logits, [-1])]);
    });
    const [train, hard] = (await out.array()) as number[][];
    out.dispose();
    expect(train).toEqual(hard);
    // Gumbel noise moves some decisions away from the noiseless ones.
    const noise = logisticNoise(ROWS, DIMS.layers, 9, 2);
    const g = referenceForward({ ...stack, options: { ...options, router: 'gumbel' } }, b.x, ROWS, false, { noise });
    const h = referenceForward(stack, b.x, ROWS, true);
    expect(Array.from(g.executed)).not.toEqual(Array.from(h.executed));
  });

  for (const kind of KINDS) {
    it(`gradients match finite differences of the surrogate (${kind.router}, ${kind.skip})`, async () => {
      const STEP = 1e-5;
      const options: StackOptions = { activation: 'tanh', routing: true, ...kind };
      const stack = randomStack(47, options);
      const names = stackTensorNames(kind.skip);
      const b = batch(4);
      const noise = logisticNoise(ROWS, DIMS.layers, 5, 3);
      const g = tf.grads((...ts: tf.Tensor[]) => {
        const w = Object.fromEntries(names.map((n, i) => [n, ts[i] as tf.Tensor])) as StackWeights;
        return stackLoss(w, tf.tensor2d(b.x, [ROWS, 2]), tf.tensor2d(b.oneHot, [ROWS, DIMS.classes]), options, PENALTIES, tf.tensor2d(noise, [ROWS, DIMS.layers])).total;
      });
      const weights = device(stack.host, kind.skip);
      const grads = g(names.map((n) => weights[n] as tf.Tensor));
      const values = await Promise.all(grads.map(async (t) => (await t.data()) as Float32Array));
      tf.dispose([...grads, ...(Object.values(weights) as tf.Tensor[])]);
      // The surrogate's frozen offsets: g = q + (1[q0 > 0.5] - q0), equal to the hard gate at w0.
      const base = referenceForward(stack, b.x, ROWS, false, { noise });
      const steOffsets = kind.router === 'soft' ? undefined : Float64Array.from(base.gateP, (q) => (q > 0.5 ? 1 : 0) - q);
      const train = { noise, ...(steOffsets ? { steOffsets } : {}) };
      expect(referenceLoss(stack, b.x, b.labels, PENALTIES.lambdaS, PENALTIES.lambda1, train).total).toBeCloseTo(referenceLoss(stack, b.x, b.labels, PENALTIES.lambdaS, PENALTIES.lambda1, { noise }).total, 12);
      const rng = createRng(5, 1);
      names.forEach((name, k) => {
        const grad = values[k] as Float32Array;
        const scale = Math.max(...Array.from(grad, Math.abs));
        expect(scale, `${name} has a gradient`).toBeGreaterThan(1e-3);
        const coords = ['routerW', 'routerB', 'skipS', 'skipD', 'layerW'].includes(name) ? 6 : 2;
        for (let c = 0; c < coords; c++) {
          const i = randInt(rng, grad.length);
          const shifted = (delta: number): number => {
            const moved = Float64Array.from(stack.host[name] as Float32Array);
            moved[i] = (moved[i] as number) + delta;
            return referenceLoss({ ...stack, weights: { ...stack.weights, [name]: moved } }, b.x, b.labels, PENALTIES.lambdaS, PENALTIES.lambda1, train).total;
          };
          const numeric = (shifted(STEP) - shifted(-STEP)) / (2 * STEP);
          expect(Math.abs((grad[i] as number) - numeric), `${name}[${i}]`).toBeLessThan(1e-3 * scale + 1e-5);
        }
      });
    });
  }

  it('the router gets a task gradient through the straight-through gate (not only the penalty)', async () => {
    const options: StackOptions = { activation: 'tanh', routing: true, router: 'straight-through', skip: 'identity-diagonal' };
    const stack = randomStack(49, options);
    const b = batch(4);
    const g = tf.grads((rw: tf.Tensor) => {
      const w = { ...device(stack.host, options.skip), routerW: rw };
      return stackLoss(w, tf.tensor2d(b.x, [ROWS, 2]), tf.tensor2d(b.oneHot, [ROWS, DIMS.classes]), options, { lambdaS: 0, lambda1: 0 }).total;
    });
    const [grad] = g([tf.tensor(stack.host.routerW as Float32Array, allShapes(DIMS).routerW)]);
    const v = (await (grad as tf.Tensor).data()) as Float32Array;
    (grad as tf.Tensor).dispose();
    expect(Math.max(...Array.from(v, Math.abs))).toBeGreaterThan(1e-3);
  });

  for (const skip of ['dense', 'identity-diagonal'] as const) {
    for (const routing of [true, false]) {
      it(`gathered hard inference equals the masked hard forward (${skip}, routing ${routing})`, async () => {
        const options: StackOptions = { activation: 'relu', routing, router: 'soft', skip };
        const stack = randomStack(53, options);
        const rows = 32;
        const b = batch(8, rows);
        const before = tf.memory().numTensors;
        const w = device(stack.host, skip);
        const x = tf.tensor2d(b.x, [rows, 2]);
        const masked = tf.tidy(() => stackForward(w, x, options, true).logits);
        const gathered = await hardForwardGathered(w, x, options);
        const [m, g] = await Promise.all([masked.data(), gathered.logits.data()]);
        const ref = referenceForward(stack, b.x, rows, true);
        tf.dispose([masked, gathered.logits, x, ...(Object.values(w) as tf.Tensor[])]);
        expect(tf.memory().numTensors).toBe(before);
        m.forEach((v, i) => expect(g[i]).toBeCloseTo(v, 5));
        ref.logits.forEach((v, i) => expect(g[i]).toBeCloseTo(v, 4));
        expect(gathered.skipped).toBe(ref.skipped);
        if (routing) {
          expect(ref.skipped).toBeGreaterThan(0);
          expect(ref.skipped).toBeLessThan(rows * DIMS.layers);
        } else expect(gathered.skipped).toBe(0);
      });
    }
  }
});

describeBackends('routing trainer with router and skip kinds', () => {
  for (const router of ['straight-through', 'gumbel'] as const) {
    it(`learns circle with the ${router} router and the identity skip, and skips`, async () => {
      const t = await RoutingTrainer.create(experiment('circle', { router, skip: 'identity-diagonal', lambdaS: 0.2 }), circle);
      for (let s = 0; s < 300; s++) await t.trainStep();
      const e = await t.evaluate();
      const g = await t.gatheredInference(1);
      t.dispose();
      expect(e.hardAccuracy).toBeGreaterThan(0.85);
      expect(g.hardAccuracy).toBeCloseTo(e.hardAccuracy, 6);
      expect(g.skippedFraction).toBeCloseTo(e.skippedFraction, 6);
      expect(e.skippedFraction).toBeGreaterThan(0.2);
    });
  }

  it('no tensor leaks (Gumbel, identity skip) over steps, probe, detail, predict, gathered inference and export', async () => {
    const t = await RoutingTrainer.create(experiment('circle', { router: 'gumbel', skip: 'identity-diagonal' }), circle);
    for (let s = 0; s < 3; s++) await t.trainStep();
    const before = tf.memory().numTensors;
    for (let s = 3; s < 12; s++) await t.trainStep();
    await t.probe(1);
    await t.detail();
    await t.predict();
    await t.evaluate();
    await t.gatheredInference(1);
    await t.exportModel();
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
  });

  it('export -> fromModel round trip of an identity-skip stack; a dense-skip experiment refuses it', async () => {
    const exp = experiment('circle', { router: 'straight-through', skip: 'identity-diagonal' });
    const t = await RoutingTrainer.create(exp, circle);
    for (let s = 0; s < 10; s++) await t.trainStep();
    const model = await t.exportModel();
    expect(Object.keys(model.tensors).sort()).toEqual([...stackTensorNames('identity-diagonal')].sort());
    expect((model.tensors.skipD as HostTensor).shape).toEqual([3, 8]);
    const u = await RoutingTrainer.fromModel(exp, model, t.step, circle);
    expect(Array.from(await u.predict())).toEqual(Array.from(await t.predict()));
    u.dispose();
    t.dispose();
    await expect(RoutingTrainer.fromModel(experiment('circle'), model, 0, circle)).rejects.toThrow(/skipS|skipD/);
  });
});

describe('router kinds: determinism, documents, sweep [cpu]', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('same seed, same numbers with the Gumbel router; another seed, other noise', async () => {
    const run = async (seed: number): Promise<number[]> => {
      const t = await RoutingTrainer.create(experiment('xor', { router: 'gumbel', skip: 'identity-diagonal' }, seed), await loadDataset('xor', 7));
      const losses: number[] = [];
      for (let s = 0; s < 10; s++) losses.push((await t.trainStep()).stats.loss);
      t.dispose();
      return losses;
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
  });

  it('a document written before the router and skip kinds (no router, no skip) parses to the seed form', () => {
    const params = routingModel.schema.parse({ layers: 4, width: 16, activation: 'tanh', routing: true, lambdaS: 0.05, lambda1: 0.0001, learningRate: 0.01, batch: 32, noise: 0 });
    expect(params).toMatchObject({ router: 'soft', skip: 'dense' });
    expect(Object.keys(routingModel.document.tensorShapes({ model: 'routing', task: 'circle', seed: 1, params }, { nodes: [], edges: [], nextNodeId: 0, nextEdgeId: 0 })).sort()).toContain('skipS');
  });

  it('the sweep trains each router kind at each λs against one baseline', async () => {
    const points = await sweepLambda(experiment('gaussian', { layers: 2, width: 6 }), [0, 1], 30, { routers: ['soft', 'straight-through'] });
    expect(points.map((p) => [p.router, p.lambdaS])).toEqual([
      ['soft', 0],
      ['straight-through', 0],
      ['soft', 1],
      ['straight-through', 1],
    ]);
  });
});
