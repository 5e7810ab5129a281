/**
 * A stack of layers with routing modules (seed 003, docs/ARCHITECTURE.md) running live
 * in the lab: the dataset, the device variables, Adam, the probe for the
 * graph view and the detail for the routing view, on the shared trainer core
 * (counters, checkpoints, rollback; one step is one tick).
 *
 * The graph is the chain input (id 0, the input projection h_0) -> routed
 * layers (ids 1..N, node l holds h_l) -> output (id N+1, the logits); edge
 * l-1 -> l (id l-1) is routed layer l's path, so its gate is that layer's
 * p_exec. Batches are a pure function of (seed, step), so a rebuilt or
 * imported trainer continues on the same batches.
 */
import * as tf from '@tensorflow/tfjs';
import { oneHotRows } from '../baselines/baseline-common';
import { AdamOptimizer, clipByGlobalNorm } from '../training/adam';
import { checkpointVariables } from '../training/checkpoint';
import { downloadHost, tensorProblem, type HostTensor, type TensorHostModel } from '../training/host-tensor';
import { gatherRows, loadDataset, type ClassificationData } from '../datasets/classification-data';
import type { TrainerFactory } from '../model-descriptor';
import type { Graph } from '../graph';
import type { ProbeTrace } from '../training/probe-trace';
import { heldOutRows, type HeldOutPredictions } from '../training/held-out';
import { TrainerCore, type ModelCheckpoint, type RawStep, type StepAt } from '../training/trainer-core';
import type { RoutingDetail } from './routing-detail';
import { routingDims, routingGraph, routingGraphProblem, routingTensorShapes } from './routing-document';
import { createRng, deriveSeed, randInt } from '../random';
import { newVariable } from '../variables';
import { ROUTING_LIVE_PARAM_KEYS, type RoutingExperiment, type RoutingParams } from './routing-params';
import { ROUTER_TENSOR_NAMES, stackTensorNames, type RoutingTensorName, type StackDims } from './routing-shapes';
import { correctRows, hardForwardGathered, initStackTensors, logisticNoise, stackForward, stackLoss, type StackOptions, type StackWeights } from './routing-stack';

/** Global gradient-norm clip (the house default; not a lab parameter). */
const GRAD_CLIP = 1;
/** Test examples shown in the routing view, and predicted by predict(). */
const PROBE_EXAMPLES = 64;
/** The boundary's read-back: class 1's probability per grid point (two classes), or the winner's probability then its class (more). */
function boundaryOf(tail: Float32Array, classes: number): { boundary: Float32Array; boundaryClass: Int32Array } {
  if (classes === 2 || tail.length === 0) return { boundary: tail.slice(), boundaryClass: new Int32Array(0) };
  const n = tail.length / 2;
  return { boundary: tail.slice(0, n), boundaryClass: Int32Array.from(tail.subarray(n)) };
}

/** Side of the decision-boundary grid over [-1, 1]^2 (2-D datasets). */
const GRID_SIZE = 40;

/** Refuses a model whose tensors or graph do not fit the experiment (names, shapes, finite values, the chain). */
function validateRoutingModel(experiment: RoutingExperiment, model: TensorHostModel): void {
  const problem = routingGraphProblem(experiment, model.graph) ?? tensorProblem(routingTensorShapes(experiment), model.tensors);
  if (problem) throw new Error(`routing model: ${problem}`);
}

/** Test-split accuracies and compute saved. */
export interface RoutingEvaluation {
  /** Hard routing (execute iff p_exec > 0.5). */
  readonly hardAccuracy: number;
  /** Every layer mixed softly, as in training. */
  readonly softAccuracy: number;
  /** Share of layer executions skipped under hard routing (0 without routing). */
  readonly skippedFraction: number;
}

/** Hard inference on the whole test split with executing rows gathered per layer, timed. */
export interface GatheredInference {
  readonly hardAccuracy: number;
  readonly skippedFraction: number;
  /** Median wall-clock of one pass over the tiled test split, ms (the logits read back included). */
  readonly ms: number;
}

interface Device {
  readonly vars: Readonly<Partial<Record<RoutingTensorName, tf.Variable>>>;
  readonly optimizer: AdamOptimizer;
}

/** The data the trainer evaluates on, uploaded once. */
interface EvalTensors {
  readonly testX: tf.Tensor2D;
  readonly testY: tf.Tensor1D;
  /** The first PROBE_EXAMPLES test rows. */
  readonly probeX: tf.Tensor2D;
  readonly grid: tf.Tensor2D | null;
}

export class RoutingTrainer extends TrainerCore<RoutingExperiment, TensorHostModel, RoutingDetail> {
  private readonly options: StackOptions;
  private readonly dims: StackDims;
  private readonly data: ClassificationData;
  private readonly graph: Graph;
  private readonly visitShare: ReadonlyMap<number, number>;
  private readonly device: Device;
  private readonly evalTensors: EvalTensors;
  private probeCursor = 0;
  /** Mean p_exec per layer over the last train batch (null before the first step). */
  private batchPExec: Float32Array | null = null;
  private lastTotal = NaN;

  private constructor(experiment: RoutingExperiment, data: ClassificationData, tensors: Readonly<Record<string, HostTensor>>, start?: StepAt) {
    super(experiment, ROUTING_LIVE_PARAM_KEYS, start);
    const p = experiment.params;
    this.options = { activation: p.activation, routing: p.routing, router: p.router, skip: p.skip };
    this.dims = routingDims(experiment);
    if (data.info.inputSize !== this.dims.inputSize || data.info.classes !== this.dims.classes) {
      throw new Error(`routing: data of ${data.info.id} does not fit task ${experiment.task}`);
    }
    this.data = data;
    this.graph = routingGraph(this.dims.layers);
    const share = 1 / this.graph.nodes.length;
    this.visitShare = new Map(this.graph.nodes.map((n) => [n.id, share]));
    this.device = this.upload(tensors);
    this.evalTensors = this.uploadEval();
  }

  /** A new seeded stack; `data` skips loading the dataset (it must be the experiment's). */
  static async create(experiment: RoutingExperiment, data?: ClassificationData): Promise<RoutingTrainer> {
    const d = data ?? (await loadRoutingData(experiment));
    const tensors = initStackTensors(routingDims(experiment), experiment.params.activation, deriveSeed(experiment.seed, 'routing-init'), experiment.params.skip);
    return new RoutingTrainer(experiment, d, tensors);
  }

  /** A trainer resumed from an exported model at `step`; refuses a model that does not fit the experiment. */
  static async fromModel(experiment: RoutingExperiment, model: TensorHostModel, step: number, data?: ClassificationData): Promise<RoutingTrainer> {
    validateRoutingModel(experiment, model);
    return new RoutingTrainer(experiment, data ?? (await loadRoutingData(experiment)), model.tensors, { step, tick: step });
  }

  get currentGraph(): Graph {
    return this.graph;
  }
  /** No threads: every node is visited equally. */
  get visits(): ReadonlyMap<number, number> {
    return this.visitShare;
  }
  /** Training loss of the last step with both penalties (StepStats.loss is the task loss alone). */
  get lastTotalLoss(): number {
    return this.lastTotal;
  }

  protected applyParams(params: RoutingParams): void {
    this.device.optimizer.learningRate = params.learningRate;
  }

  private upload(tensors: Readonly<Record<string, HostTensor>>): Device {
    const vars: Partial<Record<RoutingTensorName, tf.Variable>> = {};
    const names = stackTensorNames(this.options.skip);
    for (const name of names) {
      const t = tensors[name] as HostTensor;
      vars[name] = newVariable(() => tf.tensor(t.values, [...t.shape]));
    }
    const unused = new Set<string>(this.options.routing ? [] : ROUTER_TENSOR_NAMES);
    const trained = names.filter((n) => !unused.has(n)).map((n) => vars[n] as tf.Variable);
    return { vars, optimizer: new AdamOptimizer(trained, this.params.learningRate, GRAD_CLIP) };
  }

  private uploadEval(): EvalTensors {
    const { test } = this.data;
    const D = this.dims.inputSize;
    const P = Math.min(PROBE_EXAMPLES, test.n);
    let grid: tf.Tensor2D | null = null;
    if (D === 2) {
      const g = new Float32Array(GRID_SIZE * GRID_SIZE * 2);
      // Row-major from the top-left: x grows along a row, y falls down the rows.
      for (let r = 0; r < GRID_SIZE; r++) {
        for (let c = 0; c < GRID_SIZE; c++) {
          g[2 * (r * GRID_SIZE + c)] = -1 + (2 * c) / (GRID_SIZE - 1);
          g[2 * (r * GRID_SIZE + c) + 1] = 1 - (2 * r) / (GRID_SIZE - 1);
        }
      }
      grid = tf.tensor2d(g, [GRID_SIZE * GRID_SIZE, 2]);
    }
    return {
      testX: tf.tensor2d(test.x, [test.n, D]),
      testY: tf.tensor1d(test.y, 'int32'),
      probeX: tf.tensor2d(test.x.subarray(0, P * D), [P, D]),
      grid,
    };
  }

  private get weights(): StackWeights {
    return this.device.vars;
  }

  /** Rows of train step `step`: seeded by (seed, step) alone, with replacement. */
  private batchIndices(step: number): Int32Array {
    const rng = createRng(deriveSeed(this.experiment.seed, 'routing-batch'), step);
    const n = this.data.train.n;
    return Int32Array.from({ length: this.params.batch }, () => randInt(rng, n));
  }

  protected checkpointModel(): Promise<ModelCheckpoint> {
    const d = this.device;
    const optStep = d.optimizer.step;
    return Promise.resolve(checkpointVariables([...Object.values<tf.Variable>(d.vars as Record<string, tf.Variable>), ...d.optimizer.stateVariables()], () => (d.optimizer.step = optStep)));
  }

  /** One Adam step on the next seeded minibatch. */
  protected async runStep(at: StepAt): Promise<RawStep> {
    this.assertLive();
    const p = this.params;
    const { inputSize: D, classes: C, layers: N } = this.dims;
    const batch = gatherRows(this.data.train, D, this.batchIndices(at.step));
    const x = tf.tensor2d(batch.x, [batch.n, D]);
    const targets = tf.tensor2d(oneHotRows(batch.y, C), [batch.n, C]);
    const labels = tf.tensor1d(batch.y, 'int32');
    // The Gumbel router's noise: host-drawn from (seed, step), so every backend sees the same draws.
    const noise = this.options.routing && this.options.router === 'gumbel' ? tf.tensor2d(logisticNoise(batch.n, N, deriveSeed(this.experiment.seed, 'routing-gumbel'), at.step), [batch.n, N]) : undefined;
    const trained = this.device.optimizer.variables;
    const box: { kept?: tf.Tensor[] } = {};
    const { value, grads } = tf.variableGrads(() => {
      const r = stackLoss(this.weights, x, targets, this.options, p, noise);
      box.kept = [r.task, tf.mean(correctRows(r.logits, labels)), tf.mean(r.pExec, 0)].map((t) => tf.keep(t));
      return r.total;
    }, [...trained]);
    const gradList = trained.map((v) => grads[v.name] as tf.Tensor);
    const norm = tf.tidy(() => clipByGlobalNorm(gradList, 0).norm);
    this.device.optimizer.apply(gradList);
    const kept = box.kept as tf.Tensor[];
    const readback = tf.tidy(() => tf.concat([tf.stack([value, kept[0] as tf.Tensor, kept[1] as tf.Tensor, norm]), kept[2] as tf.Tensor]));
    tf.dispose([...Object.values(grads), ...kept, value, norm, x, targets, labels, ...(noise ? [noise] : [])]);
    const out = (await readback.data()) as Float32Array;
    readback.dispose();
    const [total = NaN, task = NaN, accuracy = 0, gradNorm = NaN] = out;
    // The core rolls back on a non-finite task loss; the penalties can overflow on their own, so the total counts too.
    const loss = Number.isFinite(total) ? task : NaN;
    if (Number.isFinite(loss)) {
      this.lastTotal = total;
      this.batchPExec = out.slice(4, 4 + N);
    }
    return { loss, accuracy, gradNorm, ticks: 1, events: [] };
  }

  /**
   * One test example per call (cycling through the test split) under hard
   * routing: mean |h| per node, its p_exec on each routed layer's in-edge,
   * and which layers ran. `symbols` is ignored: a feed-forward pass is one tick.
   */
  async probe(_symbols: number): Promise<ProbeTrace> {
    this.assertLive();
    const { inputSize: D, layers: N } = this.dims;
    const test = this.data.test;
    const i = this.probeCursor % test.n;
    this.probeCursor += 1;
    const flat = tf.tidy(() => {
      const x = tf.tensor2d(test.x.subarray(i * D, (i + 1) * D), [1, D]);
      const r = stackForward(this.weights, x, this.options, true, true);
      return tf.concat([tf.reshape(r.activity as tf.Tensor, [-1]), tf.reshape(r.pExec, [-1]), tf.reshape(r.executed, [-1])]);
    });
    const data = (await flat.data()) as Float32Array;
    flat.dispose();
    const L = N + 2;
    const gates = new Float32Array(L).fill(1);
    gates.set(data.subarray(L, L + N), 1);
    const active = new Uint8Array(L).fill(1);
    for (let l = 0; l < N; l++) active[l + 1] = (data[L + N + l] as number) > 0.5 ? 1 : 0;
    return {
      nodeIds: Int32Array.from({ length: L }, (_, id) => id),
      ticks: 1,
      K: 1,
      slotEdge: Int32Array.from({ length: L }, (_, id) => id - 1),
      activity: data.slice(0, L),
      gates,
      active,
      threads: new Int32Array(0),
      reads: Uint8Array.of(1),
    };
  }

  /** Test-split accuracies and skipped share as one device vector [hard, soft, skipped]. */
  private evaluationTensor(): tf.Tensor1D {
    const { testX, testY } = this.evalTensors;
    // Soft accuracy mixes both paths by p for every router kind (the straight-through ones train on the hard gate).
    const soft = stackForward(this.weights, testX, { ...this.options, router: 'soft' }, false);
    const hard = stackForward(this.weights, testX, this.options, true);
    return tf.stack([tf.mean(correctRows(hard.logits, testY)), tf.mean(correctRows(soft.logits, testY)), tf.sub(1, tf.mean(hard.executed))]) as tf.Tensor1D;
  }

  async evaluate(): Promise<RoutingEvaluation> {
    this.assertLive();
    const t = tf.tidy(() => this.evaluationTensor());
    const [hardAccuracy = NaN, softAccuracy = NaN, skippedFraction = NaN] = (await t.data()) as Float32Array;
    t.dispose();
    return { hardAccuracy, softAccuracy, skippedFraction };
  }

  /**
   * The routing view's data, computed on the device and read once. The
   * samples' p_exec is the hard-routed pass's (the one whose > 0.5 decides);
   * before the first step batchPExec is the samples' mean.
   */
  async detail(): Promise<RoutingDetail> {
    this.assertLive();
    const { inputSize: D, layers: N } = this.dims;
    const { probeX, grid } = this.evalTensors;
    const P = probeX.shape[0];
    const flat = tf.tidy(() => {
      const parts: tf.Tensor[] = [this.evaluationTensor(), tf.reshape(stackForward(this.weights, probeX, this.options, true).pExec, [-1])];
      if (grid) {
        const probs = tf.softmax(stackForward(this.weights, grid, this.options, true).logits);
        // Two classes: class 1's probability; more: the winner's probability, then its index (exact in float32).
        if (this.dims.classes === 2) parts.push(tf.reshape(tf.slice(probs, [0, 1], [-1, 1]), [-1]));
        else parts.push(tf.max(probs, 1), tf.cast(tf.argMax(probs, 1), 'float32'));
      }
      return tf.concat(parts);
    });
    const data = (await flat.data()) as Float32Array;
    flat.dispose();
    const samplePExec = data.slice(3, 3 + P * N);
    let batchPExec = this.batchPExec?.slice();
    if (!batchPExec) {
      batchPExec = new Float32Array(N);
      for (let s = 0; s < P; s++) for (let l = 0; l < N; l++) batchPExec[l] = (batchPExec[l] as number) + (samplePExec[s * N + l] as number) / P;
    }
    return {
      kind: 'routing',
      layers: N,
      batchPExec,
      sampleX: this.data.test.x.slice(0, P * D),
      sampleLabels: this.data.test.y.slice(0, P),
      samplePExec,
      hardAccuracy: data[0] as number,
      softAccuracy: data[1] as number,
      skippedFraction: data[2] as number,
      ...boundaryOf(grid ? data.subarray(3 + P * N) : new Float32Array(0), this.dims.classes),
      classes: this.dims.classes,
      gridSize: grid ? GRID_SIZE : 0,
    };
  }

  /** Class probabilities of `x` under hard routing, each layer run on its executing rows only. */
  private async gatheredProbabilities(x: tf.Tensor2D): Promise<Float32Array> {
    const { logits } = await hardForwardGathered(this.weights, x, this.options);
    const probs = tf.tidy(() => tf.softmax(logits));
    logits.dispose();
    const data = (await probs.data()) as Float32Array;
    probs.dispose();
    return data;
  }

  /** Class probabilities under hard routing (executing rows gathered) for the first 64 test examples [n, classes]. */
  async predict(): Promise<Float32Array> {
    this.assertLive();
    return this.gatheredProbabilities(this.evalTensors.probeX);
  }

  /**
   * Hard inference over the whole test split with only the executing rows
   * run per layer: accuracy and skipped share, and the median of `reps`
   * timed passes (after one untimed warm-up) over the test split tiled to at
   * least `timingRows` rows, so the per-layer fixed costs do not drown the
   * work. The baseline runs its plain stack the same way.
   */
  async gatheredInference(reps = 5, timingRows = 4096): Promise<GatheredInference> {
    this.assertLive();
    const { testX, testY } = this.evalTensors;
    const n = testX.shape[0];
    const first = await hardForwardGathered(this.weights, testX, this.options);
    const logits = (await first.logits.data()) as Float32Array;
    first.logits.dispose();
    const timed = tf.tile(testX, [Math.max(1, Math.ceil(timingRows / n)), 1]) as tf.Tensor2D;
    const times: number[] = [];
    try {
      for (let i = 0; i <= reps; i++) {
        const t0 = performance.now();
        const r = await hardForwardGathered(this.weights, timed, this.options);
        await r.logits.data();
        r.logits.dispose();
        if (i > 0) times.push(performance.now() - t0);
      }
    } finally {
      timed.dispose();
    }
    times.sort((a, b) => a - b);
    const labels = await testY.data();
    const C = this.dims.classes;
    let correct = 0;
    for (let b = 0; b < n; b++) {
      let best = 0;
      for (let c = 1; c < C; c++) if ((logits[b * C + c] as number) > (logits[b * C + best] as number)) best = c;
      if (best === labels[b]) correct++;
    }
    return { hardAccuracy: correct / n, skippedFraction: first.skipped / (n * this.dims.layers), ms: times[Math.floor(times.length / 2)] ?? NaN };
  }

  /** Held-out: test rows spread over the split, routed as in training (soft for the soft router, so it compares with the train loss; hard with gathered rows for the straight-through ones). */
  protected override async heldOutPredictions(): Promise<HeldOutPredictions> {
    const rows = heldOutRows(this.data.test.n);
    const targets = Int32Array.from(rows, (r) => this.data.test.y[r] as number);
    const x = tf.gather(this.evalTensors.testX, tf.tensor1d(rows, 'int32')) as tf.Tensor2D;
    try {
      if (this.options.router !== 'soft') return { probabilities: await this.gatheredProbabilities(x), targets };
      const probs = tf.tidy(() => tf.softmax(stackForward(this.weights, x, this.options, false).logits));
      const probabilities = (await probs.data()) as Float32Array;
      probs.dispose();
      return { probabilities, targets };
    } finally {
      x.dispose();
    }
  }

  async exportModel(): Promise<TensorHostModel> {
    this.assertLive();
    const entries = await Promise.all(stackTensorNames(this.options.skip).map(async (name) => [name, await downloadHost(this.device.vars[name] as tf.Variable)] as const));
    return { graph: this.graph, tensors: Object.fromEntries(entries) };
  }

  /** Host copy of the weights and Adam's moments; the function rebuilds an equal trainer on the current backend. */
  protected async suspendModel(): Promise<(at: StepAt) => RoutingTrainer> {
    const model = await this.exportModel();
    const opt = this.device.optimizer;
    const moments = await Promise.all(opt.stateVariables().map(async (v) => Float32Array.from(await v.data())));
    const optStep = opt.step;
    const experiment = this.currentExperiment;
    const { data, probeCursor, lastTotal } = this;
    const batchPExec = this.batchPExec?.slice() ?? null;
    return (at) => {
      const t = new RoutingTrainer(experiment, data, model.tensors, at);
      t.probeCursor = probeCursor;
      t.batchPExec = batchPExec;
      t.lastTotal = lastTotal;
      const o = t.device.optimizer;
      o.stateVariables().forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(moments[i] as Float32Array, v.shape))));
      o.step = optStep;
      return t;
    };
  }

  protected disposeModel(): void {
    tf.dispose(Object.values<tf.Variable>(this.device.vars as Record<string, tf.Variable>));
    this.device.optimizer.dispose();
    const e = this.evalTensors;
    tf.dispose([e.testX, e.testY, e.probeX, ...(e.grid ? [e.grid] : [])]);
  }

}

/** The experiment's dataset split (seeded by the experiment's seed, with its noise). */
export function loadRoutingData(experiment: RoutingExperiment): Promise<ClassificationData> {
  return loadDataset(experiment.task, experiment.seed, { noise: experiment.params.noise });
}

/** How the lab makes routing-stack trainers (routing-descriptor.ts loads this in the worker). */
export const routingTrainerFactory: TrainerFactory<RoutingExperiment, TensorHostModel, RoutingDetail> = {
  create: (experiment) => RoutingTrainer.create(experiment),
  fromModel: (experiment, model, step) => RoutingTrainer.fromModel(experiment, model, step),
};
