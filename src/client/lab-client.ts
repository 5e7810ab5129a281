/**
 * The main-thread side of the worker: sends commands, routes frames and
 * topology to the views' sinks, keeps slow stats in the store, and owns the
 * request/response pairs (export, import, predict).
 */
import { descriptorOf, experimentSchema, isLiveChange, liveParams, type BackendChoice, type BackendName, type Experiment } from '../protocol/experiment';
import {
  assertNever,
  PROTOCOL_VERSION,
  silentDeadlineMs,
  type Endpoint,
  type FrameMessage,
  type FromWorker,
  type Graph,
  type HeldOutPoint,
  type Speed,
  type ToWorker,
  type TopologyEvent,
  type WorkerFault,
  type WorkerMemory,
} from '../protocol/messages';
import { parseModelDocument, type ModelDocument } from '../protocol/model-document';
import { installOwnData, ownDataFor, ownDataRefusal, ownKindOf, ownTaskOf, parseOwnData, type OwnDataFile, type OwnDataSummary } from '../protocol/own-data';
import { errorSentences } from '../protocol/schema-sentences';
import type { LabStore } from '../store/lab-store';
import { browserClock, Heartbeat, type HeartbeatClock } from './heartbeat';
import { RecentStepTimes } from './recent-step-times';

export interface TopologyUpdate {
  readonly graph: Graph;
  readonly events: readonly TopologyEvent[];
  readonly experiment: Experiment;
  readonly step: number;
  /** Why the worker rolled back to this network (a non-finite step), when it did. */
  readonly rolledBack?: string;
}

type Listener<T> = (value: T) => void;

/** A worker that is gone without an error event: silent past the heartbeat's deadline, or its GPU device lost. */
export type WorkerLoss =
  | { readonly kind: 'silent'; readonly silentMs: number }
  | { readonly kind: 'deviceLost'; readonly backend: BackendName; readonly message: string };

/** The silence allowed while the worker builds a network or loads a dataset (which may block it for long stretches). */
const SILENT_WHILE_LOADING_MS = 120_000;

/** Schedules the frame ack; the browser acks on the next animation frame so a hidden tab stops the stream. */
export type AckScheduler = (ack: () => void) => void;

/** Held-out points kept for a chart that mounts late (about an hour of training at one a second). */
const MAX_HELD_OUT_POINTS = 4000;

const defaultAckScheduler: AckScheduler = (ack) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => ack());
  else setTimeout(ack, 0);
};

interface Pending<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

export class LabClient {
  private readonly frameListeners = new Set<Listener<FrameMessage>>();
  private readonly topologyListeners = new Set<Listener<TopologyUpdate>>();
  private readonly heldOutListeners = new Set<Listener<HeldOutPoint>>();
  private readonly checkpointListeners = new Set<Listener<ModelDocument>>();
  private readonly ownDataListeners = new Set<Listener<OwnDataSummary>>();
  private heldOutSeries: HeldOutPoint[] = [];
  private readonly pending = new Map<number, Pending<unknown>>();
  private nextRequestId = 1;
  private latestTopology: TopologyUpdate | null = null;
  private latestFrame: FrameMessage | null = null;
  private hops = 0;
  private births = 0;
  private deaths = 0;
  private checkpoint: ModelDocument | null = null;
  private workerTensorCount: number | null = null;
  private endpoint: Endpoint<FromWorker, ToWorker>;
  private readonly listener = (e: MessageEvent<FromWorker>): void => this.onMessage(e.data);
  /** Backends that lost their device on this page: every new worker is told to skip them. */
  private readonly excludedBackends = new Set<BackendName>();
  private heartbeat: Heartbeat | null = null;
  private onLoss: ((loss: WorkerLoss) => void) | null = null;
  /** The slowest recent step (ms), decaying: the heartbeat's deadline grows with it. */
  private slowStepMs = 0;
  /** A reset or import was sent and its network is not there yet: a build may block the worker before it can say so. */
  private building = false;
  /** The running network's recent step times, and the experiment they ran (store.measuredStep). */
  private readonly stepTimes = new RecentStepTimes();
  private timedExperiment: Experiment | null = null;

  constructor(
    endpoint: Endpoint<FromWorker, ToWorker>,
    readonly store: LabStore,
    private readonly scheduleAck: AckScheduler = defaultAckScheduler,
  ) {
    this.endpoint = endpoint;
    endpoint.addEventListener('message', this.listener);
  }

  /**
   * Moves to a new worker after the old one crashed or stopped: pending
   * requests fail, the new worker resumes from the last checkpoint (or
   * restarts the experiment when there is none). Live changes made since the
   * checkpoint (a learning rate) do not orphan it: the worker resumes from it
   * and the live values apply again. Returns the step it resumed from.
   */
  reconnect(endpoint: Endpoint<FromWorker, ToWorker>): number {
    this.endpoint.removeEventListener('message', this.listener);
    for (const p of this.pending.values()) p.reject(new Error('the training worker stopped'));
    this.pending.clear();
    this.endpoint = endpoint;
    endpoint.addEventListener('message', this.listener);
    this.heartbeat?.reset();
    this.slowStepMs = 0;
    this.stepTimes.reset();
    this.handshake();
    const { experiment } = this.store.getState();
    const cp = this.checkpoint;
    // A checkpoint of another own file (one uploaded since) is not this experiment, whatever its task id says.
    const sameData = (cp?.data?.text ?? null) === (ownDataFor(experiment.task)?.file.text ?? null);
    if (cp && sameData && (JSON.stringify(cp.experiment) === JSON.stringify(experiment) || isLiveChange(cp.experiment, experiment))) {
      this.send({ type: 'import', requestId: this.nextRequestId++, document: cp });
      if (JSON.stringify(cp.experiment.params) !== JSON.stringify(experiment.params)) this.send({ type: 'setParams', params: liveParams(experiment) });
      return cp.step;
    }
    this.sendReset(experiment);
    return 0;
  }

  /** Handshake, then the store's backend choice, speed and experiment. */
  start(): void {
    this.handshake();
    this.sendReset(this.store.getState().experiment);
  }

  /** A reset, carrying the own data set when the experiment's task reads one (each worker installs it before it builds). */
  private sendReset(experiment: Experiment): void {
    const data = ownDataFor(experiment.task);
    this.send({ type: 'reset', experiment, ...(data ? { data: data.file } : {}) });
  }

  /**
   * The own data set the current experiment trains on (a text for own-text,
   * a CSV for own-csv), or null on a built-in task. The run store keeps it
   * with the run; model documents (exports, checkpoints) carry it already.
   */
  get ownData(): OwnDataFile | null {
    return ownDataFor(this.store.getState().experiment.task)?.file ?? null;
  }

  /** The current own data set's name, content hash and sizes, or null on a built-in task. */
  get ownDataSummary(): OwnDataSummary | null {
    return ownDataFor(this.store.getState().experiment.task)?.summary ?? null;
  }

  /** Each own data set put to use (an upload, or an import that carries one). */
  onOwnData(listener: Listener<OwnDataSummary>): () => void {
    this.ownDataListeners.add(listener);
    return () => this.ownDataListeners.delete(listener);
  }

  /**
   * Trains the current model on a person's own file: a text for sequence
   * models, a CSV for DNA cells and routing modules. A file that cannot be
   * used changes nothing (same experiment, training goes on) and the alert
   * says why. Returns the problem, or null.
   */
  loadOwnData(file: OwnDataFile): string | null {
    const refuse = (problem: string): string => {
      this.store.getState().setAlert(ownDataRefusal(file.kind, file.name, problem));
      return problem;
    };
    const { experiment } = this.store.getState();
    const family = descriptorOf(experiment.model).family;
    if ((file.kind === 'text') !== (family === 'sequence')) {
      return refuse(file.kind === 'text' ? `a text file makes a next-character task, which ${experiment.model} does not run (pick a sequence model)` : `a CSV file makes a classification dataset, which ${experiment.model} does not run (pick DNA cells or routing modules)`);
    }
    const parsed = parseOwnData(file);
    if ('problem' in parsed) return refuse(parsed.problem);
    installOwnData(file);
    const next = { ...experiment, task: ownTaskOf(file.kind) } as Experiment;
    this.store.getState().setAlert(null);
    this.store.getState().setExperiment(next);
    // Always a restart: the task id may be the same while the file is new.
    this.sendReset(next);
    for (const l of this.ownDataListeners) l(parsed.summary);
    return null;
  }

  /** Hello, the backend choice (with the backends to skip) and the speed. */
  private handshake(): void {
    this.send({ type: 'hello', version: PROTOCOL_VERSION });
    const { backendChoice, speed } = this.store.getState();
    const exclude = [...this.excludedBackends];
    if (backendChoice !== 'auto' || exclude.length > 0) this.send({ type: 'setBackend', backend: backendChoice, ...(exclude.length > 0 ? { exclude } : {}) });
    if (speed !== 'normal') this.send({ type: 'setSpeed', speed });
  }

  /**
   * Watches for a worker that is gone without an error event (see
   * heartbeat.ts) or lost its GPU device, and calls `onLoss` once for each;
   * the caller replaces the worker (reconnect). Off by default, so tests
   * over a MessageChannel run no timers.
   */
  watchWorker(onLoss: (loss: WorkerLoss) => void, clock: HeartbeatClock = browserClock): void {
    this.onLoss = onLoss;
    this.heartbeat?.stop();
    this.heartbeat = new Heartbeat(
      (id) => this.send({ type: 'ping', id }),
      (silentMs) => this.onLoss?.({ kind: 'silent', silentMs }),
      () => (this.building || this.store.getState().loading !== null ? SILENT_WHILE_LOADING_MS : silentDeadlineMs(this.slowStepMs)),
      clock,
    );
    this.heartbeat.start();
  }

  /** Stops watching (the page gave up on the worker). */
  stopWatching(): void {
    this.heartbeat?.stop();
    this.heartbeat = null;
    this.onLoss = null;
  }

  /** The step of the last checkpoint the worker sent (what a new worker would resume from), or null. */
  get checkpointStep(): number | null {
    return this.checkpoint?.step ?? null;
  }

  /** Test hook: deals the worker a fault (WORKER_FAULTS); only window.__loopyLab.injectFault calls it. */
  injectFault(fault: WorkerFault): void {
    this.send({ type: 'testFault', fault });
  }

  private send(msg: ToWorker): void {
    if (msg.type === 'reset' || msg.type === 'import') this.building = true;
    this.endpoint.postMessage(msg);
  }

  get topology(): TopologyUpdate | null {
    return this.latestTopology;
  }
  get frame(): FrameMessage | null {
    return this.latestFrame;
  }
  /** Tensors the worker's backend held at its last status (leak checks across imports), or null before one. */
  get workerTensors(): number | null {
    return this.workerTensorCount;
  }
  /** Thread hops delivered to the views so far. */
  get threadHops(): number {
    return this.hops;
  }
  /** Nodes born and died since the page loaded (growth events). */
  get topologyEvents(): { births: number; deaths: number } {
    return { births: this.births, deaths: this.deaths };
  }

  onFrame(listener: Listener<FrameMessage>): () => void {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  /**
   * Each held-out evaluation as it arrives. A point whose step is not after
   * the last one's starts a new series (a reset or a rollback), as the loss
   * chart does.
   */
  onHeldOut(listener: Listener<HeldOutPoint>): () => void {
    this.heldOutListeners.add(listener);
    return () => this.heldOutListeners.delete(listener);
  }

  /** The current series of held-out points, oldest first (for a chart that mounts late). */
  get heldOutHistory(): readonly HeldOutPoint[] {
    return this.heldOutSeries;
  }

  /** Each checkpoint the worker sends (about every 20 s of training and when it stops): the run store keeps them for resuming after a reload. */
  onCheckpoint(listener: Listener<ModelDocument>): () => void {
    this.checkpointListeners.add(listener);
    return () => this.checkpointListeners.delete(listener);
  }

  onTopology(listener: Listener<TopologyUpdate>): () => void {
    this.topologyListeners.add(listener);
    if (this.latestTopology) listener(this.latestTopology);
    return () => this.topologyListeners.delete(listener);
  }

  play(): void {
    this.send({ type: 'play' });
  }
  pause(): void {
    this.send({ type: 'pause' });
  }
  step(steps = 1): void {
    this.send({ type: 'step', steps });
  }

  /** A fresh experiment from the current parameters (new graph and weights). */
  reset(): void {
    this.store.getState().setAlert(null);
    this.sendReset(this.store.getState().experiment);
  }

  /** Applies a parameter change live when possible, otherwise restarts the experiment; an invalid one is refused. */
  setExperiment(next: Experiment): void {
    const checked = experimentSchema.safeParse(next);
    if (!checked.success) {
      this.store.getState().setAlert(`Setting refused: ${errorSentences(checked.error, 1)}.`);
      return;
    }
    const kind = ownKindOf(next.task);
    if (kind !== null && !ownDataFor(next.task)) {
      this.store.getState().setAlert(`Setting refused: the task "${next.task}" trains on your own ${kind === 'text' ? 'text' : 'CSV'} file, and none is loaded; use "Use your own data…" first.`);
      return;
    }
    const before = this.store.getState().experiment;
    this.store.getState().setExperiment(next);
    if (isLiveChange(before, next)) {
      this.send({ type: 'setParams', params: liveParams(next) });
      // Ticks and window are live and change a step's cost: time the new steps afresh.
      this.stepTimes.reset();
      this.timedExperiment = next;
    } else this.sendReset(next);
  }

  /** Pacing for the eye (normal, fast, slow motion): applies at once, never restarts training. */
  setSpeed(speed: Speed): void {
    this.store.getState().setRun({ speed });
    this.send({ type: 'setSpeed', speed });
  }

  setBackend(choice: BackendChoice): void {
    this.store.getState().setBackendChoice(choice);
    this.send({ type: 'setBackend', backend: choice });
  }

  private request<T>(make: (requestId: number) => ToWorker): Promise<T> {
    const requestId = this.nextRequestId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve, reject });
      this.send(make(requestId));
    });
  }

  exportModel(): Promise<ModelDocument> {
    return this.request((requestId) => ({ type: 'export', requestId }));
  }

  /** What the worker holds in memory (the resident-memory bench). */
  workerMemory(): Promise<WorkerMemory> {
    return this.request((requestId) => ({ type: 'memory', requestId }));
  }

  predict(): Promise<Float32Array> {
    return this.request((requestId) => ({ type: 'predict', requestId }));
  }

  /**
   * Validates a file's text and, only if it is a good Loopy Lab export,
   * replaces the running network. Resolves to an error message or null.
   */
  async importText(text: string): Promise<string | null> {
    const parsed = parseModelDocument(text);
    if (!parsed.ok) {
      this.store.getState().setAlert(`Import refused: ${parsed.error} The running experiment is unchanged.`);
      return parsed.error;
    }
    try {
      await this.request<true>((requestId) => ({ type: 'import', requestId, document: parsed.document }));
    } catch (e) {
      const message = (e as Error).message;
      this.store.getState().setAlert(`Import refused: ${message} The running experiment is unchanged.`);
      return message;
    }
    this.store.getState().setAlert(null);
    // The worker trains on the document's data set now; the page's lookups (sizes, task list) follow it.
    if (parsed.data) {
      installOwnData(parsed.data.file);
      for (const l of this.ownDataListeners) l(parsed.data.summary);
    }
    this.store.getState().setExperiment(parsed.document.experiment);
    return null;
  }

  private receiveHeldOut(point: HeldOutPoint): void {
    const last = this.heldOutSeries.at(-1);
    if (last && point.step <= last.step) this.heldOutSeries = [];
    this.heldOutSeries.push(point);
    if (this.heldOutSeries.length > MAX_HELD_OUT_POINTS) this.heldOutSeries.splice(0, this.heldOutSeries.length - MAX_HELD_OUT_POINTS);
    this.store.getState().setRun({ heldOut: point });
    for (const l of this.heldOutListeners) l(point);
  }

  private settle(requestId: number, value: unknown, error?: string): void {
    const p = this.pending.get(requestId);
    if (!p) return;
    this.pending.delete(requestId);
    if (error !== undefined) p.reject(new Error(error));
    else p.resolve(value);
  }

  private onMessage(msg: FromWorker): void {
    const state = this.store.getState();
    this.heartbeat?.heard();
    switch (msg.type) {
      case 'pong':
        return;
      case 'memory':
        this.settle(msg.requestId, msg.report);
        return;
      case 'deviceLost':
        this.excludedBackends.add(msg.backend);
        this.onLoss?.({ kind: 'deviceLost', backend: msg.backend, message: msg.message });
        return;
      case 'ready':
        return;
      case 'backend':
        state.setRun({ backend: msg.backend, backendReason: msg.reason });
        return;
      case 'topology': {
        this.building = false;
        const update: TopologyUpdate = { graph: msg.graph, events: msg.events, experiment: msg.experiment, step: msg.step, ...(msg.rolledBack !== undefined ? { rolledBack: msg.rolledBack } : {}) };
        this.latestTopology = update;
        for (const e of msg.events) {
          if (e.kind === 'birth') this.births++;
          else this.deaths++;
        }
        if (msg.events.length === 0) {
          this.stepTimes.reset();
          // A resumed checkpoint gets the live values sent after it: those are what its steps run with.
          const current = state.experiment;
          this.timedExperiment = isLiveChange(msg.experiment, current) ? current : msg.experiment;
        }
        // Without events it is a new network (or one rolled back): the last held-out point no longer describes it.
        state.setRun({
          nodeCount: msg.graph.nodes.length,
          edgeCount: msg.graph.edges.length,
          step: msg.step,
          ...(msg.events.length === 0 ? { heldOut: null } : {}),
        });
        for (const l of this.topologyListeners) l(update);
        return;
      }
      case 'frame': {
        this.latestFrame = msg;
        this.hops += msg.threads.length;
        this.slowStepMs = Math.max(0.9 * this.slowStepMs, ...msg.stepMs);
        for (const l of this.frameListeners) l(msg);
        const n = msg.losses.length;
        const stepMs = this.stepTimes.add(msg.stepMs);
        const [backend, timed] = [state.backend, this.timedExperiment];
        state.setRun({
          step: msg.step,
          stepsPerSecond: msg.stepsPerSecond,
          ...(stepMs !== null && backend !== null && timed !== null ? { measuredStep: { ms: stepMs, backend, experiment: timed } } : {}),
          ...(n > 0 ? { loss: msg.losses[n - 1] as number, accuracy: msg.accuracies[n - 1] as number } : {}),
        });
        this.scheduleAck(() => this.send({ type: 'ack', frameId: msg.frameId }));
        return;
      }
      case 'heldOut':
        this.receiveHeldOut(msg.point);
        return;
      case 'status':
        state.setRun({ playing: msg.playing, step: msg.step, loading: msg.loading });
        if (msg.tensors !== undefined) this.workerTensorCount = msg.tensors;
        return;
      case 'notice':
        state.notify(msg.level, msg.message);
        if (msg.level !== 'info') state.setAlert(msg.message);
        return;
      case 'exported':
        this.settle(msg.requestId, msg.document);
        return;
      case 'checkpoint':
        this.checkpoint = msg.document;
        for (const l of this.checkpointListeners) l(msg.document);
        return;
      case 'imported':
        this.settle(msg.requestId, true);
        return;
      case 'importFailed':
        this.building = false;
        this.settle(msg.requestId, null, msg.message);
        return;
      case 'predicted':
        this.settle(msg.requestId, msg.probabilities);
        return;
      default:
        assertNever(msg);
    }
  }
}
