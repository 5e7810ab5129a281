/**
 * A loopy network running live in the lab: the generated graph, its packed
 * tensors, the task streams, the learning rule and display probes, on the
 * shared trainer core (counters, checkpoints, rollback). The host model uses LARA's tables (gates held at zero), so
 * export, import and the graph view treat both models alike.
 */
import * as tf from '@tensorflow/tfjs';
import { batchTensors, oneHotRows } from '../baselines/baseline-common';
import { AdamOptimizer } from '../training/adam';
import { checkpointVariables } from '../training/checkpoint';
import { downloadTables, disposeVars, uploadTables } from '../device-tables';
import type { Graph } from '../graph';
import { createTopology, disposeTopology, readoutLoss, type LaraTopology } from '../lara/lara-forward';
import { LARA_TABLE_NAMES, paramSpecs, type LaraDims, type LaraHostModel, type LaraTableName } from '../lara/lara-model';
import type { ProbeTrace } from '../training/probe-trace';
import { TrainerCore, type ModelCheckpoint, type RawStep, type StepAt } from '../training/trainer-core';
import { packGraph, rowIds, type Packing, type RowTable } from '../packing';
import { createRng, deriveSeed, normalArray } from '../random';
import type { TaskStream } from '../tasks/task';
import { createEvaluationStream, createTaskStream } from '../tasks/task-registry';
import type { TrainerFactory } from '../model-descriptor';
import { loopyDims } from './loopy-document';
import { feedbackUsesReadout, fixedFeedbackWeights, traceRuleDirections } from './loopy-eprop';
import { applyLocalUpdate, localRuleDirections } from './loopy-local-rules';
import { initLoopyEdges, loopyEdgeLayout, loopyGraph, loopyInputWeights, readNodePacing, withLoopyLayout } from './loopy-model';
import { isLocalRule, isTraceRule, LOOPY_LIVE_PARAM_KEYS, type LoopyExperiment, type LoopyParams } from './loopy-params';
import { createLoopyEdges, disposeLoopyEdges, loopyUnroll, type LoopyEdgeList, type LoopyWeights, type ReadNodePacing } from './loopy-unroll';



/** The seeded graph and weights of a new loopy experiment, as host rows. */
export function initialLoopyModel(experiment: LoopyExperiment): LaraHostModel {
  const p = experiment.params;
  const dims = loopyDims(experiment);
  const graph = loopyGraph({ ...dims, seed: experiment.seed }, p);
  const packing = packGraph(graph, dims.readAll);
  const H = p.width;
  const edges = initLoopyEdges(packing, H, p.spectralRadius, experiment.seed);
  const tables = {} as Record<LaraTableName, RowTable>;
  const edgeRows = new Map<number, Float32Array>();
  packing.slotEdge.forEach((id, slot) => {
    if (id >= 0) edgeRows.set(id, edges.slice(slot * H * H, (slot + 1) * H * H));
  });
  tables.edgeW = { width: H * H, rows: edgeRows };
  for (const name of ['gateU', 'gateV'] as const) tables[name] = { width: H, rows: new Map(graph.edges.map((e) => [e.id, new Float32Array(H)])) };
  const D = dims.inputSize;
  const inputRows = loopyInputWeights(D, H, p.inputScale);
  tables.inputW = { width: D * H, rows: new Map(rowIds(packing, 'inputs').map((id, n) => [id, inputRows.slice(n * D * H, (n + 1) * D * H)])) };
  const reads = rowIds(packing, 'reads');
  const rng = createRng(deriveSeed(experiment.seed, 'loopy-readout'));
  const C = dims.outputSize;
  tables.readoutW = { width: H * C, rows: new Map(reads.map((id) => [id, normalArray(rng, H * C, 1 / Math.sqrt(reads.length * H))])) };
  const share = 1 / graph.nodes.length;
  return { graph, dims, tables, visitShare: new Map(graph.nodes.map((n) => [n.id, share])) };
}

interface Device {
  readonly packing: Packing;
  readonly topo: LaraTopology;
  readonly pacing: ReadNodePacing | undefined;
  /** The edge list of the sparse unroll; undefined where the rule runs on padded slots (loopyEdgeLayout). */
  readonly edges: LoopyEdgeList | undefined;
  readonly vars: { readonly edgeW: tf.Variable; readonly readoutW: tf.Variable };
  readonly fixed: { readonly inputW: tf.Tensor3D; readonly mask: tf.Tensor3D };
  readonly optimizer: AdamOptimizer;
  /** e-prop and RFLO: the feedback of the output error (loopy-eprop.ts); fixed is null when symmetric or for other rules. */
  readonly feedback: { readonly fixed: tf.Tensor3D | null; readonly readOut: boolean };
  h: tf.Tensor3D;
  /** e-prop and RFLO: eligibility traces [L, lanes, K*H, H], carried and reset with h; null for other rules. */
  traces: tf.Tensor4D | null;
  probeH: tf.Tensor3D;
}

export class LoopyTrainer extends TrainerCore<LoopyExperiment, LaraHostModel, null> {
  private readonly dims: LaraDims;
  private readonly streams: { readonly train: TaskStream; readonly probe: TaskStream };
  private readonly graph: Graph;
  private readonly visitShare: ReadonlyMap<number, number>;
  private device: Device;
  private localSteps = 0;

  private constructor(experiment: LoopyExperiment, model: LaraHostModel, start?: StepAt) {
    super(experiment, LOOPY_LIVE_PARAM_KEYS, start);
    const { task, seed } = experiment;
    this.streams = {
      train: createTaskStream(task, this.params.batch, seed, deriveSeed(seed, 'train')),
      probe: createTaskStream(task, 1, seed, deriveSeed(seed, 'probe')),
    };
    this.dims = model.dims;
    this.graph = withLoopyLayout(model.graph, { ...model.dims, seed }, this.params);
    this.visitShare = model.visitShare;
    this.device = this.upload(model);
  }

  static create(experiment: LoopyExperiment): LoopyTrainer {
    return new LoopyTrainer(experiment, initialLoopyModel(experiment));
  }

  static fromModel(experiment: LoopyExperiment, model: LaraHostModel, step: number): LoopyTrainer {
    return new LoopyTrainer(experiment, model, { step, tick: 0 });
  }

  get currentGraph(): Graph {
    return this.graph;
  }
  /** Loopy networks have no threads: every node computes every tick, so every node is visited equally. */
  get visits(): ReadonlyMap<number, number> {
    return this.visitShare;
  }
  protected applyParams(params: LoopyParams): void {
    this.device.optimizer.learningRate = params.learningRate;
    this.device = { ...this.device, pacing: readNodePacing(this.device.packing, this.dims, params) };
  }

  private upload(model: LaraHostModel): Device {
    const p = this.params;
    const H = this.dims.width;
    const packing = packGraph(model.graph, this.dims.readAll);
    const { L, K } = packing;
    const specs = paramSpecs(this.dims);
    const tables = uploadTables<'edgeW' | 'readoutW' | 'inputW'>({ edgeW: specs.edgeW, readoutW: specs.readoutW, inputW: specs.inputW }, model.tables, packing, true);
    const mask = new Float32Array(L * K * H * H);
    for (let slot = 0; slot < L * K; slot++) if ((packing.mask[slot] as number) > 0) mask.fill(1, slot * H * H, (slot + 1) * H * H);
    // Hebbian and perturbation move the recurrent weights by plain SGD; e-prop's and RFLO's directions go through Adam as BPTT's gradient does.
    const trained = p.rule === 'reservoir' || (isLocalRule(p.rule) && !isTraceRule(p.rule)) ? [tables.readoutW] : [tables.edgeW, tables.readoutW];
    const traced = isTraceRule(p.rule);
    const C = this.dims.outputSize;
    const fixedFeedback = traced ? fixedFeedbackWeights(p.feedback, L, H, C, packing.readPositions, deriveSeed(this.experiment.seed, 'loopy-feedback')) : null;
    const inputW = tf.clone(tables.inputW) as tf.Tensor3D;
    tables.inputW.dispose();
    const topo = createTopology(packing, 1);
    return {
      packing,
      topo,
      pacing: readNodePacing(packing, this.dims, p),
      edges: loopyEdgeLayout(p.rule) === 'sparse' ? createLoopyEdges(topo) : undefined,
      vars: { edgeW: tables.edgeW, readoutW: tables.readoutW },
      fixed: { inputW, mask: tf.tensor3d(mask, [L, K * H, H]) },
      optimizer: new AdamOptimizer(trained, p.learningRate, p.gradClip),
      feedback: { fixed: fixedFeedback ? tf.tensor3d(fixedFeedback, [L, H, C]) : null, readOut: feedbackUsesReadout(p.feedback) },
      h: tf.zeros([L, p.batch, H]),
      traces: traced ? tf.zeros([L, p.batch, K * H, H]) : null,
      probeH: tf.zeros([L, 1, H]),
    };
  }

  private disposeDevice(d: Device): void {
    disposeTopology(d.topo);
    if (d.edges) disposeLoopyEdges(d.edges);
    disposeVars(d.vars);
    tf.dispose([d.fixed.inputW, d.fixed.mask, d.h, d.probeH, ...(d.traces ? [d.traces] : []), ...(d.feedback.fixed ? [d.feedback.fixed] : [])]);
    d.optimizer.dispose();
  }

  private weights(): LoopyWeights {
    const d = this.device;
    return { edgeW: tf.mul(d.vars.edgeW, d.fixed.mask) as tf.Tensor3D, inputW: d.fixed.inputW, readoutW: d.vars.readoutW as tf.Tensor2D };
  }


  /** Weights and Adam's state; a rollback also starts every lane from a zero state. */
  protected checkpointModel(): Promise<ModelCheckpoint> {
    const d = this.device;
    const optStep = d.optimizer.step;
    const cp = checkpointVariables([d.vars.edgeW, d.vars.readoutW, ...d.optimizer.stateVariables()], () => {
      d.optimizer.step = optStep;
      d.h.dispose();
      d.h = tf.zeros(d.h.shape);
      if (d.traces) {
        d.traces.dispose();
        d.traces = tf.zeros(d.traces.shape);
      }
    });
    return Promise.resolve(cp);
  }

  /** One step of the experiment's learning rule over the next `window` symbols of every lane. */
  protected async runStep(): Promise<RawStep> {
    this.assertLive();
    const p = this.params;
    const d = this.device;
    const batch = this.streams.train.next(p.window);
    const t = batchTensors(batch, this.dims.inputSize, this.dims.outputSize);
    if (p.rule === 'bptt') {
      d.h.dispose();
      d.h = tf.zeros(d.h.shape);
    }
    let loss: tf.Tensor;
    let correct: tf.Tensor;
    let scored: tf.Tensor;
    let thinkSum: tf.Tensor;
    let hT: tf.Tensor3D;
    if (isTraceRule(p.rule)) {
      const r = traceRuleDirections({
        rule: p.rule,
        edgeW: d.vars.edgeW,
        readoutW: d.vars.readoutW,
        inputW: d.fixed.inputW,
        edgeMask: d.fixed.mask,
        topo: d.topo,
        h0: d.h,
        traces0: d.traces as tf.Tensor4D,
        ...t,
        steps: batch.length,
        thinkTicks: p.thinkTicks,
        readNode: d.pacing,
        leak: p.leak,
        feedback: d.feedback,
      });
      d.optimizer.apply([r.edgeW, r.readoutW]);
      tf.dispose([r.edgeW, r.readoutW, d.traces as tf.Tensor4D]);
      d.traces = r.traces;
      ({ loss, correct, scoredCount: scored, thinkSum, hT } = r);
    } else if (isLocalRule(p.rule)) {
      const r = localRuleDirections({
        rule: p.rule,
        edgeW: d.vars.edgeW,
        readoutW: d.vars.readoutW,
        inputW: d.fixed.inputW,
        edgeMask: d.fixed.mask,
        topo: d.topo,
        h0: d.h,
        ...t,
        steps: batch.length,
        thinkTicks: p.thinkTicks,
        readNode: d.pacing,
        sigma: p.noise,
        seed: deriveSeed(this.experiment.seed, `local-${this.localSteps++}`),
        leak: p.leak,
      });
      applyLocalUpdate(d.vars.edgeW, r.edgeW, p.learningRate, p.gradClip);
      d.optimizer.apply([r.readoutW]);
      tf.dispose([r.edgeW, r.readoutW]);
      ({ loss, correct, scoredCount: scored, thinkSum, hT } = r);
    } else {
      const box: { kept?: tf.Tensor[] } = {};
      const trained = d.optimizer.variables;
      const { value, grads } = tf.variableGrads(() => {
        const out = loopyUnroll(this.weights(), d.topo, { h0: d.h, x: t.x, steps: batch.length, thinkTicks: p.thinkTicks, readNode: d.pacing, leak: p.leak, edges: d.edges });
        const r = readoutLoss(out.logits, t.targets, t.scored);
        box.kept = [out.hT, r.correct, r.scored, out.thinkSum].map((k) => tf.keep(k));
        return r.loss;
      }, [...trained]);
      d.optimizer.apply(trained.map((v) => grads[v.name] as tf.Tensor));
      tf.dispose(Object.values(grads));
      loss = value;
      [hT, correct, scored, thinkSum] = box.kept as [tf.Tensor3D, tf.Tensor, tf.Tensor, tf.Tensor];
    }
    const readback = tf.tidy(() => tf.concat([tf.stack([loss, correct, scored]), tf.reshape(tf.sum(thinkSum), [1])]));
    tf.dispose([loss, correct, scored, thinkSum, t.x, t.targets, t.scored, d.h]);
    d.h = hT;
    const [lossValue = NaN, right = 0, count = 0, ticks = 0] = (await readback.data()) as Float32Array;
    readback.dispose();
    return { loss: lossValue, accuracy: count > 0 ? right / count : 0, gradNorm: null, ticks: Math.round(ticks / p.batch), events: [] };
  }

  /** The probe lane's per-tick trace: activity of every node, and the ticks its output was read. */
  async probe(symbols: number): Promise<ProbeTrace> {
    this.assertLive();
    const p = this.params;
    const d = this.device;
    const batch = this.streams.probe.next(symbols);
    const out = tf.tidy(() => {
      const x = tf.tensor2d(oneHotRows(batch.inputs, this.dims.inputSize), [symbols, this.dims.inputSize]);
      const r = loopyUnroll(this.weights(), d.topo, { h0: d.probeH, x, steps: symbols, thinkTicks: p.thinkTicks, readNode: d.pacing, trace: true, leak: p.leak, edges: d.edges });
      const tr = r.trace as NonNullable<typeof r.trace>;
      // Per slot |W_ab| (the Frobenius norm of its H x H block): the view fades edges by it.
      const { L: rows, K: slots } = d.packing;
      const H = this.dims.width;
      const norms = tf.sqrt(tf.sum(tf.square(tf.reshape(d.vars.edgeW, [rows, slots, H, H])), [2, 3]));
      return { flat: tf.concat([tf.reshape(norms, [-1]), tf.reshape(tr.activity, [-1]), tf.reshape(tr.reads, [-1])]), h: r.hT };
    });
    d.probeH.dispose();
    d.probeH = out.h;
    const data = (await out.flat.data()) as Float32Array;
    out.flat.dispose();
    const { L, K, nodeIds, slotEdge, mask } = d.packing;
    const strength = edgeStrengths(data.subarray(0, L * K), mask);
    const trace = data.subarray(L * K);
    const ticks = trace.length / (L + 1);
    return {
      nodeIds: nodeIds.slice(),
      ticks,
      K,
      slotEdge: slotEdge.slice(),
      activity: trace.slice(0, ticks * L),
      // One row for every tick: the weights do not change within a probe.
      gates: strength,
      active: new Uint8Array(ticks * L).fill(1),
      threads: new Int32Array(0),
      reads: Uint8Array.from(trace.subarray(ticks * L), (v) => (v > 0.5 ? 1 : 0)),
    };
  }

  /** Class probabilities on the experiment's fixed evaluation sequence, from zero state: equal for equal networks. */
  async predict(symbols = 16, lanes = 4): Promise<Float32Array> {
    this.assertLive();
    const d = this.device;
    const { task, seed } = this.experiment;
    const batch = createEvaluationStream(task, lanes, seed, deriveSeed(seed, 'eval')).next(symbols);
    const probs = tf.tidy(() => {
      const x = tf.tensor2d(oneHotRows(batch.inputs, this.dims.inputSize), [symbols * lanes, this.dims.inputSize]);
      const h0 = tf.zeros([d.packing.L, lanes, this.dims.width]) as tf.Tensor3D;
      return tf.softmax(loopyUnroll(this.weights(), d.topo, { h0, x, steps: symbols, thinkTicks: this.params.thinkTicks, readNode: d.pacing, leak: this.params.leak, edges: d.edges }).logits);
    });
    const data = (await probs.data()) as Float32Array;
    probs.dispose();
    return data;
  }

  /** The trained network on the host (export), gates as zero rows. */
  async exportModel(): Promise<LaraHostModel> {
    this.assertLive();
    const d = this.device;
    const specs = paramSpecs(this.dims);
    const down = await downloadTables({ edgeW: specs.edgeW, readoutW: specs.readoutW, inputW: specs.inputW }, { ...d.vars, inputW: d.fixed.inputW }, d.packing);
    const H = this.dims.width;
    const zeros = (): RowTable => ({ width: H, rows: new Map(this.graph.edges.map((e) => [e.id, new Float32Array(H)])) });
    const tables: Record<LaraTableName, RowTable> = { ...down, gateU: zeros(), gateV: zeros() };
    for (const name of LARA_TABLE_NAMES) if (!tables[name]) throw new Error(`missing table ${name}`);
    return { graph: this.graph, dims: this.dims, tables, visitShare: new Map(this.visitShare) };
  }

  /** Host copy of the network and the optimiser's moments; the function rebuilds an equal trainer on the current backend. */
  /** The graph view shows everything this model has. */
  detail(): Promise<null> {
    return Promise.resolve(null);
  }

  protected async suspendModel(): Promise<(at: StepAt) => LoopyTrainer> {
    const model = await this.exportModel();
    const d = this.device;
    const moments = await Promise.all(d.optimizer.stateVariables().map(async (v) => ({ shape: v.shape, data: (await v.data()) as Float32Array })));
    const optStep = d.optimizer.step;
    const experiment = this.currentExperiment;
    return (at) => {
      const t = new LoopyTrainer(experiment, model, at);
      const opt = t.device.optimizer;
      opt.stateVariables().forEach((v, i) => tf.tidy(() => v.assign(tf.tensor((moments[i] as { data: Float32Array }).data, v.shape))));
      opt.step = optStep;
      return t;
    };
  }

  protected disposeModel(): void {
    this.disposeDevice(this.device);
  }
}

/** Quantile of the edge weights' sizes drawn at full strength (a few of the largest all look strong). */
export const EDGE_STRENGTH_QUANTILE = 0.98;

/**
 * The graph view's edge strength per slot: |W| over the 98th percentile of
 * the real slots' |W|, clipped to [0, 1] (0 on padding); monotone in |W|.
 */
export function edgeStrengths(norms: ArrayLike<number>, mask: ArrayLike<number>): Float32Array {
  const n = norms.length;
  const real: number[] = [];
  for (let j = 0; j < n; j++) if ((mask[j] as number) > 0) real.push(Math.abs(norms[j] as number));
  real.sort((a, b) => a - b);
  const ref = real.length > 0 ? (real[Math.min(real.length - 1, Math.floor(EDGE_STRENGTH_QUANTILE * real.length))] as number) : 0;
  const out = new Float32Array(n);
  if (!(ref > 0)) return out;
  for (let j = 0; j < n; j++) if ((mask[j] as number) > 0) out[j] = Math.min(1, Math.abs(norms[j] as number) / ref);
  return out;
}

/** How the lab makes loopy-network trainers (loopy-descriptor.ts loads this in the worker). */
export const loopyTrainerFactory: TrainerFactory<LoopyExperiment, LaraHostModel, null> = {
  create: (experiment) => Promise.resolve(LoopyTrainer.create(experiment)),
  fromModel: (experiment, model, step) => Promise.resolve(LoopyTrainer.fromModel(experiment, model, step)),
};
