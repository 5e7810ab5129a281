/**
 * The worker shell: owns the trainer, runs training at full speed, streams
 * display frames at display rate with one frame in flight, and answers
 * commands. Every trainer operation goes through one serial queue, so a
 * command never lands in the middle of a step. It talks through an Endpoint,
 * so Node tests drive it over a MessageChannel.
 */
import { createTrainer, trainerFromModel, type ModelDetail } from '../engine/model-registry';
import type { StepStats } from '../engine/training/step-result';
import type { LabTrainer } from '../engine/training/trainer-core';
import type { AnyLiveParams, BackendChoice, BackendName, Experiment } from '../protocol/experiment';
import {
  assertNever,
  transferablesOf,
  PROTOCOL_VERSION,
  type Endpoint,
  type FrameMessage,
  type FromWorker,
  type ToWorker,
  type TopologyEvent,
} from '../protocol/messages';
import { documentToModel, toModelDocument, type ModelDocument } from '../protocol/model-document';
import { yieldToEvents } from './yield-to-events';

/** Selects a tfjs backend; resolves to what runs and why. */
export type BackendSwitch = (choice: BackendChoice) => Promise<{ backend: BackendName; reason: string }>;

export interface LabWorkerOptions {
  /** Minimum ms between display frames. */
  readonly frameIntervalMs?: number;
  /** Symbols the probe lane runs per frame. */
  readonly probeSymbols?: number;
}

const FRAME_INTERVAL_MS = 150;
/** How often a running experiment is copied to the page for crash recovery. */
const CHECKPOINT_INTERVAL_MS = 20_000;
const PROBE_SYMBOLS = 2;

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
  private readonly frameIntervalMs: number;
  private readonly probeSymbols: number;

  constructor(
    private readonly endpoint: Endpoint<ToWorker, FromWorker>,
    private readonly switchBackend: BackendSwitch,
    options: LabWorkerOptions = {},
  ) {
    this.frameIntervalMs = options.frameIntervalMs ?? FRAME_INTERVAL_MS;
    this.probeSymbols = options.probeSymbols ?? PROBE_SYMBOLS;
    endpoint.addEventListener('message', (e) => this.onMessage(e.data));
  }

  private post(message: FromWorker, transfer: Transferable[] = []): void {
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
    switch (msg.type) {
      case 'hello':
        if (msg.version !== PROTOCOL_VERSION) {
          this.notice('error', `Protocol mismatch: page speaks ${msg.version}, worker ${PROTOCOL_VERSION}. Reload the page.`);
          return;
        }
        this.post({ type: 'ready', version: PROTOCOL_VERSION });
        return;
      case 'reset':
        void this.enqueue(() => this.start(msg.experiment));
        return;
      case 'play':
        this.playing = true;
        this.kick();
        return;
      case 'pause':
        this.playing = false;
        this.stepsLeft = 0;
        this.postStatus();
        return;
      case 'step':
        this.stepsLeft += Math.max(0, Math.floor(msg.steps));
        this.kick();
        return;
      case 'setParams':
        void this.enqueue(() => this.setParams(msg.params));
        return;
      case 'setBackend':
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
    const { backend, reason } = await this.switchBackend(choice);
    this.backend = backend;
    this.post({ type: 'backend', backend, reason });
  }

  private replaceTrainer(next: Trainer, experiment: Experiment, events: readonly TopologyEvent[] = []): void {
    this.trainer?.dispose();
    this.trainer = next;
    this.experiment = experiment;
    this.stepsSinceFrame = [];
    this.lastStats = null;
    this.postTopology(events);
    this.postStatus();
    this.frameDue = true;
  }

  private async start(experiment: Experiment): Promise<void> {
    await this.ensureBackend();
    this.replaceTrainer(await createTrainer(experiment), experiment);
    await this.sendFrameIfFree();
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
    const { backend, reason } = await this.switchBackend(choice);
    this.backend = backend;
    this.post({ type: 'backend', backend, reason });
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
    this.lastCheckpointAt = performance.now();
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
      next = await trainerFromModel(document.experiment, read.model, document.step);
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
    const t = this.trainer;
    if (!t || (!this.playing && this.stepsLeft === 0)) {
      this.looping = false;
      this.postStatus();
      await this.sendFrameIfFree();
      if (t) await this.postCheckpoint();
      return;
    }
    if (performance.now() - this.lastCheckpointAt >= CHECKPOINT_INTERVAL_MS) await this.postCheckpoint();
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
      this.postTopology([]);
    } else {
      this.stepsSinceFrame.push(result.stats);
      this.lastStats = result.stats;
      if (result.events.length > 0) this.postTopology(result.events);
    }
    this.frameDue = true;
    if (performance.now() - this.lastFrameAt >= this.frameIntervalMs) await this.sendFrameIfFree();
    await yieldToEvents();
    void this.enqueue(() => this.loopStep());
  }

  private async sendFrameIfFree(): Promise<void> {
    if (this.awaitingAck === null && this.frameDue) await this.sendFrame();
  }

  private async sendFrame(): Promise<void> {
    const t = this.trainer;
    if (!t || this.awaitingAck !== null) return;
    const trace = await t.probe(this.probeSymbols);
    const detail = await t.detail();
    const now = performance.now();
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
    this.frameDue = false;
    this.awaitingAck = frame.frameId;
    this.post(frame, transferablesOf(frame));
  }

  private postTopology(events: readonly TopologyEvent[]): void {
    const t = this.trainer;
    if (!t || !this.experiment) return;
    this.post({ type: 'topology', graph: t.currentGraph, events, experiment: this.experiment, step: t.step });
  }

  private postStatus(): void {
    this.post({ type: 'status', playing: this.looping && (this.playing || this.stepsLeft > 0), step: this.trainer?.step ?? 0 });
  }
}
