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
 * Multiple shooting (ours on top of the seed; Massaroli et al. 2021, "Differentiable
 * multiple shooting layers"): with `segmentLength` S each sequence splits into
 * M = ceil(T/S) segments; embeddings only at segment starts t = S, 2S, ...
 * (e_{i,0} stays the start state), BPTT inside a segment, the consistency term
 * at segment ends. All N*M segments run as one batch unrolled S steps, so the
 * sequential depth of a step is S, not T. S = 1 is the seed's form above;
 * S >= T is BPTT on the whole sequence (no embeddings left).
 *
 * Re-anchoring (`reanchor`, ours): at each refresh the frozen target is set
 * from a sequential roll-out of the current cell on the training sequences
 * ('target'), or target and embeddings both are ('states'), instead of from
 * the embeddings ('off', the seed's). It costs one depth-T pass every K steps.
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
import { sequentialDepth } from './transition-depth';

export const TRANSITION_MODES = ['transitions', 'bptt'] as const;
export type TransitionMode = (typeof TRANSITION_MODES)[number];

export const EMBEDDING_INITS = ['rollout', 'zeros'] as const;

/** Where a refresh takes the frozen target from: the embeddings (seed), or a roll-out of the current cell (target only, or embeddings too). */
export const REANCHOR_MODES = ['off', 'target', 'states'] as const;
export type ReanchorMode = (typeof REANCHOR_MODES)[number];

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
  /** S: symbols per shooting segment (1 = the seed's per-transition form; >= length = BPTT). */
  segmentLength: z.number().int().min(1).max(1024).default(1),
  /** Source of the frozen target at each refresh. */
  reanchor: z.enum(REANCHOR_MODES).default('off'),
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

/** Segments of a sequence of T symbols cut every S: their count M and the unrolled length (the last may be shorter, padded). */
export function segmentGeometry(length: number, segmentLength: number): { segments: number; steps: number } {
  const steps = Math.min(segmentLength, length);
  return { segments: Math.ceil(length / steps), steps };
}

/**
 * Multiple-shooting loss: lanes k*N + i run segment k of sequence i from
 * `e` (the start state for k = 0; `e` [(M-1)*N, S] rows (k-1)*N + i for
 * k >= 1) for S steps. The CE is over every scored symbol of the set (the
 * padding after T is unscored); the consistency is the mean over i and the
 * M-1 inner segment ends of ||s_end - target||^2, `target` constant as in
 * transitionLoss. S = 1 gives transitionLoss, S >= T bpttLoss (tested).
 */
export function segmentedLoss(cell: TransitionCell, e: tf.Tensor2D, target: tf.Tensor2D, data: SequenceSet, beta: number, segmentLength: number): TransitionLoss {
  const { sequences: N, length: T } = data;
  const { segments: M, steps: S } = segmentGeometry(T, segmentLength);
  const C = cell.inputSize;
  const pad = M * S - T;
  const x = pad > 0 ? tf.concat([data.x, tf.zeros([pad * N, C])]) : data.x;
  // [M, S, N, C] -> [S, M, N, C]: inner step j of every segment lane at once.
  const xs = tf.split<tf.Tensor2D>(tf.reshape(tf.transpose(tf.reshape(x, [M, S, N, C]), [1, 0, 2, 3]), [S * M * N, C]) as tf.Tensor2D, S);
  let s = transitionStates(cell, e, N);
  const logits: tf.Tensor2D[] = [];
  for (const xj of xs) {
    const out = cell.step(s, xj);
    s = out.next;
    logits.push(out.logits);
  }
  const K = cell.outputSize;
  const timeMajor = tf.reshape(tf.transpose(tf.reshape(tf.stack(logits), [S, M, N, K]), [1, 0, 2, 3]), [M * S * N, K]) as tf.Tensor2D;
  const r = readoutLoss(pad > 0 ? tf.slice(timeMajor, [0, 0], [T * N, K]) : timeMajor, data.targets, data.scored);
  const ends = (M - 1) * N;
  const consistency = ends > 0 ? (tf.div(tf.sum(tf.square(tf.sub(tf.slice(s, [0, 0], [ends, cell.stateSize]), target))), ends) as tf.Scalar) : tf.scalar(0);
  return { loss: tf.add(r.loss, tf.mul(consistency, beta)), consistency, ce: r.loss, correct: r.correct, scored: r.scored };
}

/** The rows of rollCell's `states` [(T-1)*N, S] at segment starts t = S, 2S, ..: [(M-1)*N, S]. */
export function segmentStartStates(states: tf.Tensor2D, sequences: number, length: number, segmentLength: number): tf.Tensor2D {
  const { segments: M, steps: S } = segmentGeometry(length, segmentLength);
  const rows: number[] = [];
  for (let k = 1; k < M; k++) for (let i = 0; i < sequences; i++) rows.push((k * S - 1) * sequences + i);
  return tf.gather(states, tf.tensor1d(rows, 'int32')) as tf.Tensor2D;
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
  /** Transitions mode with S < T only: e [(M-1)*N, S] (S = 1: [(T-1)*N, S]), its frozen copy, its optimiser. */
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
    // S >= T leaves no embeddings: the step is BPTT's.
    if (o.mode === 'transitions' && o.segmentLength < o.length) {
      const rows = (segmentGeometry(o.length, o.segmentLength).segments - 1) * o.sequences;
      const e = newVariable(() => (o.embeddingInit === 'rollout' ? this.anchorStates() : tf.zeros([rows, this.cell.stateSize])));
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
        const r = segmentedLoss(this.cell, emb.e as tf.Tensor2D, emb.target as tf.Tensor2D, this.train, beta, this.options.segmentLength);
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
    const mode = this.options.reanchor;
    tf.tidy(() => {
      if (mode === 'off') {
        target.assign(tf.clone(e));
        return;
      }
      const anchor = this.anchorStates();
      target.assign(anchor);
      if (mode === 'states') e.assign(anchor);
    });
    return true;
  }

  /** The states the current cell reaches at the segment starts of the training sequences (one sequential roll-out). */
  private anchorStates(): tf.Tensor2D {
    const o = this.options;
    return tf.tidy(() => segmentStartStates(rollCell(this.cell, this.train).states, o.sequences, o.length, o.segmentLength));
  }

  /** Sequential cell steps per train step: the segment length (BPTT: T), plus the amortised roll-out of re-anchoring. */
  get sequentialDepth(): number {
    return sequentialDepth(this.live);
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
   * Host copies of the embeddings and the frozen target, [(M-1)*N*S] each,
   * and the mean ||e - s_rollout||^2 and ||target - s_rollout||^2 per
   * segment start: how far each is from the states the current weights
   * reach there. Null without embeddings (BPTT, or S >= T).
   */
  async readEmbeddings(): Promise<{ embeddings: Float32Array; target: Float32Array; rolloutGap: number; targetGap: number } | null> {
    this.assertLive();
    const emb = this.emb;
    if (!emb) return null;
    const gaps = tf.tidy(() => {
      const anchor = this.anchorStates();
      const gap = (a: tf.Tensor): tf.Scalar => tf.div(tf.sum(tf.square(tf.sub(a, anchor))), emb.e.shape[0]);
      return tf.stack([gap(emb.e), gap(emb.target)]);
    });
    const [embeddings, target, g] = await Promise.all([emb.e.data(), emb.target.data(), gaps.data()]);
    gaps.dispose();
    return { embeddings: embeddings as Float32Array, target: target as Float32Array, rolloutGap: g[0] as number, targetGap: g[1] as number };
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
