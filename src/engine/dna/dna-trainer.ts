/**
 * A DNA layer running live in the lab (seed 004): cells trained with Adam
 * over seeded epochs of a classification dataset, an extinction check at
 * every epoch end that splits and kills cells (events in the step result,
 * the graph follows), probes and the cell view's detail, on the shared
 * trainer core (its tick counts epochs; an epoch end is a checkpoint
 * boundary). Cells are the graph's edges, input -> output node.
 *
 * Biases: per-cell (the seed's) live in b [E]; per-output (ours, the
 * default) in b [C], and the host cells then carry b = 0. A file always
 * holds cellB [E]: per-output mode writes each output's bias on its first
 * cell (exact on reload), and reading sums cellB per output, so a file made
 * with per-cell biases (or before the option) loads with the same function.
 */
import * as tf from '@tensorflow/tfjs';
import { oneHotRows } from '../baselines/baseline-common';
import { AdamOptimizer } from '../training/adam';
import { checkpointVariables } from '../training/checkpoint';
import { gatherRows, loadDataset, type ClassificationData, type Split } from '../datasets/classification-data';
import { rolePositions, type Graph, type GraphNode } from '../graph';
import type { TrainerFactory } from '../model-descriptor';
import type { TensorHostModel } from '../training/host-tensor';
import type { ProbeTrace } from '../training/probe-trace';
import type { TopologyEvent } from '../training/step-result';
import { heldOutRows, type HeldOutPredictions } from '../training/held-out';
import { TrainerCore, type ModelCheckpoint, type RawStep, type StepAt } from '../training/trainer-core';
import type { DnaDetail } from './dna-detail';
import { dnaGraphProblem, initialDnaGraph, type DNA_TENSOR_NAMES } from './dna-document';
import { createRng, deriveSeed, shuffle } from '../random';
import { newVariable } from '../variables';
import { extinction, INITIAL_PLATEAU, initialPairs, MAX_CELLS_FACTOR, plateauStep, type Cells, type PlateauState } from './dna-extinction';
import { batchPassthrough, cellInputs, correctCount, createWiring, denseGradient, disposeWiring, dnaLogits, dnaLoss, PASSTHROUGH_ELEMENTS, PASSTHROUGH_EMA, type CellWiring } from './dna-layer';
import { DNA_LIVE_PARAM_KEYS, type DnaExperiment, type DnaParams } from './dna-params';

/** Test rows per forward pass when scoring the whole test split (bounds one upload). */
const EVAL_CHUNK = 500;
/** predict() scores this many test examples (fewer when the split is smaller). */
const PREDICT_ROWS = 64;
/** RigL's dense gradient at an event is taken on this many seeded train rows (ours: one 64-row batch ranks 4,000 absent pairs noisily). */
export const RIGL_ROWS = 1024;

/** Host-side progress within the epochs (the core counts steps and epochs); a checkpoint saves it with the device tensors. */
interface Progress {
  /** Steps done in the current epoch. */
  cursor: number;
  lossSum: number;
  lossSteps: number;
  plateau: PlateauState;
  /** Test accuracy at the last epoch end, NaN before. */
  testAccuracy: number;
  /** The passthrough EMA has not seen a batch yet: the first one sets it. */
  freshPassthrough: boolean;
}

interface Device {
  readonly wiring: CellWiring;
  readonly w: tf.Variable;
  /** [E] per-cell biases, or [C] per-output biases. */
  readonly b: tf.Variable;
  readonly passthrough: tf.Variable;
  readonly optimizer: AdamOptimizer;
}

/** Adam moments per cell (m and v of w and b) and the step count its bias correction uses. */
interface Moments {
  readonly mW: Float32Array;
  readonly vW: Float32Array;
  /** [E] or [C], as b. */
  readonly mB: Float32Array;
  readonly vB: Float32Array;
  readonly step: number;
}

export class DnaTrainer extends TrainerCore<DnaExperiment, TensorHostModel, DnaDetail> {
  private readonly data: ClassificationData;
  private readonly D: number;
  private readonly C: number;
  /** Node id of each input index and output index. */
  private readonly inputNodeIds: Int32Array;
  private readonly outputNodeIds: Int32Array;
  private readonly visitShare: ReadonlyMap<number, number>;
  private graph: Graph;
  /** Cell ids and wiring on the host, in graph.edges order (weights live on the device). */
  private cellIds: Int32Array;
  private cellInput: Int32Array;
  private cellOutput: Int32Array;
  private device: Device;
  private progress: Progress;
  /** This epoch's example order. */
  private order: Int32Array;
  /** Test example shown next by detail() and probe(); they rotate through the test split. */
  private shown = 0;

  private constructor(
    experiment: DnaExperiment,
    data: ClassificationData,
    graph: Graph,
    cells: Cells,
    outputBias: Float32Array,
    progress: Progress,
    moments: Moments | null,
    start?: StepAt,
  ) {
    super(experiment, DNA_LIVE_PARAM_KEYS, start);
    this.data = data;
    this.D = data.info.inputSize;
    this.C = data.info.classes;
    this.inputNodeIds = Int32Array.from(rolePositions(graph, 'input'), (p) => (graph.nodes[p] as GraphNode).id);
    this.outputNodeIds = Int32Array.from(rolePositions(graph, 'output'), (p) => (graph.nodes[p] as GraphNode).id);
    const share = 1 / graph.nodes.length;
    this.visitShare = new Map(graph.nodes.map((n) => [n.id, share]));
    this.graph = graph;
    this.cellIds = Int32Array.from(cells.ids);
    this.cellInput = Int32Array.from(cells.input);
    this.cellOutput = Int32Array.from(cells.output);
    this.progress = { ...progress };
    this.order = this.epochOrder(this.tick);
    this.device = this.upload(cells, outputBias, moments);
  }

  /** A fully connected layer (or a seeded share `density` of its pairs), every cell w = initialWeight, b = 0 (the seed's start). */
  static async create(experiment: DnaExperiment): Promise<DnaTrainer> {
    const data = await loadDataset(experiment.task, experiment.seed, { noise: experiment.params.noise });
    const D = data.info.inputSize;
    const C = data.info.classes;
    const full = initialDnaGraph(D, C);
    const pairs = initialPairs(D, C, experiment.params.density, createRng(deriveSeed(experiment.seed, 'dna-density')));
    // Cell ids stay i·C + j; nextEdgeId stays D·C so a regrown pair never reuses an id.
    const graph: Graph = { ...full, edges: Array.from(pairs, (p) => full.edges[p] as Graph['edges'][number]) };
    const E = pairs.length;
    const cells: Cells = {
      ids: Int32Array.from(pairs),
      input: Int32Array.from(pairs, (p) => Math.floor(p / C)),
      output: Int32Array.from(pairs, (p) => p % C),
      w: new Float32Array(E).fill(experiment.params.initialWeight),
      b: new Float32Array(E),
      passthrough: new Float32Array(E),
    };
    return new DnaTrainer(experiment, data, graph, cells, new Float32Array(C), startProgress(0, true), null);
  }

  /** A trainer resumed from an exported layer; epoch and position in it follow from `step`. */
  static async fromModel(experiment: DnaExperiment, model: TensorHostModel, step: number): Promise<DnaTrainer> {
    const problem = dnaGraphProblem(experiment, model.graph);
    if (problem) throw new Error(`cannot load this DNA layer: ${problem}`);
    const E = model.graph.edges.length;
    const tensor = (name: (typeof DNA_TENSOR_NAMES)[number]): Float32Array => {
      const t = model.tensors[name];
      if (!t || t.shape.length !== 1 || t.shape[0] !== E || t.values.length !== E) throw new Error(`cannot load this DNA layer: tensor ${name} must have shape [${E}]`);
      if (!t.values.every(Number.isFinite)) throw new Error(`cannot load this DNA layer: tensor ${name} holds non-finite values`);
      return Float32Array.from(t.values);
    };
    const data = await loadDataset(experiment.task, experiment.seed, { noise: experiment.params.noise });
    const g = model.graph;
    const index = (role: 'input' | 'output'): Map<number, number> => new Map(rolePositions(g, role).map((p, k) => [(g.nodes[p] as GraphNode).id, k]));
    const inputIndex = index('input');
    const outputIndex = index('output');
    const output = Int32Array.from(g.edges, (e) => outputIndex.get(e.target) as number);
    const cellB = tensor('cellB');
    const perOutput = experiment.params.bias === 'per-output';
    // Per-output: each output's bias is the sum of its cells' cellB (exact for our own files, the same function for per-cell ones).
    const sums = new Float64Array(data.info.classes);
    if (perOutput) output.forEach((j, c) => (sums[j] = (sums[j] as number) + (cellB[c] as number)));
    const cells: Cells = {
      ids: Int32Array.from(g.edges, (e) => e.id),
      input: Int32Array.from(g.edges, (e) => inputIndex.get(e.source) as number),
      output,
      w: tensor('cellW'),
      b: perOutput ? new Float32Array(E) : cellB,
      passthrough: tensor('passthrough'),
    };
    const perEpoch = stepsPerEpoch(data.train.n, experiment.params.batch);
    return new DnaTrainer(experiment, data, g, cells, Float32Array.from(sums), startProgress(step % perEpoch, false), null, { step, tick: Math.floor(step / perEpoch) });
  }

  get currentGraph(): Graph {
    return this.graph;
  }
  /** Every node computes on every example: uniform. */
  get visits(): ReadonlyMap<number, number> {
    return this.visitShare;
  }
  /** Cells in the layer now. */
  get cellCount(): number {
    return this.cellIds.length;
  }
  get stepsPerEpoch(): number {
    return stepsPerEpoch(this.data.train.n, this.params.batch);
  }

  protected applyParams(params: DnaParams): void {
    this.device.optimizer.learningRate = params.learningRate;
  }

  /** One Adam step on the next batch of the epoch; at the epoch's last step, test accuracy and maybe an extinction. */
  protected async runStep(at: StepAt): Promise<RawStep> {
    this.assertLive();
    const d = this.device;
    const batch = gatherRows(this.data.train, this.D, this.batchRows());
    const x = tf.tensor2d(batch.x, [batch.n, this.D]);
    const labels = tf.tensor1d(batch.y, 'int32');
    const targets = tf.tensor2d(oneHotRows(batch.y, this.C), [batch.n, this.C]);
    const w = d.w as tf.Tensor1D;
    const b = d.b as tf.Tensor1D;
    const box: { correct?: tf.Scalar } = {};
    const { value, grads } = tf.variableGrads(() => {
      const logits = dnaLogits(x, w, b, d.wiring);
      box.correct = tf.keep(correctCount(logits, labels));
      return dnaLoss(logits, targets);
    }, [d.w, d.b]);
    const correct = box.correct as tf.Scalar;
    const E = this.cellIds.length;
    const rows = Math.max(1, Math.min(batch.n, Math.floor(PASSTHROUGH_ELEMENTS / E)));
    const pass = tf.tidy(() => batchPassthrough(tf.tensor2d(cellInputs(batch.x, rows, this.D, this.cellInput), [rows, E]), w, d.wiring.perOutputBias ? null : b));
    const gw = grads[d.w.name] as tf.Tensor;
    const gb = grads[d.b.name] as tf.Tensor;
    const readback = tf.tidy(() => tf.stack([value, correct, tf.sqrt(tf.add(tf.sum(tf.square(gw)), tf.sum(tf.square(gb))))]));
    d.optimizer.apply([gw, gb]);
    const fresh = this.progress.freshPassthrough;
    tf.tidy(() => d.passthrough.assign(fresh ? pass : tf.add(tf.mul(d.passthrough, 1 - PASSTHROUGH_EMA), tf.mul(pass, PASSTHROUGH_EMA))));
    tf.dispose([x, labels, targets, value, pass, correct, gw, gb]);
    const [loss = NaN, right = 0, gradNorm = NaN] = (await readback.data()) as Float32Array;
    readback.dispose();

    const p = this.progress;
    p.cursor += 1;
    p.freshPassthrough = false;
    const accuracy = right / batch.n;
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) return { loss, accuracy, gradNorm, ticks: 0, events: [] };
    p.lossSum += loss;
    p.lossSteps += 1;
    if (p.cursor < this.stepsPerEpoch) return { loss, accuracy, gradNorm, ticks: 0, events: [] };
    const events = await this.endEpoch(at.tick + 1);
    return { loss, accuracy, gradNorm, ticks: 1, events, boundary: true };
  }

  /** Bookkeeping as epoch `epoch` ends: test accuracy, the plateau trigger, maybe an extinction, the next epoch's order. */
  private async endEpoch(epoch: number): Promise<TopologyEvent[]> {
    const p = this.progress;
    p.cursor = 0;
    const epochLoss = p.lossSum / Math.max(1, p.lossSteps);
    p.lossSum = 0;
    p.lossSteps = 0;
    p.testAccuracy = await this.testAccuracy();
    const trigger = plateauStep(p.plateau, epochLoss, epoch, this.params);
    p.plateau = trigger.state;
    const events = trigger.fire ? await this.extinguish(epoch) : [];
    this.order = this.epochOrder(epoch);
    return events;
  }

  /** One extinction event at epoch `epoch`: host copy, split/kill, rebuild the device tensors (survivors keep their Adam moments). */
  private async extinguish(epoch: number): Promise<TopologyEvent[]> {
    const cells = await this.hostCells();
    const outputBias = await this.hostOutputBias();
    const moments = await this.hostMoments();
    const r = extinction(cells, this.params, {
      rng: createRng(deriveSeed(this.experiment.seed, 'dna-extinction'), epoch),
      nextEdgeId: this.graph.nextEdgeId,
      tick: epoch,
      outputNodeIds: this.outputNodeIds,
      maxCells: MAX_CELLS_FACTOR * this.D * this.C,
      inputSize: this.D,
      classes: this.C,
      ...(this.params.regrowth === 'rigl' ? { denseGradient: await this.riglGradient(epoch) } : {}),
    });
    if (r.events.length === 0) return [];
    const remap = (old: Float32Array): Float32Array => Float32Array.from(r.origin, (o) => (o >= 0 ? (old[o] as number) : 0));
    const perOutput = this.device.wiring.perOutputBias;
    const next: Moments = {
      mW: remap(moments.mW),
      vW: remap(moments.vW),
      mB: perOutput ? moments.mB : remap(moments.mB),
      vB: perOutput ? moments.vB : remap(moments.vB),
      step: moments.step,
    };
    // The core's checkpoint names the old variables; it takes a new one right after this step (it has events).
    this.disposeDevice(this.device);
    this.device = this.upload(r.cells, outputBias, next);
    this.cellIds = r.cells.ids;
    this.cellInput = r.cells.input;
    this.cellOutput = r.cells.output;
    this.graph = {
      nodes: this.graph.nodes,
      edges: Array.from(r.cells.ids, (id, k) => ({
        id,
        source: this.inputNodeIds[r.cells.input[k] as number] as number,
        target: this.outputNodeIds[r.cells.output[k] as number] as number,
      })),
      nextNodeId: this.graph.nextNodeId,
      nextEdgeId: r.nextEdgeId,
    };
    return [...r.events];
  }

  /** dL/dW of the dense weight [D·C] on RIGL_ROWS train rows drawn by (seed, epoch): RigL's grow score. */
  private async riglGradient(epoch: number): Promise<Float32Array> {
    const d = this.device;
    const n = this.data.train.n;
    const rng = createRng(deriveSeed(this.experiment.seed, 'dna-rigl'), epoch);
    const rows = shuffle(
      rng,
      Array.from({ length: n }, (_, i) => i),
    ).slice(0, Math.min(n, RIGL_ROWS));
    const batch = gatherRows(this.data.train, this.D, rows);
    const g = tf.tidy(() =>
      denseGradient(tf.tensor2d(batch.x, [batch.n, this.D]), tf.tensor2d(oneHotRows(batch.y, this.C), [batch.n, this.C]), d.w as tf.Tensor1D, d.b as tf.Tensor1D, d.wiring),
    );
    const out = Float32Array.from(await g.data());
    g.dispose();
    return out;
  }

  private upload(cells: Cells, outputBias: Float32Array, moments: Moments | null): Device {
    const perOutput = this.params.bias === 'per-output';
    const wiring = createWiring(cells.input, cells.output, this.D, this.C, perOutput);
    const w = newVariable(() => tf.tensor1d(cells.w));
    const b = newVariable(() => tf.tensor1d(perOutput ? outputBias : cells.b));
    const passthrough = newVariable(() => tf.tensor1d(cells.passthrough), false);
    // No clipping: the parameter set has no clip and a linear layer's gradients stay bounded.
    const optimizer = new AdamOptimizer([w, b], this.params.learningRate, 0);
    if (moments) {
      const [mW, vW, mB, vB] = optimizer.stateVariables();
      const set = (v: tf.Variable | undefined, values: Float32Array): void => void tf.tidy(() => v?.assign(tf.tensor1d(values)));
      set(mW, moments.mW);
      set(vW, moments.vW);
      set(mB, moments.mB);
      set(vB, moments.vB);
      optimizer.step = moments.step;
    }
    return { wiring, w, b, passthrough, optimizer };
  }

  private disposeDevice(d: Device): void {
    disposeWiring(d.wiring);
    tf.dispose([d.w, d.b, d.passthrough]);
    d.optimizer.dispose();
  }

  /** Cells, Adam's state and the epoch progress; restore replays the epoch's order from its start (`tick` is the core's, put back first). */
  protected checkpointModel(): Promise<ModelCheckpoint> {
    const d = this.device;
    const optStep = d.optimizer.step;
    const progress = { ...this.progress };
    const epoch = this.tick;
    return Promise.resolve(
      checkpointVariables([d.w, d.b, d.passthrough, ...d.optimizer.stateVariables()], () => {
        d.optimizer.step = optStep;
        this.progress = { ...progress };
        this.order = this.epochOrder(epoch);
      }),
    );
  }

  /** Seeded order of the train split for one epoch; a function of (seed, epoch) so rollback and resume replay it. */
  private epochOrder(epoch: number): Int32Array {
    const n = this.data.train.n;
    const rng = createRng(deriveSeed(this.experiment.seed, 'dna-order'), epoch);
    return Int32Array.from(shuffle(rng, Array.from({ length: n }, (_, i) => i)));
  }

  /** The current step's rows; the last batch of an epoch wraps to the order's start so every batch has the same size. */
  private batchRows(): Int32Array {
    const n = this.data.train.n;
    const B = Math.min(this.params.batch, n);
    const start = this.progress.cursor * B;
    return Int32Array.from({ length: B }, (_, r) => this.order[(start + r) % n] as number);
  }

  /** Class probabilities [rows, C] of `rows` examples x [rows, D]. */
  private async probabilities(x: Float32Array, rows: number): Promise<Float32Array> {
    const d = this.device;
    const probs = tf.tidy(() => tf.softmax(dnaLogits(tf.tensor2d(x, [rows, this.D]), d.w as tf.Tensor1D, d.b as tf.Tensor1D, d.wiring)));
    const out = Float32Array.from(await probs.data());
    probs.dispose();
    return out;
  }

  /** Accuracy on the whole test split, in chunks, one readback. */
  private async testAccuracy(): Promise<number> {
    const d = this.device;
    const test = this.data.test;
    let total: tf.Tensor = tf.scalar(0);
    for (let start = 0; start < test.n; start += EVAL_CHUNK) {
      const rows = Math.min(EVAL_CHUNK, test.n - start);
      const sum = tf.tidy(() => {
        const x = tf.tensor2d(test.x.subarray(start * this.D, (start + rows) * this.D), [rows, this.D]);
        const labels = tf.tensor1d(test.y.subarray(start, start + rows), 'int32');
        return tf.add(total, correctCount(dnaLogits(x, d.w as tf.Tensor1D, d.b as tf.Tensor1D, d.wiring), labels));
      });
      total.dispose();
      total = sum;
    }
    const [right = 0] = (await total.data()) as Float32Array;
    total.dispose();
    return right / Math.max(1, test.n);
  }

  /** The cells on the host; with per-output biases their b is 0 (the biases are hostOutputBias()). */
  private async hostCells(): Promise<Cells> {
    const d = this.device;
    const [w, b, passthrough] = await Promise.all([d.w, d.b, d.passthrough].map(async (v) => Float32Array.from(await v.data())));
    return {
      ids: Int32Array.from(this.cellIds),
      input: Int32Array.from(this.cellInput),
      output: Int32Array.from(this.cellOutput),
      w: w as Float32Array,
      b: d.wiring.perOutputBias ? new Float32Array(this.cellIds.length) : (b as Float32Array),
      passthrough: passthrough as Float32Array,
    };
  }

  /** Per-output biases [C] (zeros with per-cell biases). */
  private async hostOutputBias(): Promise<Float32Array> {
    const d = this.device;
    return d.wiring.perOutputBias ? Float32Array.from(await d.b.data()) : new Float32Array(this.C);
  }

  /**
   * What each cell's bias stands for in a detail or a file: its own b
   * (per-cell), or its output's bias spread over the output's cells, equal
   * shares (`spread`, the view) or all on the first cell (the file: exact).
   */
  private async cellBiases(cells: Cells, spread: boolean): Promise<Float32Array> {
    if (!this.device.wiring.perOutputBias) return cells.b;
    const bias = await this.hostOutputBias();
    const count = new Int32Array(this.C);
    for (const j of cells.output) count[j] = (count[j] as number) + 1;
    const seen = new Uint8Array(this.C);
    return Float32Array.from(cells.output, (j) => {
      if (spread) return (bias[j] as number) / (count[j] as number);
      const first = seen[j] === 0;
      seen[j] = 1;
      return first ? (bias[j] as number) : 0;
    });
  }

  private async hostMoments(): Promise<Moments> {
    const opt = this.device.optimizer;
    const [mW, vW, mB, vB] = await Promise.all(opt.stateVariables().slice(0, 4).map(async (v) => Float32Array.from(await v.data())));
    return { mW: mW as Float32Array, vW: vW as Float32Array, mB: mB as Float32Array, vB: vB as Float32Array, step: opt.step };
  }

  /** The next test example to show, rotating through the split. */
  private nextShown(): Split {
    const k = this.shown++ % this.data.test.n;
    return gatherRows(this.data.test, this.D, [k]);
  }

  /** One test example through the layer: input pixels on the input nodes, class probabilities on the outputs. */
  async probe(_symbols: number): Promise<ProbeTrace> {
    this.assertLive();
    const sample = this.nextShown();
    const probs = await this.probabilities(sample.x, 1);
    const value = new Map<number, number>();
    this.inputNodeIds.forEach((id, i) => value.set(id, sample.x[i] as number));
    this.outputNodeIds.forEach((id, j) => value.set(id, probs[j] as number));
    const L = this.graph.nodes.length;
    return {
      nodeIds: Int32Array.from(this.graph.nodes, (n) => n.id),
      ticks: 1,
      K: 0,
      slotEdge: new Int32Array(0),
      activity: Float32Array.from(this.graph.nodes, (n) => value.get(n.id) ?? 0),
      gates: new Float32Array(0),
      active: new Uint8Array(L).fill(1),
      threads: new Int32Array(0),
      reads: Uint8Array.of(1),
    };
  }

  /** The cells now and one test example (a different one each call). */
  async detail(): Promise<DnaDetail> {
    this.assertLive();
    const cells = await this.hostCells();
    const sample = this.nextShown();
    return {
      kind: 'dna',
      epoch: this.tick,
      cellIds: cells.ids,
      cellInput: cells.input,
      cellOutput: cells.output,
      weights: cells.w,
      biases: await this.cellBiases(cells, true),
      passthrough: cells.passthrough,
      sampleX: sample.x,
      sampleLabel: sample.y[0] as number,
      sampleProbabilities: await this.probabilities(sample.x, 1),
      testAccuracy: this.progress.testAccuracy,
    };
  }

  /** Class probabilities of the first 64 test examples [64·C]: equal for equal layers. */
  async predict(): Promise<Float32Array> {
    this.assertLive();
    const rows = Math.min(PREDICT_ROWS, this.data.test.n);
    return this.probabilities(this.data.test.x.subarray(0, rows * this.D), rows);
  }

  /** Held-out: test rows spread over the split (it is sorted by digit, so predict()'s first 64 would be all zeros on MNIST). */
  protected override async heldOutPredictions(): Promise<HeldOutPredictions> {
    const rows = gatherRows(this.data.test, this.D, heldOutRows(this.data.test.n));
    return { probabilities: await this.probabilities(rows.x, rows.n), targets: rows.y };
  }

  async exportModel(): Promise<TensorHostModel> {
    this.assertLive();
    const cells = await this.hostCells();
    const E = cells.ids.length;
    return {
      graph: this.graph,
      tensors: { cellW: { shape: [E], values: cells.w }, cellB: { shape: [E], values: await this.cellBiases(cells, false) }, passthrough: { shape: [E], values: cells.passthrough } },
    };
  }

  /** Host copy of the cells, Adam moments and epoch progress; the function rebuilds an equal trainer on the current backend. */
  protected async suspendModel(): Promise<(at: StepAt) => DnaTrainer> {
    const cells = await this.hostCells();
    const outputBias = await this.hostOutputBias();
    const moments = await this.hostMoments();
    const { experiment, data, graph, shown } = { experiment: this.currentExperiment, data: this.data, graph: this.graph, shown: this.shown };
    const progress = { ...this.progress };
    return (at) => {
      const t = new DnaTrainer(experiment, data, graph, cells, outputBias, progress, moments, at);
      t.shown = shown;
      return t;
    };
  }

  protected disposeModel(): void {
    this.disposeDevice(this.device);
  }
}

/** Steps in one epoch: ceil(n / batch), batch capped at n. */
export function stepsPerEpoch(n: number, batch: number): number {
  return Math.ceil(n / Math.max(1, Math.min(batch, n)));
}

function startProgress(cursor: number, freshPassthrough: boolean): Progress {
  return {
    cursor,
    lossSum: 0,
    lossSteps: 0,
    plateau: INITIAL_PLATEAU,
    testAccuracy: NaN,
    freshPassthrough,
  };
}

/** How the lab makes DNA trainers (dna-descriptor.ts loads this in the worker). */
export const dnaTrainerFactory: TrainerFactory<DnaExperiment, TensorHostModel, DnaDetail> = {
  create: (experiment) => DnaTrainer.create(experiment),
  fromModel: (experiment, model, step) => DnaTrainer.fromModel(experiment, model, step),
};
