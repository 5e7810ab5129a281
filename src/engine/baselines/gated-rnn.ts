/**
 * One-layer gated recurrent networks (LSTM, GRU) as SequenceModels: a cell,
 * a linear read-out to logits, cross-entropy on scored symbols, Adam with
 * global-norm clipping, truncated BPTT over each batch with every lane's
 * state carried to the next batch. The cells themselves live in lstm.ts and
 * gru.ts; this file is what they share.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed, type Rng } from '../random';
import { scorePredictions, type BatchScore, type Evaluation, type ModelSpec, type SequenceModel } from '../sequence-model';
import { type WeightCheckpoint } from '../training/checkpoint';
import type { TaskBatch } from '../tasks/task';
import { parseParams, gatedRnnParamsSchema, type GatedRnnParams, type GatedRnnParamsInput } from './baseline-params';
import { assertLanes, batchTensors, perturbVariable, removeEntries, scoredCount, sequenceLoss } from './baseline-common';
import { AdamOptimizer } from '../training/adam';
import { checkpointVariables } from '../training/checkpoint';
import { downloadHost, type HostTensor, type HostWeights } from '../training/host-tensor';
import { newVariable } from '../variables';

export interface CellDims {
  readonly inputSize: number;
  readonly hidden: number;
  readonly outputSize: number;
}

/** Every cell has a recurrent matrix [H, gates*H] (what removeConnections thins) and a read-out [H, O] + [O]. */
export type CellWeightName<N extends string> = N | 'recurrentW' | 'readoutW' | 'readoutB';

export interface GatedCell<N extends string> {
  readonly kind: 'lstm' | 'gru';
  /** Weight tensors in a fixed order (checkpoints, perturbation seeds, tests). */
  readonly weightNames: readonly CellWeightName<N>[];
  /** State tensors per lane, the hidden state h first. */
  readonly stateCount: number;
  /** Seeded initial weights. */
  init(dims: CellDims, rng: Rng): HostWeights<CellWeightName<N>>;
  /** Input projections of every step at once: [T*B, inputSize] -> [T*B, gates*H] (with input biases). */
  project(w: Readonly<Record<CellWeightName<N>, tf.Tensor>>, x: tf.Tensor2D): tf.Tensor2D;
  /** One step from the projected input [B, gates*H] and the state; returns the new state. */
  step(w: Readonly<Record<CellWeightName<N>, tf.Tensor>>, projected: tf.Tensor2D, state: readonly tf.Tensor2D[]): tf.Tensor2D[];
}

/** Runs the cell over a time-major batch from `state0`: logits [T*B, O] and the state after the last step. */
export function unrollCell<N extends string>(
  cell: GatedCell<N>,
  w: Readonly<Record<CellWeightName<N>, tf.Tensor>>,
  x: tf.Tensor2D,
  state0: readonly tf.Tensor2D[],
  steps: number,
  lanes: number,
): { logits: tf.Tensor2D; state: tf.Tensor2D[] } {
  const projected = tf.unstack(tf.reshape(cell.project(w, x), [steps, lanes, -1])) as tf.Tensor2D[];
  let state = [...state0];
  const hidden: tf.Tensor2D[] = [];
  for (const p of projected) {
    state = cell.step(w, p, state);
    hidden.push(state[0] as tf.Tensor2D);
  }
  // One read-out matmul over every step rather than one per step.
  const logits = tf.add(tf.matMul(tf.concat(hidden, 0), w.readoutW as tf.Tensor2D), w.readoutB) as tf.Tensor2D;
  return { logits, state };
}

/** Uniform in [-1/sqrt(H), 1/sqrt(H)]: PyTorch's default for recurrent layers. */
export function cellInitScale(hidden: number): number {
  return 1 / Math.sqrt(hidden);
}

export interface GatedRnnModel<N extends string> extends SequenceModel {
  readonly params: GatedRnnParams;
  /** Host copies of the weights, and the recurrent mask (1 = connection kept). */
  readWeights(): Promise<{ weights: HostWeights<CellWeightName<N>>; recurrentMask: HostTensor | null }>;
}

export function createGatedRnnModel<N extends string>(cell: GatedCell<N>, spec: ModelSpec, params: GatedRnnParamsInput = {}): GatedRnnModel<N> {
  const p = parseParams(gatedRnnParamsSchema, params, cell.kind);
  return new GatedRnn(cell, spec, p);
}

class GatedRnn<N extends string> implements GatedRnnModel<N> {
  readonly kind: string;
  readonly lanes: number;
  private readonly dims: CellDims;
  private readonly vars: Record<CellWeightName<N>, tf.Variable>;
  private readonly varList: tf.Variable[];
  private readonly optimizer: AdamOptimizer;
  /** [H, gates*H] 0/1, applied after every update; null until connections are removed. */
  private mask: tf.Tensor | null = null;
  private state: tf.Tensor2D[];
  private disposed = false;

  constructor(
    private readonly cell: GatedCell<N>,
    spec: ModelSpec,
    readonly params: GatedRnnParams,
  ) {
    this.kind = cell.kind;
    this.lanes = spec.lanes;
    this.dims = { inputSize: spec.inputSize, hidden: params.hidden, outputSize: spec.outputSize };
    const init = cell.init(this.dims, createRng(deriveSeed(spec.seed, `${cell.kind}-init`)));
    const entries = cell.weightNames.map((name) => [name, newVariable(() => tf.tensor(init[name].values, [...init[name].shape]))] as const);
    this.vars = Object.fromEntries(entries) as Record<CellWeightName<N>, tf.Variable>;
    this.varList = entries.map(([, v]) => v);
    this.optimizer = new AdamOptimizer(this.varList, params.learningRate, params.gradClip);
    this.state = this.zeroState();
  }

  private zeroState(): tf.Tensor2D[] {
    return Array.from({ length: this.cell.stateCount }, () => tf.zeros([this.lanes, this.dims.hidden]));
  }

  async train(batch: TaskBatch): Promise<BatchScore> {
    this.assertUsable(batch);
    const { x, targets, scored } = batchTensors(batch, this.dims.inputSize, this.dims.outputSize);
    // Results besides the loss leave the gradient scope through tf.keep.
    const kept: { state: tf.Tensor2D[]; predicted: tf.Tensor1D | null } = { state: [], predicted: null };
    const { value, grads } = tf.variableGrads(() => {
      const out = unrollCell(this.cell, this.vars, x, this.state, batch.length, batch.lanes);
      kept.state = out.state.map((s) => tf.keep(s));
      kept.predicted = tf.keep(tf.argMax(out.logits, 1));
      return sequenceLoss(out.logits, targets, scored);
    }, this.varList);
    tf.dispose([x, targets, scored, ...this.state]);
    this.state = kept.state;
    const predictedTensor = kept.predicted;
    if (!predictedTensor) throw new Error('forward pass did not run');
    const [lossData, predicted] = await Promise.all([value.data(), predictedTensor.data() as Promise<Int32Array>]);
    const count = scoredCount(batch);
    const loss = count > 0 ? (lossData[0] as number) : NaN;
    // No update when nothing is scored (Adam's momentum would still move the weights) or the loss is not finite (it would poison the moments).
    if (Number.isFinite(loss)) {
      this.optimizer.apply(this.varList.map((v) => grads[v.name] as tf.Tensor));
      this.applyMask();
    }
    tf.dispose([value, predictedTensor, ...Object.values(grads)]);
    return { loss, accuracy: scorePredictions(batch, predicted).accuracy, scored: count };
  }

  async evaluate(batch: TaskBatch): Promise<Evaluation> {
    this.assertUsable(batch);
    const { x, targets, scored } = batchTensors(batch, this.dims.inputSize, this.dims.outputSize);
    const out = tf.tidy(() => {
      const r = unrollCell(this.cell, this.vars, x, this.state, batch.length, batch.lanes);
      return { state: r.state, predicted: tf.argMax(r.logits, 1), loss: sequenceLoss(r.logits, targets, scored) };
    });
    tf.dispose([x, targets, scored, ...this.state]);
    this.state = out.state;
    const [predicted, lossData] = await Promise.all([out.predicted.data() as Promise<Int32Array>, out.loss.data()]);
    tf.dispose([out.predicted, out.loss]);
    const e = scorePredictions(batch, predicted);
    return { ...e, loss: e.scored > 0 ? (lossData[0] as number) : NaN };
  }

  resetState(): void {
    this.assertLive();
    tf.dispose(this.state);
    this.state = this.zeroState();
  }

  async checkpoint(): Promise<WeightCheckpoint> {
    this.assertLive();
    const step = this.optimizer.step;
    const mask = this.mask ? tf.clone(this.mask) : null;
    return checkpointVariables(
      [...this.varList, ...this.optimizer.stateVariables()],
      () => {
        this.optimizer.step = step;
        if (this.mask) this.mask.dispose();
        this.mask = mask ? tf.clone(mask) : null;
      },
      () => mask?.dispose(),
    );
  }

  /** Noise on every weight tensor (std of that tensor); removed recurrent entries stay removed. */
  async perturbWeights(sigma: number, seed: number): Promise<void> {
    this.assertLive();
    for (const name of this.cell.weightNames) await perturbVariable(this.vars[name], sigma, seed, name);
    this.applyMask();
  }

  /** Zeroes a seeded fraction of the recurrent entries still present, for good: the mask is applied after every update. */
  async removeConnections(fraction: number, seed: number): Promise<void> {
    this.assertLive();
    const w = this.vars.recurrentW;
    const current = this.mask ? await this.mask.data() : null;
    const mask = removeEntries(w.size, (i) => !current || current[i] === 1, fraction, seed);
    if (this.mask) this.mask.dispose();
    this.mask = tf.tensor(mask, w.shape);
    this.applyMask();
  }

  async readWeights(): Promise<{ weights: HostWeights<CellWeightName<N>>; recurrentMask: HostTensor | null }> {
    this.assertLive();
    const entries = await Promise.all(this.cell.weightNames.map(async (name) => [name, await downloadHost(this.vars[name])] as const));
    return {
      weights: Object.fromEntries(entries) as HostWeights<CellWeightName<N>>,
      recurrentMask: this.mask ? await downloadHost(this.mask) : null,
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.optimizer.dispose();
    tf.dispose([...this.varList, ...this.state]);
    this.mask?.dispose();
  }

  private applyMask(): void {
    const mask = this.mask;
    if (!mask) return;
    const w = this.vars.recurrentW;
    // Inside tidy: assign shares the product's data, and tidy then frees the product's handle.
    tf.tidy(() => w.assign(tf.mul(w, mask)));
  }

  private assertLive(): void {
    if (this.disposed) throw new Error(`${this.kind} model used after dispose()`);
  }

  private assertUsable(batch: TaskBatch): void {
    this.assertLive();
    assertLanes(batch, this.lanes, this.kind);
  }
}
