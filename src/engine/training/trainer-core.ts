/**
 * The bookkeeping every lab trainer shares, written once: step and tick
 * counters, periodic checkpoints, rollback on a non-finite loss or gradient
 * (with the message the lab shows), live parameters, and suspend / rebuild
 * for a backend switch. A model's trainer extends it and fills in the hooks:
 * one step of its learning rule, a checkpoint of its own state, how new
 * parameters apply, and how it rebuilds itself from a host copy.
 */
import type { Graph } from '../graph';
import { evaluationBatch, heldOutMetrics, isSequenceTask, type HeldOutEval, type HeldOutPredictions } from './held-out';
import type { ProbeTrace } from './probe-trace';
import type { StepResult, TopologyEvent } from './step-result';

/** Train steps between periodic checkpoints. */
export const CHECKPOINT_EVERY = 25;

/** Counters before the step being run: steps and ticks done so far. */
export interface StepAt {
  readonly step: number;
  readonly tick: number;
}

/** What one step of a model's learning rule reports to the core. */
export interface RawStep {
  readonly loss: number;
  readonly accuracy: number;
  /** Global gradient norm before clipping; null where the rule takes no gradient. */
  readonly gradNorm: number | null;
  /** Ticks the step ran (a feed-forward step is one tick; DNA counts epochs). */
  readonly ticks: number;
  readonly events: readonly TopologyEvent[];
  /** A natural point to checkpoint at (DNA: an epoch ended), besides the periodic ones. */
  readonly boundary?: boolean;
}

/** A restorable copy of a model's state, taken by the model. */
export interface ModelCheckpoint {
  restore(): void;
  dispose(): void;
}

/** The experiment shape every model shares; each model kind narrows model, task and params. */
export interface ExperimentShape {
  readonly model: string;
  readonly task: string;
  readonly seed: number;
  readonly params: object;
}

/** What the worker drives: one running experiment of any model kind. */
export interface LabTrainer<E extends ExperimentShape = ExperimentShape, H = unknown, D = unknown> {
  readonly step: number;
  readonly tick: number;
  readonly currentGraph: Graph;
  /** Visit share per node id. */
  readonly visits: ReadonlyMap<number, number>;
  /** The experiment with its live parameters as they are now. */
  readonly currentExperiment: E;
  /** Applies the live keys of `live`; other keys are ignored (they need a new trainer). */
  setLiveParams(live: Partial<E['params']>): void;
  trainStep(): Promise<StepResult>;
  /** The graph view's trace of a probe lane over `symbols` symbols. */
  probe(symbols: number): Promise<ProbeTrace>;
  /** The model's own view data, or null when the graph view says it all. */
  detail(): Promise<D>;
  /** Class probabilities on the experiment's fixed evaluation data: equal networks give equal numbers. */
  predict(): Promise<Float32Array>;
  /** Loss and accuracy on data it never trains on (held-out.ts); null when the task has none. */
  heldOut(): Promise<HeldOutEval | null>;
  /** The trained network on the host (export). */
  exportModel(): Promise<H>;
  /** Host copy of everything; the function rebuilds an equal trainer on the backend current when it is called. */
  suspend(): Promise<() => LabTrainer<E, H, D>>;
  dispose(): void;
}

export abstract class TrainerCore<E extends ExperimentShape, H, D> implements LabTrainer<E, H, D> {
  protected params: E['params'];
  private stepCount: number;
  private tickCount: number;
  private saved: { readonly cp: ModelCheckpoint; readonly at: StepAt } | null = null;
  private disposed = false;

  protected constructor(
    readonly experiment: E,
    /** Parameters that may change while it runs. */
    private readonly liveKeys: readonly (keyof E['params'])[],
    start: StepAt = { step: 0, tick: 0 },
  ) {
    this.params = experiment.params;
    this.stepCount = start.step;
    this.tickCount = start.tick;
  }

  get step(): number {
    return this.stepCount;
  }
  get tick(): number {
    return this.tickCount;
  }
  get currentExperiment(): E {
    return { ...this.experiment, params: this.params };
  }

  abstract get currentGraph(): Graph;
  abstract get visits(): ReadonlyMap<number, number>;
  abstract probe(symbols: number): Promise<ProbeTrace>;
  abstract detail(): Promise<D>;
  abstract predict(): Promise<Float32Array>;
  abstract exportModel(): Promise<H>;

  /** One step of the learning rule; the core owns the counters, checkpoints and rollback. */
  protected abstract runStep(at: StepAt): Promise<RawStep>;
  /** A copy of everything a rollback must put back (weights, optimiser, the model's own progress). */
  protected abstract checkpointModel(): Promise<ModelCheckpoint>;
  /** Makes the model use `params` (after a live change). */
  protected abstract applyParams(params: E['params']): void;
  /** Host copy of everything; the function rebuilds an equal trainer at `at` on the backend current then. */
  protected abstract suspendModel(): Promise<(at: StepAt) => TrainerCore<E, H, D>>;
  protected abstract disposeModel(): void;

  async heldOut(): Promise<HeldOutEval | null> {
    this.assertLive();
    const set = await this.heldOutPredictions();
    return set && { step: this.stepCount, ...heldOutMetrics(set.probabilities, set.targets) };
  }

  /**
   * What heldOut() scores. Sequence tasks: predict() on the fixed evaluation
   * stream (evaluationBatch, the rows predict() returns). A classification
   * trainer overrides it with rows of its test split (heldOutRows).
   */
  protected async heldOutPredictions(): Promise<HeldOutPredictions | null> {
    const { task, seed } = this.experiment;
    if (!isSequenceTask(task)) return null;
    return { probabilities: await this.predict(), targets: evaluationBatch(task, seed).targets };
  }

  setLiveParams(live: Partial<E['params']>): void {
    const next: Record<string, unknown> = { ...(this.params as Record<string, unknown>) };
    const given = live as Record<string, unknown>;
    let changed = false;
    for (const key of this.liveKeys as readonly string[]) {
      if (!Object.hasOwn(given, key) || given[key] === undefined) continue;
      next[key] = given[key];
      changed = true;
    }
    if (!changed) return;
    this.params = next;
    this.applyParams(this.params);
  }

  trainStep(): Promise<StepResult> {
    return this.train((at) => this.runStep(at));
  }

  /**
   * Runs one step through the bookkeeping: checkpoint before the first, roll
   * back on a non-finite loss or gradient, checkpoint after births and
   * deaths, at the model's boundaries and every CHECKPOINT_EVERY steps.
   */
  protected async train(run: (at: StepAt) => Promise<RawStep>): Promise<StepResult> {
    this.assertLive();
    const started = performance.now();
    if (!this.saved) await this.saveCheckpoint();
    const r = await run({ step: this.stepCount, tick: this.tickCount });
    this.stepCount += 1;
    this.tickCount += r.ticks;
    const stats = { step: this.stepCount, tick: this.tickCount, loss: r.loss, accuracy: r.accuracy, gradNorm: r.gradNorm, ms: 0 };
    const bad = !Number.isFinite(r.loss) ? 'loss' : r.gradNorm !== null && !Number.isFinite(r.gradNorm) ? 'gradient' : null;
    if (bad) {
      const failedAt = this.stepCount;
      const toStep = this.rollback();
      return { stats: { ...stats, accuracy: 0, ms: performance.now() - started }, events: [], rolledBack: { reason: `non-finite ${bad} at step ${failedAt}`, toStep } };
    }
    if (r.events.length > 0 || r.boundary === true || this.stepCount % CHECKPOINT_EVERY === 0) await this.saveCheckpoint();
    return { stats: { ...stats, ms: performance.now() - started }, events: r.events };
  }

  private async saveCheckpoint(): Promise<void> {
    const cp = await this.checkpointModel();
    this.saved?.cp.dispose();
    this.saved = { cp, at: { step: this.stepCount, tick: this.tickCount } };
  }

  /** Back to the last checkpoint; returns its step. */
  private rollback(): number {
    const s = this.saved;
    if (!s) return this.stepCount;
    s.cp.restore();
    this.stepCount = s.at.step;
    this.tickCount = s.at.tick;
    return s.at.step;
  }

  async suspend(): Promise<() => TrainerCore<E, H, D>> {
    this.assertLive();
    const rebuild = await this.suspendModel();
    const at: StepAt = { step: this.stepCount, tick: this.tickCount };
    return () => rebuild(at);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.saved?.cp.dispose();
    this.saved = null;
    this.disposeModel();
  }

  protected assertLive(): void {
    if (this.disposed) throw new Error(`${this.experiment.model} trainer used after dispose()`);
  }
}
