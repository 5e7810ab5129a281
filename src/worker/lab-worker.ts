/**
 * The worker shell: owns the trainer, runs training at full speed, streams
 * display frames at display rate with one frame in flight, and answers
 * commands. Every trainer operation goes through one serial queue, so a
 * command never lands in the middle of a step. It talks through an Endpoint,
 * so Node tests drive it over a MessageChannel.
 */
import * as tf from '@tensorflow/tfjs';
import { DATASETS } from '../engine/datasets/dataset-info';
import { installOwnData, ownDataSnapshot, restoreOwnData, type OwnDataFile } from '../protocol/own-data';
import { createTrainer, trainerFromModel, type ModelDetail } from '../engine/model-registry';
import type { StepStats } from '../engine/training/step-result';
import type { LabTrainer } from '../engine/training/trainer-core';
import type { AnyLiveParams, BackendChoice, BackendName, Experiment } from '../protocol/experiment';
import {
  assertNever,
  FAST_FRAME_FACTOR,
  FRAME_INTERVAL_MS,
  PROTOCOL_VERSION,
  slowFrameMs,
  transferablesOf,
  type Endpoint,
  type FrameMessage,
  type FromWorker,
  type Speed,
  type ToWorker,
  type TopologyEvent,
  type WorkerFault,
  type WorkerMemory,
} from '../protocol/messages';
import { documentToModel, toModelDocument, type ModelDocument } from '../protocol/model-document';
import { yieldToEvents } from './yield-to-events';

/** What a backend switch chose and why; `lost` resolves with a message if its GPU device is lost later (WebGPU). */
export interface BackendSelection {
  readonly backend: BackendName;
  readonly reason: string;
  readonly lost?: Promise<string> | undefined;
}

/** Selects a tfjs backend, never one of `exclude` (backends this page saw fail); resolves to what runs and why. */
export type BackendSwitch = (choice: BackendChoice, exclude?: readonly BackendName[]) => Promise<BackendSelection>;

export interface LabWorkerOptions {
  /** Minimum ms between display frames at normal speed. */
  readonly frameIntervalMs?: number;
  /** Symbols the probe lane runs per frame. */
  readonly probeSymbols?: number;
  /** Ms of training between held-out evaluations (at least nine times what the last one cost). */
  readonly heldOutIntervalMs?: number;
  /** Slow motion: ms between a frame of `ticks` ticks and the next step (default slowFrameMs). */
  readonly slowPaceMs?: (ticks: number) => number;
  /** The worker's clock in ms (tests pass a fake one). */
  readonly now?: () => number;
  /** Test faults the shell cannot do itself (throw, close, loseDevice; see WORKER_FAULTS); absent, they are ignored. */
  readonly injectFault?: (fault: Exclude<WorkerFault, 'silence'>) => void;
  /** What the worker holds in memory (tfjs, wasm, JS heap); absent, only what the shell knows. */
  readonly memory?: () => WorkerMemory;
}

/** How often the slow-motion loop looks again for the page's ack. */
const ACK_POLL_MS = 16;
/** Held-out evaluations about once a second of training, and never sooner than nine times the last one's cost after it: at most a tenth of the time. */
const HELD_OUT_INTERVAL_MS = 1000;
const HELD_OUT_GAP_FACTOR = 9;
/** How the status names a build: its dataset, or the network itself. */
function preparingPhrase(experiment: Experiment): string {
  if (experiment.task === 'own-csv') return 'Reading your CSV file';
  return Object.hasOwn(DATASETS, experiment.task) ? `Loading ${DATASETS[experiment.task as keyof typeof DATASETS].label}` : 'Building the network';
}

/** A dataset still loading after this long is named in the status ("Loading MNIST digits…"); quicker ones never flash. */
const LOADING_NOTICE_MS = 200;
/** How often a running experiment is copied to the page for crash recovery. */
const CHECKPOINT_INTERVAL_MS = 20_000;
const PROBE_SYMBOLS = 2;

/**
 * Whether a held-out evaluation is due `sinceMs` after the last one ended,
 * which cost `lastCostMs`: once `intervalMs` have passed and at least nine
 * times its cost, so evaluations take at most a tenth of the time.
 */
export function heldOutDue(sinceMs: number, lastCostMs: number, intervalMs = HELD_OUT_INTERVAL_MS): boolean {
  return sinceMs >= Math.max(intervalMs, HELD_OUT_GAP_FACTOR * lastCostMs);
}

/** Any model kind's trainer, as the worker drives it. */
type Trainer = LabTrainer<Experiment, unknown, ModelDetail>;

export class LabWorker {
  private trainer: Trainer | null = null;
  private experiment: Experiment | null = null;
  private backend: BackendName | null = null;
  private playing = false;
  private stepsLeft = 0;
  private looping = false;
  private queue: Promise<void> = Promise.resolve();
  private frameId = 0;
  private awaitingAck: number | null = null;
  private frameDue = false;
  private lastFrameAt = -Infinity;
  private stepsSinceFrame: StepStats[] = [];
  private lastStats: StepStats | null = null;
  private lastCheckpointAt = 0;
  private speed: Speed = 'normal';
  /** Slow motion: no step before this time (the view plays the last frame's ticks). */
  private nextStepAt = -Infinity;
  /** The dataset being loaded, once LOADING_NOTICE_MS have passed; null otherwise. */
  private loading: string | null = null;
  /** What a reset or import in flight prepares (said at once to a Play pressed meanwhile), or null. */
  private preparing: string | null = null;
  /** The current trainer's last held-out evaluation: its step, when it ended and what it cost. */
  private heldOutStep: number | null = null;
  private heldOutEndedAt = -Infinity;
  private heldOutMs = 0;
  private readonly frameIntervalMs: number;
  private readonly probeSymbols: number;
  private readonly heldOutIntervalMs: number;
  private readonly slowPaceMs: (ticks: number) => number;
  private readonly now: () => number;
  private readonly injectFault: LabWorkerOptions['injectFault'];
  private readonly memory: LabWorkerOptions['memory'];
  /** Backends the page saw fail; never chosen again. */
  private exclude: readonly BackendName[] = [];
  /** Counts backend switches, so a device lost after a switch away is not reported. */
  private backendGeneration = 0;
  /** Silent for good: its device was lost, or a test silenced it. It answers nothing and posts nothing. */
  private dead = false;

  constructor(
    private readonly endpoint: Endpoint<ToWorker, FromWorker>,
    private readonly switchBackend: BackendSwitch,
    options: LabWorkerOptions = {},
  ) {
    this.frameIntervalMs = options.frameIntervalMs ?? FRAME_INTERVAL_MS;
    this.probeSymbols = options.probeSymbols ?? PROBE_SYMBOLS;
    this.heldOutIntervalMs = options.heldOutIntervalMs ?? HELD_OUT_INTERVAL_MS;
    this.slowPaceMs = options.slowPaceMs ?? ((ticks) => slowFrameMs(ticks));
    this.now = options.now ?? (() => performance.now());
    this.injectFault = options.injectFault;
    this.memory = options.memory;
    endpoint.addEventListener('message', (e) => this.onMessage(e.data));
  }

  private post(message: FromWorker, transfer: Transferable[] = []): void {
    if (this.dead) return;
    this.endpoint.postMessage(message, transfer);
  }

  private notice(level: 'info' | 'warning' | 'error', message: string): void {
    this.post({ type: 'notice', level, message });
  }

  /** Runs `task` after everything queued before it; a failure becomes a notice, never a dead queue. */
  private enqueue(task: () => Promise<void> | void): Promise<void> {
    this.queue = this.queue.then(task).catch((e: unknown) => {
      this.playing = false;
      this.stepsLeft = 0;
      this.notice('error', `Worker error: ${e instanceof Error ? e.message : String(e)}`);
      this.postStatus();
    });
    return this.queue;
  }

  private onMessage(msg: ToWorker): void {
    if (this.dead) return;
    switch (msg.type) {
      case 'ping':
        this.post({ type: 'pong', id: msg.id });
        return;
      case 'testFault':
        if (msg.fault === 'silence') this.goSilent();
        else this.injectFault?.(msg.fault);
        return;
      case 'memory':
        // Between steps, so the counts are not caught mid-step.
        void this.enqueue(() => {
          const report = (this.backend !== null ? this.memory?.() : undefined) ?? { numTensors: -1, numBytes: -1, wasmHeapBytes: null, jsHeapBytes: null };
          this.post({ type: 'memory', requestId: msg.requestId, report });
        });
        return;
      case 'hello':
        if (msg.version !== PROTOCOL_VERSION) {
          this.notice('error', `Protocol mismatch: page speaks ${msg.version}, worker ${PROTOCOL_VERSION}. Reload the page.`);
          return;
        }
        this.post({ type: 'ready', version: PROTOCOL_VERSION });
        return;
      case 'reset':
        this.preparing = preparingPhrase(msg.experiment);
        void this.enqueue(() => this.start(msg.experiment, msg.data));
        return;
      case 'play':
        this.playing = true;
        this.kick();
        // No trainer yet (a dataset loading): the press is kept and said at once, however quick the build; replaceTrainer starts the loop.
        if (!this.looping) {
          if (this.preparing !== null) this.loading = this.preparing;
          this.postStatus();
        }
        return;
      case 'pause':
        this.playing = false;
        this.stepsLeft = 0;
        this.postStatus();
        return;
      case 'step':
        this.stepsLeft += Math.max(0, Math.floor(msg.steps));
        this.kick();
        if (!this.looping) this.postStatus();
        return;
      case 'setSpeed':
        this.speed = msg.speed;
        return;
      case 'setParams':
        void this.enqueue(() => this.setParams(msg.params));
        return;
      case 'setBackend':
        this.exclude = msg.exclude ?? [];
        void this.enqueue(() => this.changeBackend(msg.backend));
        return;
      case 'ack':
        if (msg.frameId === this.awaitingAck) this.awaitingAck = null;
        if (this.frameDue && !this.looping) void this.enqueue(() => this.sendFrame());
        return;
      case 'export':
        void this.enqueue(() => this.exportDocument(msg.requestId));
        return;
      case 'import':
        void this.enqueue(() => this.importDocument(msg.requestId, msg.document));
        return;
      case 'predict':
        void this.enqueue(async () => {
          const probabilities = await this.requireTrainer().predict();
          this.post({ type: 'predicted', requestId: msg.requestId, probabilities }, [probabilities.buffer as ArrayBuffer]);
        });
        return;
      default:
        assertNever(msg);
    }
  }

  private requireTrainer(): Trainer {
    if (!this.trainer) throw new Error('no experiment is running yet');
    return this.trainer;
  }

  private async ensureBackend(choice: BackendChoice = 'auto'): Promise<void> {
    if (this.backend) return;
    await this.useBackend(choice);
  }

  /** Switches the backend, says which, and watches its device: a lost one is reported once and this worker goes silent. */
  private async useBackend(choice: BackendChoice): Promise<void> {
    const generation = ++this.backendGeneration;
    const { backend, reason, lost } = await this.switchBackend(choice, this.exclude);
    this.backend = backend;
    this.post({ type: 'backend', backend, reason });
    void lost?.then((message) => {
      if (generation !== this.backendGeneration || this.dead) return;
      this.post({ type: 'deviceLost', backend, message });
      this.goSilent();
    });
  }

  /** Stops for good: nothing runs, answers or posts again (the page replaces this worker). */
  private goSilent(): void {
    this.dead = true;
    this.playing = false;
    this.stepsLeft = 0;
  }

  /** Puts `next` in place; a Play or Step pressed while there was none (a dataset loading, a backend switch) starts it now. */
  private replaceTrainer(next: Trainer, experiment: Experiment, events: readonly TopologyEvent[] = []): void {
    this.trainer?.dispose();
    this.trainer = next;
    this.experiment = experiment;
    this.stepsSinceFrame = [];
    this.lastStats = null;
    this.heldOutStep = null;
    this.heldOutEndedAt = -Infinity;
    this.postTopology(events);
    this.frameDue = true;
    if (this.playing || this.stepsLeft > 0) this.kick();
    this.postStatus();
  }

  /** A new trainer for `experiment`; `data`, the own data set it reads, is installed first (and put back if the build fails). */
  private async start(experiment: Experiment, data?: OwnDataFile): Promise<void> {
    await this.ensureBackend();
    const next = await this.withData(data, () => this.whileLoading(experiment, () => createTrainer(experiment)));
    this.replaceTrainer(next, experiment);
    await this.sendFrameIfFree();
  }

  /** Installs an own data set for a build; a refused file or a failed build leaves the data sets as they were. */
  private async withData<T>(data: OwnDataFile | undefined, build: () => Promise<T>): Promise<T> {
    if (!data) return build();
    const before = ownDataSnapshot();
    try {
      installOwnData(data);
      return await build();
    } catch (e) {
      restoreOwnData(before);
      throw e;
    }
  }

  /** Runs `build`, and says what it prepares (the dataset, or a big network) in the status if it takes longer than LOADING_NOTICE_MS. */
  private async whileLoading<T>(experiment: Experiment, build: () => Promise<T>): Promise<T> {
    const doing = preparingPhrase(experiment);
    this.preparing = doing;
    const timer = setTimeout(() => {
      this.loading = doing;
      this.postStatus();
    }, LOADING_NOTICE_MS);
    try {
      return await build();
    } finally {
      clearTimeout(timer);
      this.preparing = null;
      if (this.loading !== null) {
        this.loading = null;
        this.postStatus();
      }
    }
  }

  private setParams(params: AnyLiveParams): void {
    const t = this.requireTrainer();
    t.setLiveParams(params);
    this.experiment = t.currentExperiment;
  }

  private async changeBackend(choice: BackendChoice): Promise<void> {
    const old = this.trainer;
    const experiment = this.experiment;
    const rebuild = old ? await old.suspend() : null;
    old?.dispose();
    this.trainer = null;
    await this.useBackend(choice);
    if (rebuild && experiment) {
      this.replaceTrainer(rebuild(), experiment);
      await this.sendFrameIfFree();
    }
  }

  private async currentDocument(): Promise<ModelDocument> {
    const t = this.requireTrainer();
    const model = await t.exportModel();
    const metrics = { loss: this.lastStats?.loss ?? null, accuracy: this.lastStats?.accuracy ?? null };
    return toModelDocument(this.experiment as Experiment, model, t.step, metrics);
  }

  private async exportDocument(requestId: number): Promise<void> {
    this.post({ type: 'exported', requestId, document: await this.currentDocument() });
  }

  private async postCheckpoint(): Promise<void> {
    this.lastCheckpointAt = this.now();
    this.post({ type: 'checkpoint', document: await this.currentDocument() });
  }

  private async importDocument(requestId: number, document: ModelDocument): Promise<void> {
    await this.ensureBackend();
    const read = documentToModel(document);
    if (typeof read === 'string') {
      this.post({ type: 'importFailed', requestId, message: read });
      return;
    }
    let next: Trainer;
    try {
      next = await this.withData(read.data?.file, () => this.whileLoading(document.experiment, () => trainerFromModel(document.experiment, read.model, document.step)));
    } catch (e) {
      this.post({ type: 'importFailed', requestId, message: `The network could not be built: ${(e as Error).message}` });
      return;
    }
    this.playing = false;
    this.stepsLeft = 0;
    this.replaceTrainer(next, document.experiment);
    this.post({ type: 'imported', requestId, ok: true });
    await this.sendFrameIfFree();
  }

  /** Starts the train loop if it is not running. */
  private kick(): void {
    if (this.looping || !this.trainer) return;
    this.looping = true;
    this.postStatus();
    void this.enqueue(() => this.loopStep());
  }

  private async loopStep(): Promise<void> {
    if (this.dead) {
      this.looping = false;
      return;
    }
    const t = this.trainer;
    if (!t || (!this.playing && this.stepsLeft === 0)) {
      this.looping = false;
      this.postStatus();
      // The curve ends where training stopped.
      if (t && this.heldOutStep !== t.step) await this.evaluateHeldOut(t);
      await this.sendFrameIfFree();
      if (t) await this.postCheckpoint();
      return;
    }
    if (this.speed === 'slow') {
      // One step per frame: wait for the ack and for the view to play the last frame's ticks, off the queue so commands still land.
      const wait = this.awaitingAck !== null ? ACK_POLL_MS : this.nextStepAt - this.now();
      if (wait > 0) {
        setTimeout(() => void this.enqueue(() => this.loopStep()), wait);
        return;
      }
    }
    // The curve starts where training starts.
    if (this.heldOutStep === null) await this.evaluateHeldOut(t);
    if (this.now() - this.lastCheckpointAt >= CHECKPOINT_INTERVAL_MS) await this.postCheckpoint();
    const result = await t.trainStep();
    if (this.stepsLeft > 0) this.stepsLeft -= 1;
    if (result.rolledBack) {
      this.playing = false;
      this.stepsLeft = 0;
      this.stepsSinceFrame = [];
      this.notice(
        'warning',
        `Training paused: ${result.rolledBack.reason}. Rolled back to the checkpoint at step ${result.rolledBack.toStep}; lower the learning rate and press Play.`,
      );
      this.postTopology([], result.rolledBack.reason);
    } else {
      this.stepsSinceFrame.push(result.stats);
      this.lastStats = result.stats;
      if (result.events.length > 0) this.postTopology(result.events);
    }
    this.frameDue = true;
    if (heldOutDue(this.now() - this.heldOutEndedAt, this.heldOutMs, this.heldOutIntervalMs)) await this.evaluateHeldOut(t);
    if (this.speed === 'slow' || this.now() - this.lastFrameAt >= this.frameGapMs()) await this.sendFrameIfFree();
    await yieldToEvents();
    void this.enqueue(() => this.loopStep());
  }

  /** Least ms between frames at the current speed (slow motion paces by ticks instead; see sendFrame). */
  private frameGapMs(): number {
    return this.speed === 'fast' ? this.frameIntervalMs * FAST_FRAME_FACTOR : this.frameIntervalMs;
  }

  /** Held-out loss and accuracy now, posted at once (a small message, outside the frames' back-pressure). */
  private async evaluateHeldOut(t: Trainer): Promise<void> {
    const started = this.now();
    const h = await t.heldOut();
    const ended = this.now();
    this.heldOutStep = t.step;
    this.heldOutEndedAt = ended;
    this.heldOutMs = ended - started;
    if (h) this.post({ type: 'heldOut', point: { ...h, ms: this.heldOutMs } });
  }

  private async sendFrameIfFree(): Promise<void> {
    if (this.awaitingAck === null && this.frameDue) await this.sendFrame();
  }

  private async sendFrame(): Promise<void> {
    const t = this.trainer;
    if (!t || this.awaitingAck !== null) return;
    const trace = await t.probe(this.probeSymbols);
    const detail = await t.detail();
    const now = this.now();
    const paceMs = this.speed === 'slow' ? this.slowPaceMs(trace.ticks) : this.frameGapMs();
    const stats = this.stepsSinceFrame;
    const elapsed = now - this.lastFrameAt;
    const visits = t.visits;
    const frame: FrameMessage = {
      type: 'frame',
      frameId: ++this.frameId,
      step: t.step,
      tick: t.tick,
      stepsPerSecond: Number.isFinite(elapsed) && elapsed > 0 ? (stats.length * 1000) / elapsed : 0,
      stepNumbers: Float64Array.from(stats, (s) => s.step),
      losses: Float32Array.from(stats, (s) => s.loss),
      accuracies: Float32Array.from(stats, (s) => s.accuracy),
      stepMs: Float32Array.from(stats, (s) => s.ms),
      nodeIds: trace.nodeIds,
      slotEdge: trace.slotEdge,
      ticks: trace.ticks,
      K: trace.K,
      activity: trace.activity,
      gates: trace.gates,
      active: trace.active,
      threads: trace.threads,
      reads: trace.reads,
      visitShare: Float32Array.from(trace.nodeIds, (id) => visits.get(id) ?? 0),
      detail,
    };
    this.stepsSinceFrame = [];
    this.lastFrameAt = now;
    this.nextStepAt = now + paceMs;
    this.frameDue = false;
    this.awaitingAck = frame.frameId;
    this.post(frame, transferablesOf(frame));
  }

  private postTopology(events: readonly TopologyEvent[], rolledBack?: string): void {
    const t = this.trainer;
    if (!t || !this.experiment) return;
    this.post({ type: 'topology', graph: t.currentGraph, events, experiment: this.experiment, step: t.step, ...(rolledBack !== undefined ? { rolledBack } : {}) });
  }

  /** `playing` is the intent: a Play pressed before the trainer exists counts, and the loop starts when it does. */
  private postStatus(): void {
    // tfjs has no engine to ask before the first backend is up (a Play pressed at page load comes that early).
    const tensors = this.backend === null ? undefined : tf.memory().numTensors;
    this.post({ type: 'status', playing: this.playing || this.stepsLeft > 0, step: this.trainer?.step ?? 0, loading: this.loading, ...(tensors === undefined ? {} : { tensors }) });
  }
}
