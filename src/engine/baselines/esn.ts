/**
 * Echo-state network baseline (reservoir computing, Jaeger 2001): a fixed
 * random sparse reservoir of N tanh units driven by fixed random input
 * weights; only the linear read-out learns. Row-vector convention:
 *   s' = (1 - a) s + a tanh(x Win + s W)      (Win [I, N], W [N, N], leak a)
 *   logits = [s', x] Wout + bout               (Wout [N + I, O])
 * W has each entry present with probability `connectivity`, uniform in
 * [-1, 1], then rescaled so its spectral radius is exactly `spectralRadius`
 * (measured on the host by power iteration, see spectralRadius below). Win
 * is dense, uniform in ±inputScale. The read-out sees the input too (the
 * usual ESN read-out [1; u; x]) and starts at zero.
 *
 * Learning (our choice): Adam with global-norm clipping on the cross-entropy
 * of the read-out, one step per train(batch) like the other baselines, so
 * losses compare and the forgetting test means the same thing; ridge
 * regression would need every batch's statistics kept forever.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed, randNormal } from '../random';
import { scorePredictions, type BatchScore, type Evaluation, type ModelSpec, type SequenceModel } from '../sequence-model';
import { type WeightCheckpoint } from '../training/checkpoint';
import type { TaskBatch } from '../tasks/task';
import { esnParamsSchema, parseParams, type EsnParams, type EsnParamsInput } from './baseline-params';
import { assertLanes, batchTensors, perturbVariable, removeEntries, scoredCount, sequenceLoss, uniformArray } from './baseline-common';
import { AdamOptimizer } from '../training/adam';
import { checkpointVariables } from '../training/checkpoint';
import { downloadHost, type HostWeights } from '../training/host-tensor';
import { newVariable } from '../variables';

export const ESN_WEIGHT_NAMES = ['reservoirW', 'inputW', 'readoutW', 'readoutB'] as const;
export type EsnWeightName = (typeof ESN_WEIGHT_NAMES)[number];

/** Square matrix, row-major, n x n. */
export interface SquareMatrix {
  readonly n: number;
  readonly values: ArrayLike<number>;
}

const RADIUS_CHUNK = 50;
const RADIUS_MAX_ITERATIONS = 40_000;
const RADIUS_TOLERANCE = 1e-10;

/**
 * Spectral radius (largest |eigenvalue|) by power iteration in float64. A
 * real matrix's dominant eigenvalue may be a complex pair, on which plain
 * power iteration never settles on a vector, only on a plane; so the
 * estimate is the larger |Ritz value| of the matrix projected on the Krylov
 * plane span{v, Mv} of the current iterate (two-vector Arnoldi), which holds
 * a dominant real eigenvalue or complex pair alike. Iterates until the
 * estimate stops moving (converges like |λ3 / λ1|^k). 0 for a nilpotent matrix.
 */
export function spectralRadius(m: SquareMatrix, seed = 1): number {
  const { n } = m;
  const rows: { cols: number[]; vals: number[] }[] = Array.from({ length: n }, () => ({ cols: [], vals: [] }));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = m.values[i * n + j] as number;
      if (x === 0) continue;
      rows[i]?.cols.push(j);
      rows[i]?.vals.push(x);
    }
  }
  const apply = (v: Float64Array): Float64Array => {
    const out = new Float64Array(n);
    rows.forEach((r, i) => {
      let s = 0;
      r.cols.forEach((j, k) => (s += (r.vals[k] as number) * (v[j] as number)));
      out[i] = s;
    });
    return out;
  };
  return operatorSpectralRadius(n, apply, seed);
}

/**
 * The iteration of `spectralRadius` for any linear map on R^n given as `apply` (a dense matrix here,
 * a sparse one in loopy/loopy-spectral.ts): the same float64 operations in the same order, so equal
 * matrices give equal radii whatever their storage.
 */
export function operatorSpectralRadius(n: number, apply: (v: Float64Array) => Float64Array, seed = 1): number {
  const dot = (a: Float64Array, b: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
    return s;
  };
  const normalise = (v: Float64Array): number => {
    const norm = Math.sqrt(dot(v, v));
    if (norm > 0) for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) / norm;
    return norm;
  };
  const rng = createRng(seed, 41);
  let q0: Float64Array = Float64Array.from({ length: n }, () => randNormal(rng));
  normalise(q0);
  const estimate = (): number => {
    const mq0 = apply(q0);
    const h00 = dot(q0, mq0);
    const q1 = mq0.map((x, i) => x - h00 * (q0[i] as number));
    const r = normalise(q1);
    // The plane has collapsed to a line: q0 is an eigenvector (a real dominant eigenvalue), and q1 would be rounding noise.
    if (r <= 1e-9 * Math.max(Math.abs(h00), 1e-300)) return Math.abs(h00);
    const mq1 = apply(q1);
    const h01 = dot(q0, mq1);
    const h11 = dot(q1, mq1);
    // H = [[h00, h01], [r, h11]]: its eigenvalues are the Ritz values.
    const half = (h00 + h11) / 2;
    const disc = half * half - (h00 * h11 - h01 * r);
    if (disc < 0) return Math.sqrt(h00 * h11 - h01 * r);
    return Math.abs(half) + Math.sqrt(disc);
  };
  let previous = NaN;
  for (let done = 0; done < RADIUS_MAX_ITERATIONS; done += RADIUS_CHUNK) {
    for (let k = 0; k < RADIUS_CHUNK; k++) {
      q0 = apply(q0);
      if (normalise(q0) === 0) return 0;
    }
    const current = estimate();
    if (Math.abs(current - previous) <= RADIUS_TOLERANCE * Math.max(1, current)) return current;
    previous = current;
  }
  return previous;
}

export interface EsnModel extends SequenceModel {
  readonly params: EsnParams;
  readWeights(): Promise<HostWeights<EsnWeightName>>;
}

/** Seeded reservoir, input and read-out weights; the reservoir rescaled to the requested spectral radius. */
export function initEsnWeights(spec: Pick<ModelSpec, 'inputSize' | 'outputSize' | 'seed'>, p: EsnParams): HostWeights<EsnWeightName> {
  const n = p.units;
  const rng = createRng(deriveSeed(spec.seed, 'esn-init'));
  // A sparse draw can be nilpotent (radius 0) and not rescalable: draw again.
  for (let attempt = 0; attempt < 10; attempt++) {
    const reservoir = Float64Array.from({ length: n * n }, () => (rng.next() < p.connectivity ? 2 * rng.next() - 1 : 0));
    const radius = spectralRadius({ n, values: reservoir }, deriveSeed(spec.seed, `esn-radius-${attempt}`));
    if (radius < 1e-6) continue;
    const scale = p.spectralRadius / radius;
    return {
      reservoirW: { shape: [n, n], values: Float32Array.from(reservoir, (x) => x * scale) },
      inputW: { shape: [spec.inputSize, n], values: uniformArray(rng, spec.inputSize * n, p.inputScale) },
      readoutW: { shape: [n + spec.inputSize, spec.outputSize], values: new Float32Array((n + spec.inputSize) * spec.outputSize) },
      readoutB: { shape: [spec.outputSize], values: new Float32Array(spec.outputSize) },
    };
  }
  throw new Error(`esn: no reservoir with a non-zero spectral radius at ${n} units, connectivity ${p.connectivity}`);
}

/** The read-out's features [T*B, N + I] (the reservoir's states, then the input) and the last state. */
export function esnFeatures(
  w: Readonly<Record<'reservoirW' | 'inputW', tf.Tensor>>,
  x: tf.Tensor2D,
  state0: tf.Tensor2D,
  steps: number,
  lanes: number,
  leakRate: number,
): { features: tf.Tensor2D; state: tf.Tensor2D } {
  const driven = tf.unstack(tf.reshape(tf.matMul(x, w.inputW as tf.Tensor2D), [steps, lanes, -1])) as tf.Tensor2D[];
  let s = state0;
  const states: tf.Tensor2D[] = [];
  for (const u of driven) {
    const fresh = tf.tanh(tf.add<tf.Tensor2D>(u, tf.matMul(s, w.reservoirW as tf.Tensor2D)));
    s = leakRate === 1 ? fresh : tf.add<tf.Tensor2D>(tf.mul(s, 1 - leakRate), tf.mul(fresh, leakRate));
    states.push(s);
  }
  return { features: tf.concat([tf.concat(states, 0), x], 1), state: s };
}

export function createEsnModel(spec: ModelSpec, params: EsnParamsInput = {}): EsnModel {
  return new Esn(spec, parseParams(esnParamsSchema, params, 'esn'));
}

class Esn implements EsnModel {
  readonly kind = 'esn';
  readonly lanes: number;
  private readonly vars: Record<EsnWeightName, tf.Variable>;
  private readonly trained: tf.Variable[];
  private readonly optimizer: AdamOptimizer;
  private state: tf.Tensor2D;
  private disposed = false;

  constructor(
    private readonly spec: ModelSpec,
    readonly params: EsnParams,
  ) {
    this.lanes = spec.lanes;
    const init = initEsnWeights(spec, params);
    const variable = (name: EsnWeightName, trainable: boolean): tf.Variable => newVariable(() => tf.tensor(init[name].values, [...init[name].shape]), trainable);
    this.vars = {
      reservoirW: variable('reservoirW', false),
      inputW: variable('inputW', false),
      readoutW: variable('readoutW', true),
      readoutB: variable('readoutB', true),
    };
    this.trained = [this.vars.readoutW, this.vars.readoutB];
    this.optimizer = new AdamOptimizer(this.trained, params.learningRate, params.gradClip);
    this.state = tf.zeros([this.lanes, params.units]);
  }

  private readout(features: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(features, this.vars.readoutW), this.vars.readoutB);
  }

  private run(batch: TaskBatch, x: tf.Tensor2D): tf.Tensor2D {
    const r = tf.tidy(() => esnFeatures(this.vars, x, this.state, batch.length, batch.lanes, this.params.leakRate));
    this.state.dispose();
    this.state = r.state;
    return r.features;
  }

  async train(batch: TaskBatch): Promise<BatchScore> {
    this.assertUsable(batch);
    const { x, targets, scored } = batchTensors(batch, this.spec.inputSize, this.spec.outputSize);
    // The reservoir does not learn: its states are computed once, outside the gradient.
    const features = this.run(batch, x);
    const kept: { predicted: tf.Tensor1D | null } = { predicted: null };
    const { value, grads } = tf.variableGrads(() => {
      const logits = this.readout(features);
      kept.predicted = tf.keep(tf.argMax(logits, 1));
      return sequenceLoss(logits, targets, scored);
    }, this.trained);
    tf.dispose([x, targets, scored, features]);
    const predictedTensor = kept.predicted;
    if (!predictedTensor) throw new Error('forward pass did not run');
    const [lossData, predicted] = await Promise.all([value.data(), predictedTensor.data() as Promise<Int32Array>]);
    const count = scoredCount(batch);
    const loss = count > 0 ? (lossData[0] as number) : NaN;
    // No update when nothing is scored (Adam's momentum would still move the weights) or the loss is not finite (it would poison the moments).
    if (Number.isFinite(loss)) this.optimizer.apply(this.trained.map((v) => grads[v.name] as tf.Tensor));
    tf.dispose([value, predictedTensor, ...Object.values(grads)]);
    return { loss, accuracy: scorePredictions(batch, predicted).accuracy, scored: count };
  }

  async evaluate(batch: TaskBatch): Promise<Evaluation> {
    this.assertUsable(batch);
    const { x, targets, scored } = batchTensors(batch, this.spec.inputSize, this.spec.outputSize);
    const features = this.run(batch, x);
    const out = tf.tidy(() => {
      const logits = this.readout(features);
      return { predicted: tf.argMax(logits, 1), loss: sequenceLoss(logits, targets, scored) };
    });
    tf.dispose([x, targets, scored, features]);
    const [predicted, lossData] = await Promise.all([out.predicted.data() as Promise<Int32Array>, out.loss.data()]);
    tf.dispose([out.predicted, out.loss]);
    const e = scorePredictions(batch, predicted);
    return { ...e, loss: e.scored > 0 ? (lossData[0] as number) : NaN };
  }

  resetState(): void {
    this.assertLive();
    this.state.dispose();
    this.state = tf.zeros([this.lanes, this.params.units]);
  }

  async checkpoint(): Promise<WeightCheckpoint> {
    this.assertLive();
    const step = this.optimizer.step;
    // The reservoir and input weights too: perturbWeights and removeConnections change them.
    return checkpointVariables([...ESN_WEIGHT_NAMES.map((n) => this.vars[n]), ...this.optimizer.stateVariables()], () => (this.optimizer.step = step));
  }

  /** Noise on the reservoir's present connections (std over them: absent ones stay absent), the input and the read-out weights. */
  async perturbWeights(sigma: number, seed: number): Promise<void> {
    this.assertLive();
    const reservoir = await this.vars.reservoirW.data();
    await perturbVariable(this.vars.reservoirW, sigma, seed, 'reservoirW', (i) => reservoir[i] !== 0);
    for (const name of ['inputW', 'readoutW', 'readoutB'] as const) await perturbVariable(this.vars[name], sigma, seed, name);
  }

  /** Zeroes a seeded fraction of the reservoir's present connections; nothing trains them back. */
  async removeConnections(fraction: number, seed: number): Promise<void> {
    this.assertLive();
    const w = this.vars.reservoirW;
    const values = Float32Array.from(await w.data());
    const mask = removeEntries(values.length, (i) => values[i] !== 0, fraction, seed);
    values.forEach((x, i) => (values[i] = x * (mask[i] as number)));
    tf.tidy(() => w.assign(tf.tensor(values, w.shape)));
  }

  async readWeights(): Promise<HostWeights<EsnWeightName>> {
    this.assertLive();
    const entries = await Promise.all(ESN_WEIGHT_NAMES.map(async (name) => [name, await downloadHost(this.vars[name])] as const));
    return Object.fromEntries(entries) as HostWeights<EsnWeightName>;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.optimizer.dispose();
    tf.dispose([...Object.values(this.vars), this.state]);
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('esn model used after dispose()');
  }

  private assertUsable(batch: TaskBatch): void {
    this.assertLive();
    assertLanes(batch, this.lanes, 'esn');
  }
}
