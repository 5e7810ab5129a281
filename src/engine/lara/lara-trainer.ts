/**
 * A running LARA experiment: packed device tensors, the task streams, the
 * optimiser and growth, on the shared trainer core (counters, checkpoints,
 * rollback). Pure engine code: the worker drives it, Node tests drive it the
 * same way.
 */
import * as tf from '@tensorflow/tfjs';
import { downloadTables, disposeVars, uploadTables, type TableSpecs } from '../device-tables';
import { randomLoopyGraph, type Graph } from '../graph';
import { alignRows, packGraph, packRows, rowIds, type Packing, type RowTable } from '../packing';
import { createRng, deriveSeed, shuffle, type Rng } from '../random';
import { scorePredictions, type Evaluation } from '../sequence-model';
import { ADAM_DEFAULTS, clipByGlobalNorm, restingAdamStep, type AdamSlot } from '../training/adam';
import type { TaskBatch, TaskStream } from '../tasks/task';
import { createEvaluationStream, createTaskStream, taskSizes } from '../tasks/task-registry';
import { oneHotRows } from '../baselines/baseline-common';
import { growthCheck, INITIAL_LOSS_PLATEAU, trackLoss, type LossPlateau } from './lara-growth';
import type { StepResult, TopologyEvent } from '../training/step-result';
import { TrainerCore, type ModelCheckpoint, type RawStep, type StepAt } from '../training/trainer-core';
import type { ProbeTrace } from '../training/probe-trace';
import {
  asLaraWeights,
  createTopology,
  EXPLORE_SCALE,
  disposeTopology,
  readoutLoss,
  startPositions,
  unroll,
  type ExplorationNoise,
  type LaraTopology,
  type LaraWeights,
} from './lara-forward';
import {
  initLaraModel,
  LARA_TABLE_NAMES,
  modelParamSpecs,
  NODE_BIAS,
  withBiasTable,
  type LaraDims,
  type LaraHostModel,
  type LaraModelTable,
  type LaraTableName,
} from './lara-model';
import { LIVE_PARAM_KEYS, type LaraExperiment, type LaraParams } from './lara-params';
import type { TrainerFactory } from '../model-descriptor';

export type { LaraExperiment };

type OptName = `${LaraModelTable}.m` | `${LaraModelTable}.v` | `${(typeof NODE_OWNED)[number]}.acc` | 'node.steps' | 'node.rest';

/** Everything needed to resume exactly: host rows of all device tensors. */
export interface TrainerSnapshot {
  readonly model: LaraHostModel;
  readonly optimizer: Readonly<Record<OptName, RowTable>>;
  /** States per node id, width B*H. */
  readonly state: RowTable;
  /** Node id of each (lane, thread). */
  readonly threads: Int32Array;
  readonly globalStep: number;
  readonly starving: ReadonlyMap<number, number>;
  /** The loss-plateau tracker growth reads. */
  readonly plateau: LossPlateau;
}

const VISIT_EMA = 0.1;
/**
 * Tables whose rows belong to one node and rest with it (the resting-phase
 * optimiser): its in-edges, and its bias, which only moves the node's own
 * pre-activation and so has a gradient only on steps the node computed.
 */
const NODE_OWNED = ['edgeW', 'gateU', 'gateV', NODE_BIAS] as const;

/** The seeded initial graph and weights of an experiment. */
function initialModel(experiment: LaraExperiment, sizes: { inputSize: number; outputSize: number }): LaraHostModel {
  const p = experiment.params;
  const graph = randomLoopyGraph({
    nodes: p.nodes,
    degree: p.degree,
    selfLoops: p.selfLoops,
    seed: experiment.seed,
    outputDistance: p.outputDistance,
  });
  const dims: LaraDims = { width: p.width, ...sizes, readAll: p.readout === 'all' };
  return initLaraModel(graph, dims, p.gate, experiment.seed, p.bias);
}

/** The parameter tables a trainer holds: the five, and nodeBias when params.bias is on. */
function tableNames(bias: boolean): readonly LaraModelTable[] {
  return bias ? [...LARA_TABLE_NAMES, NODE_BIAS] : LARA_TABLE_NAMES;
}

function optimizerSpecs(d: LaraDims, bias: boolean): TableSpecs<OptName> {
  const ps = modelParamSpecs(d, bias);
  const names = tableNames(bias);
  const specs = {} as Record<OptName, TableSpecs<LaraModelTable>[LaraModelTable]>;
  for (const name of names) {
    specs[`${name}.m`] = ps[name];
    specs[`${name}.v`] = ps[name];
  }
  for (const name of NODE_OWNED) if (names.includes(name)) specs[`${name}.acc`] = ps[name];
  specs['node.steps'] = { set: 'nodes', width: 1, shape: (p) => [p.L] };
  specs['node.rest'] = { set: 'nodes', width: 1, shape: (p) => [p.L] };
  return specs;
}

function stateSpec(d: LaraDims, lanes: number): TableSpecs<'state'> {
  return { state: { set: 'nodes', width: lanes * d.width, shape: (p) => [p.L, lanes, d.width] } };
}


/** Device tensors of one packing; rebuilt whenever the graph changes. */
interface Device {
  readonly packing: Packing;
  readonly topo: LaraTopology;
  /** nodeBias only when the trainer has biases. */
  readonly params: Record<LaraTableName, tf.Variable> & { nodeBias?: tf.Variable };
  readonly opt: Record<OptName, tf.Variable>;
  h: tf.Tensor3D;
  /** [B*Th, L] one-hot thread positions. */
  q: tf.Tensor2D;
  probeH: tf.Tensor3D;
  probeQ: tf.Tensor2D;
}

export class LaraTrainer extends TrainerCore<LaraExperiment, LaraHostModel, null> {
  private readonly dims: LaraDims;
  /** The experiment's own task streams; null for a trainer fed from outside (trainOn / evaluateOn only). */
  private readonly streams: { readonly train: TaskStream; readonly probe: TaskStream } | null;
  private readonly noiseRng: Rng;
  /** The random walk's draws in evaluateOn (training and probe draw from their own). */
  private readonly evalWalkRng: Rng;
  /** Whether the network has per-node biases (params.bias; not live: it changes the tables). */
  private readonly bias: boolean;
  private readonly tables: readonly LaraModelTable[];
  private readonly probeRng: Rng;
  private readonly growthRng: Rng;
  private graph: Graph;
  private device: Device;
  private visitShare: Map<number, number>;
  private starving: ReadonlyMap<number, number> = new Map();
  /** Tracked on every step, growth on or off, so switching growth on mid-run sees the loss so far. */
  private plateau: LossPlateau = INITIAL_LOSS_PLATEAU;
  /** Adam steps taken (its bias correction); not the lab's step count, which restarts on import. */
  private globalStep = 0;

  private constructor(experiment: LaraExperiment, model: LaraHostModel, ownStreams = true, start?: StepAt) {
    super(experiment, LIVE_PARAM_KEYS, start);
    const { task, seed } = experiment;
    this.streams = ownStreams
      ? {
          train: createTaskStream(task, this.params.batch, seed, deriveSeed(seed, 'train')),
          probe: createTaskStream(task, 1, seed, deriveSeed(seed, 'probe')),
        }
      : null;
    this.noiseRng = createRng(deriveSeed(seed, 'explore'));
    this.evalWalkRng = createRng(deriveSeed(seed, 'eval-walk'));
    this.bias = this.params.bias;
    this.tables = tableNames(this.bias);
    this.probeRng = createRng(deriveSeed(seed, 'probe-explore'));
    this.growthRng = createRng(deriveSeed(seed, 'growth'));
    this.dims = model.dims;
    this.graph = model.graph;
    this.visitShare = new Map(model.visitShare);
    this.device = this.upload(model, null);
  }

  /** A fresh experiment: new graph, new weights, all from the seed. */
  static create(experiment: LaraExperiment): LaraTrainer {
    return new LaraTrainer(experiment, initialModel(experiment, taskSizes(experiment.task)));
  }

  /**
   * A network for symbols of the given sizes, fed only through trainOn and
   * evaluateOn (the test battery); the experiment's task is not used.
   */
  static forSizes(experiment: LaraExperiment, sizes: { inputSize: number; outputSize: number }): LaraTrainer {
    return new LaraTrainer(experiment, initialModel(experiment, sizes), false);
  }

  private ownStreams(): { readonly train: TaskStream; readonly probe: TaskStream } {
    if (!this.streams) throw new Error('this trainer learns only from batches given to trainOn / evaluateOn');
    return this.streams;
  }

  /** An experiment resumed from a trained network (import). */
  static fromModel(experiment: LaraExperiment, model: LaraHostModel, step: number): LaraTrainer {
    return new LaraTrainer(experiment, model, true, { step, tick: 0 });
  }

  get currentGraph(): Graph {
    return this.graph;
  }
  get currentParams(): LaraParams {
    return this.params;
  }

  /** The graph view shows everything this model has. */
  detail(): Promise<null> {
    return Promise.resolve(null);
  }

  protected async suspendModel(): Promise<(at: StepAt) => LaraTrainer> {
    const snap = await this.snapshot();
    const experiment = this.currentExperiment;
    return (at) => {
      const t = new LaraTrainer(experiment, snap.model, true, at);
      t.restore(snap);
      return t;
    };
  }

  /** Visit share per node id (EMA). */
  get visits(): ReadonlyMap<number, number> {
    return this.visitShare;
  }

  /** Every live parameter is read afresh on each step: nothing to rebuild. */
  protected applyParams(): void {}

  protected async checkpointModel(): Promise<ModelCheckpoint> {
    const snap = await this.snapshot();
    return { restore: () => this.restore(snap), dispose: () => undefined };
  }

  private weights(): LaraWeights {
    return asLaraWeights(this.device.params);
  }

  /** Builds every device tensor for `model`; optimiser and states come from `snap` where given (rows aligned to the graph). */
  private upload(model: LaraHostModel, snap: Omit<TrainerSnapshot, 'model'> | null): Device {
    const p = this.params;
    const packing = packGraph(model.graph, this.dims.readAll);
    const topo = createTopology(packing, p.threads);
    // A model without the bias table (an older document) gets zero biases; one with it, on a trainer without, drops it.
    const tables = withBiasTable(model, this.bias).tables as Readonly<Record<LaraModelTable, RowTable>>;
    const params = uploadTables(modelParamSpecs(this.dims, this.bias), tables, packing, true);
    const oSpecs = optimizerSpecs(this.dims, this.bias);
    const optTables = {} as Record<OptName, RowTable>;
    for (const name of Object.keys(oSpecs) as OptName[]) {
      const spec = oSpecs[name];
      const ids = rowIds(packing, spec.set);
      optTables[name] = alignRows(snap?.optimizer[name] ?? { width: spec.width, rows: new Map() }, ids);
    }
    const opt = uploadTables(oSpecs, optTables, packing, false);
    const sSpec = stateSpec(this.dims, p.batch);
    const stateRows = alignRows(snap?.state ?? { width: sSpec.state.width, rows: new Map() }, packing.nodeIds);
    const h = tf.tensor3d(packRows(stateRows, Array.from(packing.nodeIds)), [packing.L, p.batch, this.dims.width]);
    const q = snap ? this.threadTensor(snap.threads, packing, topo, p.batch) : startPositions(topo, p.batch);
    return {
      packing,
      topo,
      params,
      opt,
      h,
      q,
      probeH: tf.zeros([packing.L, 1, this.dims.width]),
      probeQ: startPositions(topo, 1),
    };
  }

  /** Thread one-hots from node ids; threads on nodes that died go back to their start. */
  private threadTensor(ids: Int32Array, packing: Packing, topo: LaraTopology, lanes: number): tf.Tensor2D {
    const th = topo.threadStarts.length;
    if (ids.length !== lanes * th) return startPositions(topo, lanes);
    const pos = new Map(Array.from(packing.nodeIds, (id, i) => [id, i]));
    const q = new Float32Array(lanes * th * packing.L);
    for (let i = 0; i < lanes * th; i++) {
      const at = pos.get(ids[i] as number) ?? topo.threadStarts[i % th] ?? 0;
      q[i * packing.L + at] = 1;
    }
    return tf.tensor2d(q, [lanes * th, packing.L]);
  }

  private disposeDevice(d: Device): void {
    disposeTopology(d.topo);
    disposeVars(d.params);
    disposeVars(d.opt);
    tf.dispose([d.h, d.q, d.probeH, d.probeQ]);
  }

  /**
   * Exploration noise for `ticks` ticks of `lanes` lanes (see ExplorationNoise);
   * `greedy` leaves argmax routing without any. Random-walk routing always
   * gets its draw, EXPLORE_SCALE x uniform on every row, whatever `explore`.
   */
  private noise(rng: Rng, ticks: number, lanes: number, greedy = false): ExplorationNoise | undefined {
    const { explore, exploration, routing } = this.params;
    const walk = routing === 'random-walk';
    if (!walk && (greedy || explore <= 0)) return undefined;
    const th = this.device.topo.threadStarts.length;
    const K = this.device.packing.K;
    const rows = ticks * lanes * th;
    const noise = new Float32Array(rows * K);
    for (let i = 0; i < rows; i++) {
      if (walk) {
        for (let s = 0; s < K; s++) noise[i * K + s] = EXPLORE_SCALE * rng.next();
      } else if (exploration === 'epsilon') {
        if (rng.next() >= explore) continue;
        for (let s = 0; s < K; s++) noise[i * K + s] = EXPLORE_SCALE * rng.next();
      } else {
        for (let s = 0; s < K; s++) noise[i * K + s] = -explore * Math.log(-Math.log(Math.max(rng.next(), 1e-12)));
      }
    }
    return tf.tensor3d(noise, [ticks, lanes * th, K]);
  }

  private batchTensors(batch: TaskBatch): { x: tf.Tensor2D; targets: tf.Tensor2D; weights: tf.Tensor1D } {
    const { inputSize, outputSize } = this.dims;
    const n = batch.length * batch.lanes;
    return {
      x: tf.tensor2d(oneHotRows(batch.inputs, inputSize), [n, inputSize]),
      targets: tf.tensor2d(oneHotRows(batch.targets, outputSize), [n, outputSize]),
      weights: tf.tensor1d(Float32Array.from(batch.targets, (t) => (t >= 0 ? 1 : 0))),
    };
  }

  /** One truncated-BPTT step over the next `window` symbols of every lane. */
  protected runStep(at: StepAt): Promise<RawStep> {
    return this.stepOn(this.ownStreams().train.next(this.params.window), at);
  }

  /** One truncated-BPTT step over `batch` (lanes = params.batch), continuing every lane's state; checkpoints and rollback as trainStep. */
  trainOn(batch: TaskBatch): Promise<StepResult> {
    return this.train((at) => this.stepOn(batch, at));
  }

  private async stepOn(batch: TaskBatch, at: StepAt): Promise<RawStep> {
    this.assertLive();
    this.assertLanes(batch);
    const p = this.params;
    const dev = this.device;
    const ticks = batch.length * p.thinkTicks;
    const { x, targets, weights } = this.batchTensors(batch);
    const noise = this.noise(this.noiseRng, ticks, p.batch);
    const varList = this.tables.map((n) => dev.params[n] as tf.Variable);
    this.globalStep += 1;

    // Forward results besides the loss leave the gradient scope through tf.keep.
    const box: { kept?: { hT: tf.Tensor3D; qT: tf.Tensor2D; visits: tf.Tensor1D; active: tf.Tensor1D; correct: tf.Scalar; scored: tf.Scalar } } = {};
    const { value: loss, grads } = tf.variableGrads(() => {
      const out = unroll(this.weights(), dev.topo, {
        h0: dev.h,
        q0: dev.q,
        x,
        steps: batch.length,
        thinkTicks: p.thinkTicks,
        gate: p.gate,
        exploration: p.exploration,
        threadStays: p.threadStays,
        routing: p.routing,
        tick: p.tick,
        noise,
      });
      const r = readoutLoss(out.logits, targets, weights);
      box.kept = {
        hT: tf.keep(out.hT),
        qT: tf.keep(out.qT),
        visits: tf.keep(out.visits),
        active: tf.keep(out.activeCount),
        correct: tf.keep(r.correct),
        scored: tf.keep(r.scored),
      };
      return r.loss;
    }, varList);
    const k = box.kept as NonNullable<typeof box.kept>;
    const norm = tf.tidy(() => {
      const ordered = varList.map((v) => grads[v.name] as tf.Tensor);
      const { clipped, norm } = clipByGlobalNorm(ordered, p.gradClip);
      const slots: AdamSlot[] = this.tables.map((n) => ({
        value: dev.params[n] as tf.Variable,
        m: dev.opt[`${n}.m`],
        v: dev.opt[`${n}.v`],
        ...((NODE_OWNED as readonly string[]).includes(n) ? { acc: dev.opt[`${n as (typeof NODE_OWNED)[number]}.acc`] } : {}),
      }));
      restingAdamStep(
        slots,
        clipped,
        { steps: dev.opt['node.steps'], rest: dev.opt['node.rest'] },
        k.active,
        p.restingPhase,
        this.globalStep,
        { learningRate: p.learningRate, ...ADAM_DEFAULTS },
      );
      return norm;
    });
    const readback = tf.tidy(() => tf.concat([tf.stack([loss, k.correct, k.scored, norm]), k.visits]));
    tf.dispose([x, targets, weights, loss, norm, k.correct, k.scored, k.active, ...Object.values(grads)]);
    noise?.dispose();
    tf.dispose([dev.h, dev.q]);
    dev.h = k.hT;
    dev.q = k.qT;
    const values = (await readback.data()) as Float32Array;
    readback.dispose();
    k.visits.dispose();

    const [lossValue = NaN, correct = 0, scored = 0, gradNorm = NaN] = values;
    const accuracy = scored > 0 ? correct / scored : 0;
    // A non-finite step is rolled back by the core: visits and growth must not see it.
    if (!Number.isFinite(lossValue) || !Number.isFinite(gradNorm)) return { loss: lossValue, accuracy, gradNorm, ticks, events: [] };
    this.updateVisits(values.subarray(4));
    this.plateau = trackLoss(this.plateau, lossValue, p.growth);
    const grows = p.growth.enabled && (at.step + 1) % p.growth.every === 0;
    const events = grows ? await this.grow(at.tick + ticks) : [];
    return { loss: lossValue, accuracy, gradNorm, ticks, events };
  }

  /**
   * Predicts `batch` with greedy routing (a random walk still draws, from its
   * own seeded stream) and no learning, continuing every lane's state (the
   * battery's evaluation). Returns per-symbol hits.
   */
  async evaluateOn(batch: TaskBatch): Promise<Evaluation> {
    this.assertLive();
    this.assertLanes(batch);
    const p = this.params;
    const dev = this.device;
    const { x, targets, weights } = this.batchTensors(batch);
    const noise = this.noise(this.evalWalkRng, batch.length * p.thinkTicks, p.batch, true);
    const out = tf.tidy(() => {
      const r = unroll(this.weights(), dev.topo, {
        h0: dev.h,
        q0: dev.q,
        x,
        steps: batch.length,
        thinkTicks: p.thinkTicks,
        gate: p.gate,
        exploration: p.exploration,
        threadStays: p.threadStays,
        routing: p.routing,
        tick: p.tick,
        noise,
      });
      const l = readoutLoss(r.logits, targets, weights);
      return { hT: r.hT, qT: r.qT, predicted: tf.argMax(r.logits, 1), stats: tf.stack([l.loss, l.correct, l.scored]) };
    });
    tf.dispose([x, targets, weights, dev.h, dev.q]);
    noise?.dispose();
    dev.h = out.hT;
    dev.q = out.qT;
    const [predicted, stats] = await Promise.all([out.predicted.data() as Promise<Int32Array>, out.stats.data() as Promise<Float32Array>]);
    tf.dispose([out.predicted, out.stats]);
    const hits = scorePredictions(batch, predicted);
    return { ...hits, loss: stats[0] as number };
  }

  /** Every lane starts afresh: zero states, threads on their start nodes. */
  resetState(): void {
    this.assertLive();
    const dev = this.device;
    tf.dispose([dev.h, dev.q]);
    dev.h = tf.zeros([dev.packing.L, this.params.batch, this.dims.width]);
    dev.q = startPositions(dev.topo, this.params.batch);
  }

  /** Adds N(0, (sigma x std of the tensor)^2) to every weight tensor (biases included; all-zero ones stay zero); seeded. */
  perturbWeights(sigma: number, seed: number): void {
    this.assertLive();
    this.tables.forEach((name, i) => {
      const v = this.device.params[name] as tf.Variable;
      tf.tidy(() => {
        const std = tf.sqrt(tf.moments(v).variance);
        v.assign(tf.add(v, tf.mul(tf.randomNormal(v.shape, 0, 1, 'float32', seed * 31 + i), tf.mul(std, sigma))));
      });
    });
  }

  /** Removes a seeded random fraction of the edges (self-loops included) from the graph. */
  async removeEdges(fraction: number, seed: number): Promise<void> {
    const snap = await this.snapshot();
    const rng = createRng(deriveSeed(seed, 'remove-edges'));
    const edges = shuffle(rng, [...snap.model.graph.edges]);
    const drop = new Set(edges.slice(0, Math.round(fraction * edges.length)).map((e) => e.id));
    const graph = { ...snap.model.graph, edges: snap.model.graph.edges.filter((e) => !drop.has(e.id)) };
    const tables = { ...snap.model.tables };
    for (const name of ['edgeW', 'gateU', 'gateV'] as const) {
      tables[name] = { width: tables[name].width, rows: new Map([...tables[name].rows].filter(([id]) => !drop.has(id))) };
    }
    this.restore({ ...snap, model: { ...snap.model, graph, tables } });
  }

  private assertLanes(batch: TaskBatch): void {
    if (batch.lanes !== this.params.batch) throw new Error(`batch has ${batch.lanes} lanes, the trainer ${this.params.batch}`);
  }

  private updateVisits(visits: Float32Array): void {
    let total = 0;
    for (const v of visits) total += v;
    if (total <= 0) return;
    this.device.packing.nodeIds.forEach((id, i) => {
      const share = (visits[i] as number) / total;
      this.visitShare.set(id, (1 - VISIT_EMA) * (this.visitShare.get(id) ?? share) + VISIT_EMA * share);
    });
  }

  /** A growth check at global tick `tick`; births and deaths rebuild the device tensors. */
  private async grow(tick: number): Promise<readonly TopologyEvent[]> {
    const snap = await this.snapshot();
    const p = this.params;
    const result = growthCheck(snap.model, this.starving, {
      params: p.growth,
      gate: p.gate,
      selfLoops: p.selfLoops,
      degree: p.degree,
      tick,
      rng: this.growthRng,
      plateau: this.plateau,
    });
    this.starving = result.starving;
    this.plateau = result.plateau;
    if (result.events.length === 0) return [];
    // A split child starts from its parent's state, so the network computes the same until one of them is visited.
    const state = { width: snap.state.width, rows: new Map(snap.state.rows) };
    for (const e of result.events) {
      const parentRow = e.cause === 'split' && e.parentId !== undefined ? state.rows.get(e.parentId) : undefined;
      if (parentRow) state.rows.set(e.nodeId, parentRow.slice());
    }
    this.restore({ ...snap, model: result.model, state, starving: result.starving, plateau: result.plateau });
    return result.events;
  }

  /** Host copy of every device tensor. */
  async snapshot(): Promise<TrainerSnapshot> {
    this.assertLive();
    const dev = this.device;
    const [tables, optimizer, state, threads] = await Promise.all([
      downloadTables(modelParamSpecs(this.dims, this.bias), dev.params as Record<LaraModelTable, tf.Variable>, dev.packing),
      downloadTables(optimizerSpecs(this.dims, this.bias), dev.opt, dev.packing),
      downloadTables(stateSpec(this.dims, this.params.batch), { state: dev.h }, dev.packing),
      this.threadIds(dev.q),
    ]);
    return {
      model: { graph: this.graph, dims: this.dims, tables, visitShare: new Map(this.visitShare) },
      optimizer,
      state: state.state,
      threads,
      globalStep: this.globalStep,
      starving: new Map(this.starving),
      plateau: this.plateau,
    };
  }

  private async threadIds(q: tf.Tensor2D): Promise<Int32Array> {
    const pos = tf.argMax(q, 1);
    const data = (await pos.data()) as Int32Array;
    pos.dispose();
    const ids = this.device.packing.nodeIds;
    return Int32Array.from(data, (i) => ids[i] as number);
  }

  /** Replaces every device tensor by the snapshot's. */
  restore(snap: TrainerSnapshot): void {
    this.assertLive();
    const old = this.device;
    this.graph = snap.model.graph;
    this.visitShare = new Map(snap.model.visitShare);
    this.device = this.upload(snap.model, snap);
    this.disposeDevice(old);
    this.globalStep = snap.globalStep;
    this.starving = new Map(snap.starving);
    this.plateau = snap.plateau;
  }

  /**
   * Runs the probe lane for `symbols` symbols (forward only, its own state and
   * stream) and returns its per-tick trace.
   */
  async probe(symbols: number): Promise<ProbeTrace> {
    this.assertLive();
    const p = this.params;
    const dev = this.device;
    const batch = this.ownStreams().probe.next(symbols);
    const ticks = symbols * p.thinkTicks;
    const noise = this.noise(this.probeRng, ticks, 1);
    const out = tf.tidy(() => {
      const x = tf.tensor2d(oneHotRows(batch.inputs, this.dims.inputSize), [symbols, this.dims.inputSize]);
      const r = unroll(this.weights(), dev.topo, {
        h0: dev.probeH,
        q0: dev.probeQ,
        x,
        steps: symbols,
        thinkTicks: p.thinkTicks,
        gate: p.gate,
        exploration: p.exploration,
        threadStays: p.threadStays,
        routing: p.routing,
        tick: p.tick,
        noise,
        trace: true,
      });
      const tr = r.trace as NonNullable<typeof r.trace>;
      const flat = tf.concat([
        tf.reshape(tr.activity, [-1]),
        tf.reshape(tr.gates, [-1]),
        tf.reshape(tr.active, [-1]),
        tf.reshape(tf.cast(tr.threads, 'float32'), [-1]),
      ]);
      return { flat, h: r.hT, q: r.qT };
    });
    noise?.dispose();
    tf.dispose([dev.probeH, dev.probeQ]);
    dev.probeH = out.h;
    dev.probeQ = out.q;
    const data = (await out.flat.data()) as Float32Array;
    out.flat.dispose();
    const { L, K, nodeIds, slotEdge } = dev.packing;
    const th = dev.topo.threadStarts.length;
    let at = 0;
    const take = (n: number): Float32Array => data.slice(at, (at += n));
    const activity = take(ticks * L);
    const gates = take(ticks * L * K);
    const active = Uint8Array.from(take(ticks * L), (v) => (v > 0.5 ? 1 : 0));
    const threads = Int32Array.from(take(ticks * th), (i) => nodeIds[i] as number);
    const reads = Uint8Array.from({ length: ticks }, (_, i) => (i % p.thinkTicks === p.thinkTicks - 1 ? 1 : 0));
    return { nodeIds: nodeIds.slice(), ticks, K, slotEdge: slotEdge.slice(), activity, gates, active, threads, reads };
  }

  /**
   * Class probabilities on a fixed evaluation sequence (from the seed), from
   * zero state with greedy routing (a random walk draws afresh from the seed
   * on every call): equal for equal networks, whatever the training history.
   * Returns [symbols * lanes, C], time major.
   */
  async predict(symbols = 16, lanes = 4): Promise<Float32Array> {
    this.assertLive();
    const dev = this.device;
    const evalStream = createEvaluationStream(this.experiment.task, lanes, this.experiment.seed, deriveSeed(this.experiment.seed, 'eval'));
    const batch = evalStream.next(symbols);
    const noise = this.noise(createRng(deriveSeed(this.experiment.seed, 'predict-walk')), symbols * this.params.thinkTicks, lanes, true);
    const probs = tf.tidy(() => {
      const x = tf.tensor2d(oneHotRows(batch.inputs, this.dims.inputSize), [symbols * lanes, this.dims.inputSize]);
      const r = unroll(this.weights(), dev.topo, {
        h0: tf.zeros([dev.packing.L, lanes, this.dims.width]),
        q0: startPositions(dev.topo, lanes),
        x,
        steps: symbols,
        thinkTicks: this.params.thinkTicks,
        gate: this.params.gate,
        exploration: this.params.exploration,
        threadStays: this.params.threadStays,
        routing: this.params.routing,
        tick: this.params.tick,
        noise,
      });
      return tf.softmax(r.logits);
    });
    noise?.dispose();
    const data = (await probs.data()) as Float32Array;
    probs.dispose();
    return data;
  }

  /** The trained network on the host (for export). */
  async exportModel(): Promise<LaraHostModel> {
    return (await this.snapshot()).model;
  }

  protected disposeModel(): void {
    this.disposeDevice(this.device);
  }
}

/** How the lab makes LARA trainers (lara-descriptor.ts loads this in the worker). */
export const laraTrainerFactory: TrainerFactory<LaraExperiment, LaraHostModel, null> = {
  create: (experiment) => Promise.resolve(LaraTrainer.create(experiment)),
  fromModel: (experiment, model, step) => Promise.resolve(LaraTrainer.fromModel(experiment, model, step)),
};
