/**
 * A GRU or LSTM running live in the lab: the baselines' cells (unrolled with
 * ../baselines/gated-rnn.ts), the task streams, Adam, a probe lane whose
 * per-step unit states and message strengths drive the graph view, and
 * export / import of the cell's weights, on the shared trainer core
 * (counters, checkpoints, rollback).
 */
import * as tf from '@tensorflow/tfjs';
import { batchTensors, oneHotRows, sequenceLoss } from '../baselines/baseline-common';
import { unrollCell, type CellWeightName, type GatedCell } from '../baselines/gated-rnn';
import { GRU_CELL } from '../baselines/gru';
import { LSTM_CELL } from '../baselines/lstm';
import type { Graph } from '../graph';
import type { TrainerFactory } from '../model-descriptor';
import { createRng, deriveSeed } from '../random';
import type { TaskStream } from '../tasks/task';
import { createEvaluationStream, createTaskStream } from '../tasks/task-registry';
import { AdamOptimizer, clipByGlobalNorm } from '../training/adam';
import { checkpointVariables } from '../training/checkpoint';
import { downloadHost, tensorProblem, type HostTensor, type TensorHostModel } from '../training/host-tensor';
import type { ProbeTrace } from '../training/probe-trace';
import { TrainerCore, type ModelCheckpoint, type RawStep, type StepAt } from '../training/trainer-core';
import { newVariable } from '../variables';
import { gatedSizes, gatedTensorShapes } from './gated-document';
import { gatedGraph, gatedGraphProblem, gatedSlots, type GatedSizes } from './gated-graph';
import { GATED_LIVE_PARAM_KEYS, type GatedExperiment, type GatedKind, type GatedParams } from './gated-params';

type AnyCell = GatedCell<string>;
const CELLS: Readonly<Record<GatedKind, AnyCell>> = { gru: GRU_CELL, lstm: LSTM_CELL };

/** predict() runs this many symbols on this many lanes of the fixed evaluation stream. */
const PREDICT_SYMBOLS = 16;
const PREDICT_LANES = 4;

/** The seeded initial weights: the same draw as the battery's baseline of this cell and seed. */
function initialTensors(cell: AnyCell, s: GatedSizes, seed: number): Record<string, HostTensor> {
  return cell.init({ inputSize: s.inputSize, hidden: s.hidden, outputSize: s.outputSize }, createRng(deriveSeed(seed, `${cell.kind}-init`)));
}

export class GatedTrainer<K extends GatedKind = GatedKind> extends TrainerCore<GatedExperiment<K>, TensorHostModel, null> {
  private readonly cell: AnyCell;
  private readonly sizes: GatedSizes;
  private readonly graph: Graph;
  private readonly visitShare: ReadonlyMap<number, number>;
  private readonly streams: { readonly train: TaskStream; readonly probe: TaskStream };
  private readonly vars: Readonly<Record<string, tf.Variable>>;
  private readonly varList: readonly tf.Variable[];
  private readonly optimizer: AdamOptimizer;
  /** Every lane's state (h, and c for an LSTM) [lanes, H], carried from step to step. */
  private state: tf.Tensor2D[];
  private probeState: tf.Tensor2D[];
  /** Symbols drawn from each stream so far: a rebuilt trainer skips them and goes on where this one was. */
  private drawn = { train: 0, probe: 0 };

  private constructor(experiment: GatedExperiment<K>, tensors: Readonly<Record<string, HostTensor>>, start?: StepAt, skip?: { train: number; probe: number }) {
    super(experiment, GATED_LIVE_PARAM_KEYS, start);
    const { task, seed, params } = experiment;
    this.cell = CELLS[experiment.model];
    this.sizes = gatedSizes(task, params.hidden);
    this.graph = gatedGraph(this.sizes);
    const share = 1 / this.graph.nodes.length;
    this.visitShare = new Map(this.graph.nodes.map((n) => [n.id, share]));
    this.streams = {
      train: createTaskStream(task, params.batch, seed, deriveSeed(seed, 'train')),
      probe: createTaskStream(task, 1, seed, deriveSeed(seed, 'probe')),
    };
    // Streams draw time-major, so skipping n symbols at once lands where n drawn in steps did.
    if (skip) {
      if (skip.train > 0) this.streams.train.next(skip.train);
      if (skip.probe > 0) this.streams.probe.next(skip.probe);
      this.drawn = { ...skip };
    }
    const entries = this.cell.weightNames.map((name) => {
      const t = tensors[name] as HostTensor;
      return [name, newVariable(() => tf.tensor(t.values, [...t.shape]))] as const;
    });
    this.vars = Object.fromEntries(entries);
    this.varList = entries.map(([, v]) => v);
    this.optimizer = new AdamOptimizer(this.varList, params.learningRate, params.gradClip);
    this.state = this.zeroState(params.batch);
    this.probeState = this.zeroState(1);
  }

  /** A fresh network from the seed. */
  static create<K extends GatedKind>(experiment: GatedExperiment<K>): GatedTrainer<K> {
    const cell = CELLS[experiment.model];
    return new GatedTrainer(experiment, initialTensors(cell, gatedSizes(experiment.task, experiment.params.hidden), experiment.seed));
  }

  /** A network resumed from exported weights at `step`; refuses weights or a graph that do not fit the experiment. */
  static fromModel<K extends GatedKind>(experiment: GatedExperiment<K>, model: TensorHostModel, step: number): GatedTrainer<K> {
    const sizes = gatedSizes(experiment.task, experiment.params.hidden);
    const problem = gatedGraphProblem(sizes, model.graph) ?? tensorProblem(gatedTensorShapes(experiment.model, sizes), model.tensors);
    if (problem) throw new Error(`${experiment.model} model: ${problem}`);
    return new GatedTrainer(experiment, model.tensors, { step, tick: 0 });
  }

  get currentGraph(): Graph {
    return this.graph;
  }
  /** Every unit computes every step: uniform. */
  get visits(): ReadonlyMap<number, number> {
    return this.visitShare;
  }

  private zeroState(lanes: number): tf.Tensor2D[] {
    return Array.from({ length: this.cell.stateCount }, () => tf.zeros<tf.Rank.R2>([lanes, this.sizes.hidden]));
  }

  private get weights(): Readonly<Record<CellWeightName<string>, tf.Tensor>> {
    return this.vars;
  }

  private variable(name: CellWeightName<string>): tf.Variable {
    const v = this.vars[name];
    if (!v) throw new Error(`${this.cell.kind} has no weight ${name}`);
    return v;
  }

  protected applyParams(params: GatedParams): void {
    this.optimizer.learningRate = params.learningRate;
  }

  /** Weights and Adam's state; a rollback also starts every lane from a zero state. */
  protected checkpointModel(): Promise<ModelCheckpoint> {
    const optStep = this.optimizer.step;
    return Promise.resolve(
      checkpointVariables([...this.varList, ...this.optimizer.stateVariables()], () => {
        this.optimizer.step = optStep;
        tf.dispose(this.state);
        this.state = this.zeroState(this.params.batch);
      }),
    );
  }

  /** One truncated-BPTT step over the next `window` symbols of every lane. */
  protected async runStep(): Promise<RawStep> {
    this.assertLive();
    const p = this.params;
    const batch = this.streams.train.next(p.window);
    this.drawn.train += batch.length;
    const { x, targets, scored } = batchTensors(batch, this.sizes.inputSize, this.sizes.outputSize);
    // Results besides the loss leave the gradient scope through tf.keep.
    const kept: { state: tf.Tensor2D[]; correct: tf.Scalar | null } = { state: [], correct: null };
    const { value, grads } = tf.variableGrads(() => {
      const out = unrollCell(this.cell, this.weights, x, this.state, batch.length, batch.lanes);
      kept.state = out.state.map((s) => tf.keep(s));
      kept.correct = tf.keep(tf.sum(tf.mul(tf.cast(tf.equal(tf.argMax(out.logits, 1), tf.argMax(targets, 1)), 'float32'), scored)));
      return sequenceLoss(out.logits, targets, scored);
    }, [...this.varList]);
    const gradList = this.varList.map((v) => grads[v.name] as tf.Tensor);
    const norm = tf.tidy(() => clipByGlobalNorm(gradList, 0).norm);
    const readback = tf.tidy(() => tf.stack([value, kept.correct as tf.Scalar, tf.sum(scored), norm]));
    const values = (await readback.data()) as Float32Array;
    const [loss = NaN, correct = 0, count = 0, gradNorm = NaN] = values;
    // A non-finite step is rolled back by the core; its update would poison Adam's moments first.
    if (Number.isFinite(loss) && Number.isFinite(gradNorm)) this.optimizer.apply(gradList);
    tf.dispose([readback, value, norm, kept.correct as tf.Scalar, x, targets, scored, ...gradList, ...this.state]);
    this.state = kept.state;
    return { loss, accuracy: count > 0 ? correct / count : 0, gradNorm, ticks: batch.length, events: [] };
  }

  /**
   * The probe lane over `symbols` symbols (its own stream and state, no
   * learning): inputs light up with their symbol, units with their state h,
   * outputs with their class probability; each edge's value is its message
   * strength |w_ba|·|h_b| (the norm of w over the gate blocks), normalised per
   * kind of edge on each tick.
   */
  async probe(symbols: number): Promise<ProbeTrace> {
    this.assertLive();
    const { inputSize: D, hidden: H, outputSize: C } = this.sizes;
    const batch = this.streams.probe.next(symbols);
    this.drawn.probe += symbols;
    const out = tf.tidy(() => {
      const x = tf.tensor2d(oneHotRows(batch.inputs, D), [symbols, D]);
      const projected = tf.unstack(tf.reshape(this.cell.project(this.weights, x), [symbols, 1, -1])) as tf.Tensor2D[];
      let state = this.probeState;
      const hs: tf.Tensor2D[] = [];
      for (const step of projected) {
        state = this.cell.step(this.weights, step, state);
        hs.push(state[0] as tf.Tensor2D);
      }
      const h = tf.concat(hs, 0);
      const probs = tf.softmax(tf.add(tf.matMul(h, this.variable('readoutW') as tf.Tensor2D), this.variable('readoutB')));
      return { flat: tf.concat([tf.reshape(h, [-1]), tf.reshape(probs, [-1])]), state: state.map((s) => tf.keep(s)) };
    });
    tf.dispose(this.probeState);
    this.probeState = out.state;
    const [data, inputW, recurrentW, readoutW] = (await Promise.all([out.flat.data(), ...(['inputW', 'recurrentW', 'readoutW'] as const).map((n) => this.variable(n).data())])) as Float32Array[] as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    out.flat.dispose();
    const hAll = data.subarray(0, symbols * H);
    const probs = data.subarray(symbols * H);
    const G = inputW.length / D / H;
    const norm = (w: Float32Array, row: number, unit: number): number => {
      let s = 0;
      for (let g = 0; g < G; g++) s += (w[row * G * H + g * H + unit] as number) ** 2;
      return Math.sqrt(s);
    };
    const inNorm = Float32Array.from({ length: D * H }, (_, k) => norm(inputW, Math.floor(k / H), k % H));
    const recNorm = Float32Array.from({ length: H * H }, (_, k) => norm(recurrentW, Math.floor(k / H), k % H));
    const L = D + H + C;
    const { K, slotEdge } = gatedSlots(this.sizes);
    const activity = new Float32Array(symbols * L);
    const gates = new Float32Array(symbols * L * K);
    const strength = new Float32Array(D * H + H * H + H * C);
    for (let t = 0; t < symbols; t++) {
      const sym = batch.inputs[t] as number;
      const h = hAll.subarray(t * H, (t + 1) * H);
      const hPrev = t > 0 ? hAll.subarray((t - 1) * H, t * H) : null;
      const row = activity.subarray(t * L, (t + 1) * L);
      if (sym >= 0) row[sym] = 1;
      row.set(h, D);
      row.set(probs.subarray(t * C, (t + 1) * C), D + H);
      // Message strengths per edge id, then each kind scaled to its largest.
      strength.fill(0);
      if (sym >= 0) for (let a = 0; a < H; a++) strength[sym * H + a] = inNorm[sym * H + a] as number;
      if (hPrev) for (let b = 0; b < H; b++) for (let a = 0; a < H; a++) strength[D * H + b * H + a] = (recNorm[b * H + a] as number) * Math.abs(hPrev[b] as number);
      for (let j = 0; j < H; j++) for (let c = 0; c < C; c++) strength[D * H + H * H + j * C + c] = Math.abs((readoutW[j * C + c] as number) * (h[j] as number));
      scaleRange(strength, 0, D * H);
      scaleRange(strength, D * H, D * H + H * H);
      scaleRange(strength, D * H + H * H, strength.length);
      const g = gates.subarray(t * L * K, (t + 1) * L * K);
      slotEdge.forEach((id, slot) => {
        if (id >= 0) g[slot] = strength[id] as number;
      });
    }
    return {
      nodeIds: Int32Array.from(this.graph.nodes, (n) => n.id),
      ticks: symbols,
      K,
      slotEdge,
      activity,
      gates,
      active: new Uint8Array(symbols * L).fill(1),
      threads: new Int32Array(0),
      reads: new Uint8Array(symbols).fill(1),
    };
  }

  detail(): Promise<null> {
    return Promise.resolve(null);
  }

  /** Class probabilities on the experiment's fixed evaluation sequence, from zero state: equal for equal networks. [symbols * lanes, C], time major. */
  async predict(): Promise<Float32Array> {
    this.assertLive();
    const { task, seed } = this.experiment;
    const batch = createEvaluationStream(task, PREDICT_LANES, seed, deriveSeed(seed, 'eval')).next(PREDICT_SYMBOLS);
    const probs = tf.tidy(() => {
      const { x } = batchTensors(batch, this.sizes.inputSize, this.sizes.outputSize);
      const state0 = this.zeroState(PREDICT_LANES);
      return tf.softmax(unrollCell(this.cell, this.weights, x, state0, PREDICT_SYMBOLS, PREDICT_LANES).logits);
    });
    const data = (await probs.data()) as Float32Array;
    probs.dispose();
    return data;
  }

  async exportModel(): Promise<TensorHostModel> {
    this.assertLive();
    const entries = await Promise.all(this.cell.weightNames.map(async (name) => [name, await downloadHost(this.variable(name))] as const));
    return { graph: this.graph, tensors: Object.fromEntries(entries) };
  }

  /** Host copy of the weights, Adam's moments, every lane's state and the streams' positions; the function rebuilds an equal trainer on the current backend. */
  protected async suspendModel(): Promise<(at: StepAt) => GatedTrainer<K>> {
    const model = await this.exportModel();
    const opt = this.optimizer;
    const [moments, state, probeState] = await Promise.all([
      Promise.all(opt.stateVariables().map(async (v) => Float32Array.from(await v.data()))),
      Promise.all(this.state.map((s) => downloadHost(s))),
      Promise.all(this.probeState.map((s) => downloadHost(s))),
    ]);
    const optStep = opt.step;
    const experiment = this.currentExperiment;
    const drawn = { ...this.drawn };
    const upload = (ts: readonly HostTensor[]): tf.Tensor2D[] => ts.map((t) => tf.tensor2d(t.values, t.shape as [number, number]));
    return (at) => {
      const t = new GatedTrainer(experiment, model.tensors, at, drawn);
      t.optimizer.stateVariables().forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(moments[i] as Float32Array, v.shape))));
      t.optimizer.step = optStep;
      tf.dispose([...t.state, ...t.probeState]);
      t.state = upload(state);
      t.probeState = upload(probeState);
      return t;
    };
  }

  protected disposeModel(): void {
    this.optimizer.dispose();
    tf.dispose([...this.varList, ...this.state, ...this.probeState]);
  }
}

/** Scales a[from, to) to [0, 1] by its largest value (all zero stays zero). */
function scaleRange(a: Float32Array, from: number, to: number): void {
  let max = 0;
  for (let i = from; i < to; i++) if ((a[i] as number) > max) max = a[i] as number;
  if (max > 0) for (let i = from; i < to; i++) a[i] = (a[i] as number) / max;
}

/** How the lab makes GRU and LSTM trainers (gated-descriptor.ts loads this in the worker). */
export function gatedTrainerFactory<K extends GatedKind>(_kind: K): TrainerFactory<GatedExperiment<K>, TensorHostModel, null> {
  return {
    create: (experiment) => Promise.resolve(GatedTrainer.create(experiment)),
    fromModel: (experiment, model, step) => Promise.resolve(GatedTrainer.fromModel(experiment, model, step)),
  };
}
