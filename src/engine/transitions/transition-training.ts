/**
 * Transition-representation training (seed 002, docs/ARCHITECTURE.md) and the BPTT
 * trainer it is compared with, on one fixed training set of N sequences of
 * length T.
 *
 * Transitions mode: every transition (i, t) owns a state embedding e_{i,t}
 * (e_{i,0} is the cell's known start state, fixed; e_{i,1..T-1} trainable).
 * All N*T transitions run as one batch of N*T rows:
 *   loss = CE(f(e_{i,t}, x_{i,t}).logits) on scored symbols
 *        + beta * mean_{i, t<T-1} || s'_{i,t} - ebar_{i,t+1} ||^2
 * with ebar a frozen copy of the embeddings, refreshed every `refreshEvery`
 * steps (DQN's target network). ebar is not a trained variable, so the
 * consistency term sends no gradient to e_{i,t+1}: only to e_{i,t} and the
 * weights through f. The squared norm is summed over the state and averaged
 * over transitions, as the lab's design writes it.
 *
 * Embedding init (the seed only says "we start by generating embedding
 * vectors"): by default a roll-out of the initial weights on the training
 * sequences. The embeddings then start on states the cell can reach, with
 * the consistency term zero, rather than all equal (zeros: no history in the
 * state) or off the reachable set (random). It costs one sequential forward
 * pass at creation, none afterwards. 'zeros' is kept for comparison.
 *
 * The seed also suggests freezing the embeddings themselves and accumulating
 * their gradients between refreshes; the lab's design chose the DQN-style frozen target
 * instead, which is what this file does.
 *
 * Both optimisers are the baselines' Adam with global-norm clipping; the
 * embeddings get their own (own clip, own step size): their gradients are
 * 1/(N*T) of a row's each and would vanish under one shared global norm.
 * Their step defaults to a third of the weights': faster, they run ahead
 * encoding answers the dynamics cannot produce (the consistency term grows
 * and the roll-out loss with it). After each step they are clipped into
 * the cell's state range (projectEmbeddings), for the same reason.
 *
 * Evaluation is honest: a sequential roll-out from the start state on
 * held-out sequences of a separately seeded stream. The transitions mode's
 * own training loss is not: an embedding may simply encode its answer.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { batchTensors, type BatchTensors } from '../baselines/baseline-common';
import { AdamOptimizer } from '../training/adam';
import { readoutLoss } from '../lara/lara-forward';
import { deriveSeed } from '../random';
import { TASK_IDS, type TaskBatch } from '../tasks/task';
import { createTaskStream, taskSizes } from '../tasks/task-registry';
import { newVariable } from '../variables';
import { createTransitionCell, TRANSITION_CELL_KINDS, type TransitionCell } from './transition-cell';

export const TRANSITION_MODES = ['transitions', 'bptt'] as const;
export type TransitionMode = (typeof TRANSITION_MODES)[number];

export const EMBEDDING_INITS = ['rollout', 'zeros'] as const;

export const transitionRunSchema = z.strictObject({
  cell: z.enum(TRANSITION_CELL_KINDS).default('gru'),
  task: z.enum(TASK_IDS).default('recall'),
  seed: z.number().int().min(0).default(1),
  mode: z.enum(TRANSITION_MODES).default('transitions'),
  /** Weight of the consistency term. */
  beta: z.number().min(0).max(1000).default(10),
  /** Steps between refreshes of the frozen target (1 = the live embeddings, one step late). */
  refreshEvery: z.number().int().min(1).max(100000).default(5),
  /** Adam step of the cell's weights. */
  learningRate: z.number().positive().max(1).default(0.01),
  /** Adam step of the embeddings: slower than the weights', or they run ahead encoding answers the dynamics cannot reach. */
  embeddingLearningRate: z.number().positive().max(1).default(0.003),
  /** Global gradient-norm clip of each optimiser (0 = off). */
  gradClip: z.number().min(0).max(1000).default(1),
  /** N: training sequences. */
  sequences: z.number().int().min(1).max(4096).default(32),
  /** T: symbols per sequence. */
  length: z.number().int().min(2).max(1024).default(16),
  /** Held-out sequences of the roll-out. */
  evalSequences: z.number().int().min(1).max(4096).default(32),
  /** GRU hidden units; loopy hidden nodes; LARA nodes. */
  hidden: z.number().int().min(1).max(4096).default(32),
  /** Loopy and LARA: ticks per symbol (their defaults when absent). */
  thinkTicks: z.number().int().min(1).max(16).optional(),
  /** Loopy and LARA: units per node. */
  width: z.number().int().min(1).max(256).optional(),
  embeddingInit: z.enum(EMBEDDING_INITS).default('rollout'),
  /** Clip the embeddings into the cell's state range after every update. */
  projectEmbeddings: z.boolean().default(true),
});
export type TransitionRunOptions = z.output<typeof transitionRunSchema>;
export type TransitionRunInput = z.input<typeof transitionRunSchema>;

/** What may change while a run trains. */
export type TransitionLiveParams = Partial<Pick<TransitionRunOptions, 'beta' | 'refreshEvery' | 'learningRate' | 'embeddingLearningRate'>>;

/** One fixed set of sequences as tensors: rows time major, row t*N + i is sequence i at time t. */
export interface SequenceSet extends BatchTensors {
  /** N */
  readonly sequences: number;
  /** T */
  readonly length: number;
}

export function sequenceSet(batch: TaskBatch, cell: Pick<TransitionCell, 'inputSize' | 'outputSize'>): SequenceSet {
  return { ...batchTensors(batch, cell.inputSize, cell.outputSize), sequences: batch.lanes, length: batch.length };
}

export function disposeSequenceSet(d: SequenceSet): void {
  tf.dispose([d.x, d.targets, d.scored]);
}

/** Output loss and its counts: [ce, correct, scored]. */
interface Scored {
  readonly ce: tf.Scalar;
  readonly correct: tf.Scalar;
  readonly scored: tf.Scalar;
}

export interface TransitionLoss extends Scored {
  /** ce + beta * consistency */
  readonly loss: tf.Scalar;
  /** mean over i and t < T-1 of ||s'_{i,t} - target_{i,t+1}||^2 */
  readonly consistency: tf.Scalar;
}

/**
 * The input state of every transition, [T*N, S]: the start state for t = 0,
 * then the embeddings `e` [(T-1)*N, S] (rows for t = 1..T-1, time major).
 */
export function transitionStates(cell: TransitionCell, e: tf.Tensor2D, sequences: number): tf.Tensor2D {
  return tf.concat([cell.initialState(sequences), e]);
}

/**
 * The transition loss of all N*T transitions at once. `target` [(T-1)*N, S]
 * is what s'_{i,t} (t < T-1) is pulled towards: the frozen ebar_{i,t+1}. It
 * is a constant here whatever the caller passes, as long as it is not among
 * the variables differentiated. Call inside a tidy or gradient scope.
 */
export function transitionLoss(cell: TransitionCell, e: tf.Tensor2D, target: tf.Tensor2D, data: SequenceSet, beta: number): TransitionLoss {
  const { sequences: N, length: T } = data;
  const { next, logits } = cell.step(transitionStates(cell, e, N), data.x);
  const r = readoutLoss(logits, data.targets, data.scored);
  const gap = tf.sub(tf.slice(next, [0, 0], [(T - 1) * N, cell.stateSize]), target);
  const consistency = tf.div(tf.sum(tf.square(gap)), (T - 1) * N) as tf.Scalar;
  return { loss: tf.add(r.loss, tf.mul(consistency, beta)), consistency, ce: r.loss, correct: r.correct, scored: r.scored };
}

/** Sequential run of every sequence from the start state: logits [T*N, C] and the states after each of the first T-1 symbols [(T-1)*N, S]. */
export function rollCell(cell: TransitionCell, data: SequenceSet): { logits: tf.Tensor2D; states: tf.Tensor2D } {
  const { sequences: N, length: T } = data;
  // split, not unstack: Unpack's gradient fails when some outputs get no gradient.
  const xs = tf.split<tf.Tensor2D>(data.x, T);
  let s = cell.initialState(N);
  const logits: tf.Tensor2D[] = [];
  const states: tf.Tensor2D[] = [];
  xs.forEach((x, t) => {
    const out = cell.step(s, x);
    s = out.next;
    logits.push(out.logits);
    if (t < T - 1) states.push(s);
  });
  return { logits: tf.concat(logits), states: tf.concat(states) };
}

/** Full backprop through the sequences from the start state (BPTT's loss). Call inside a tidy or gradient scope. */
export function bpttLoss(cell: TransitionCell, data: SequenceSet): Scored {
  const r = readoutLoss(rollCell(cell, data).logits, data.targets, data.scored);
  return { ce: r.loss, correct: r.correct, scored: r.scored };
}

export interface TransitionStepResult {
  /** Steps done, this one included. */
  readonly step: number;
  /** Output cross-entropy (nats) over the scored symbols of the training set (transitions: from the embeddings). */
  readonly loss: number;
  /** The consistency term (before beta); 0 in BPTT. */
  readonly consistency: number;
  /** Fraction of scored training symbols predicted right. */
  readonly accuracy: number;
  /** Wall-clock of the step, readback included. */
  readonly ms: number;
  /** Whether the frozen target was refreshed after this step. */
  readonly refreshed: boolean;
}

export interface RolloutResult {
  /** Mean cross-entropy (nats) over scored symbols. */
  readonly loss: number;
  /** Fraction of scored symbols predicted right. */
  readonly accuracy: number;
}

/** Which sequences a roll-out runs: the held-out set (honest) or the training set. */
export type RolloutSet = 'heldout' | 'train';

export class TransitionRun {
  readonly options: TransitionRunOptions;
  readonly cell: TransitionCell;
  private live: TransitionRunOptions;
  private readonly train: SequenceSet;
  private readonly heldout: SequenceSet;
  private readonly weightsOpt: AdamOptimizer;
  /** Transitions mode only: e [(T-1)*N, S], its frozen copy, its optimiser. */
  private readonly emb: { readonly e: tf.Variable; readonly target: tf.Variable; readonly opt: AdamOptimizer } | null;
  private stepCount = 0;
  private sinceRefresh = 0;
  private disposed = false;

  constructor(input: TransitionRunInput) {
    const o = transitionRunSchema.parse(input);
    this.options = o;
    this.live = o;
    const sizes = taskSizes(o.task);
    this.cell = createTransitionCell(
      { kind: o.cell, hidden: o.hidden, ...(o.thinkTicks !== undefined ? { thinkTicks: o.thinkTicks } : {}), ...(o.width !== undefined ? { width: o.width } : {}) },
      sizes,
      o.seed,
    );
    // Two streams: the held-out sequences share nothing with the training ones but the task (the circuit).
    this.train = sequenceSet(createTaskStream(o.task, o.sequences, o.seed, deriveSeed(o.seed, 'transitions-train')).next(o.length), this.cell);
    this.heldout = sequenceSet(createTaskStream(o.task, o.evalSequences, o.seed, deriveSeed(o.seed, 'transitions-heldout')).next(o.length), this.cell);
    this.weightsOpt = new AdamOptimizer(this.cell.variables, o.learningRate, o.gradClip);
    if (o.mode === 'transitions') {
      const rows = (o.length - 1) * o.sequences;
      const e = newVariable(() => (o.embeddingInit === 'rollout' ? rollCell(this.cell, this.train).states : tf.zeros([rows, this.cell.stateSize])));
      const target = newVariable(() => tf.clone(e), false);
      this.emb = { e, target, opt: new AdamOptimizer([e], o.embeddingLearningRate, o.gradClip) };
    } else {
      this.emb = null;
    }
  }

  get step(): number {
    return this.stepCount;
  }

  /** The options with the live changes applied. */
  get current(): TransitionRunOptions {
    return this.live;
  }

  setLive(p: TransitionLiveParams): void {
    this.live = { ...this.live, ...p };
    this.weightsOpt.learningRate = this.live.learningRate;
    if (this.emb) this.emb.opt.learningRate = this.live.embeddingLearningRate;
  }

  /** One optimiser step on the whole training set. */
  async trainStep(): Promise<TransitionStepResult> {
    this.assertLive();
    const started = performance.now();
    const emb = this.emb;
    const beta = this.live.beta;
    const vars = emb ? [emb.e, ...this.cell.variables] : [...this.cell.variables];
    const box: { stats?: tf.Tensor1D } = {};
    const { value, grads } = tf.variableGrads(() => {
      if (emb) {
        const r = transitionLoss(this.cell, emb.e as tf.Tensor2D, emb.target as tf.Tensor2D, this.train, beta);
        box.stats = tf.keep(tf.stack([r.ce, r.consistency, r.correct, r.scored]) as tf.Tensor1D);
        return r.loss;
      }
      const r = bpttLoss(this.cell, this.train);
      box.stats = tf.keep(tf.stack([r.ce, tf.scalar(0), r.correct, r.scored]) as tf.Tensor1D);
      return r.ce;
    }, vars);
    const stats = box.stats as tf.Tensor1D;
    const [ce = NaN, consistency = NaN, correct = 0, scored = 0] = await stats.data();
    // A non-finite loss would poison Adam's moments: no update then.
    if (Number.isFinite(ce) && Number.isFinite(consistency)) {
      this.weightsOpt.apply(this.cell.variables.map((v) => grads[v.name] as tf.Tensor));
      if (emb) {
        emb.opt.apply([grads[emb.e.name] as tf.Tensor]);
        if (this.live.projectEmbeddings) this.project(emb.e);
      }
    }
    tf.dispose([value, stats, ...Object.values(grads)]);
    this.stepCount += 1;
    const refreshed = this.maybeRefresh();
    return { step: this.stepCount, loss: ce, consistency, accuracy: scored > 0 ? correct / scored : 0, ms: performance.now() - started, refreshed };
  }

  /** Keeps the embeddings on states the cell can reach: unbounded, they could encode an answer no roll-out can produce. */
  private project(e: tf.Variable): void {
    const [lo, hi] = this.cell.stateRange;
    tf.tidy(() => e.assign(tf.clipByValue(e, lo, Math.min(hi, 3.4e38))));
  }

  private maybeRefresh(): boolean {
    if (!this.emb) return false;
    this.sinceRefresh += 1;
    if (this.sinceRefresh < this.live.refreshEvery) return false;
    this.sinceRefresh = 0;
    const { e, target } = this.emb;
    tf.tidy(() => target.assign(tf.clone(e)));
    return true;
  }

  /** Sequential roll-out from the start state (no learning). */
  async rollout(on: RolloutSet = 'heldout'): Promise<RolloutResult> {
    this.assertLive();
    const data = on === 'heldout' ? this.heldout : this.train;
    const stats = tf.tidy(() => {
      const r = readoutLoss(rollCell(this.cell, data).logits, data.targets, data.scored);
      return tf.stack([r.loss, r.correct, r.scored]);
    });
    const [loss = NaN, correct = 0, scored = 0] = await stats.data();
    stats.dispose();
    return { loss, accuracy: scored > 0 ? correct / scored : 0 };
  }

  /**
   * Host copies of the embeddings and the frozen target, [(T-1)*N*S] each,
   * and the mean ||e - s_rollout||^2 per transition: how far the embeddings
   * are from the states the current weights reach. Null in BPTT mode.
   */
  async readEmbeddings(): Promise<{ embeddings: Float32Array; target: Float32Array; rolloutGap: number } | null> {
    this.assertLive();
    const emb = this.emb;
    if (!emb) return null;
    const gap = tf.tidy(() => tf.div(tf.sum(tf.square(tf.sub(emb.e, rollCell(this.cell, this.train).states))), emb.e.shape[0]));
    const [embeddings, target, g] = await Promise.all([emb.e.data(), emb.target.data(), gap.data()]);
    gap.dispose();
    return { embeddings: embeddings as Float32Array, target: target as Float32Array, rolloutGap: g[0] as number };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.weightsOpt.dispose();
    if (this.emb) {
      this.emb.opt.dispose();
      tf.dispose([this.emb.e, this.emb.target]);
    }
    disposeSequenceSet(this.train);
    disposeSequenceSet(this.heldout);
    this.cell.dispose();
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('TransitionRun used after dispose()');
  }
}

export function createTransitionRun(input: TransitionRunInput): TransitionRun {
  return new TransitionRun(input);
}
