/**
 * Records every run the lab trains into the run store. It listens to the
 * LabClient (frames, held-out points, topology, checkpoints) and the store
 * (experiment, backend, playing):
 * - a topology without events at step 0 is a new network: a new run, kept
 *   once its first step arrives (a page that never trains keeps nothing);
 * - a live change (learning rate) stays in the run, as a 'change' event;
 * - a topology without events later on, for the same experiment, is the same
 *   run rolled back or rebuilt (a backend switch, a new worker): points past
 *   its step go;
 * - an import starts a new run named after its file; a resume continues the
 *   stored run from its checkpoint.
 * Wall-clock seconds count training only. Series are thinned (ThinMetric) and
 * written at most every few seconds, on pause and on pagehide; checkpoints as
 * they arrive (the worker sends one about every 20 s of training and at every
 * stop).
 */
import type { TopologyUpdate } from '../client/lab-client';
import { descriptorOf, isLiveChange, tasksFor, type ControlDescriptor, type Experiment } from '../protocol/experiment';
import type { FrameCommon, HeldOutPoint } from '../protocol/messages';
import type { ModelDocument } from '../protocol/model-document';
import type { OwnDataSummary } from '../protocol/own-data';
import type { LabStore } from '../store/lab-store';
import { ThinMetric } from './metric-thinning';
import { METRIC_NAMES, type MetricName, type RunEvent, type RunMetrics } from './run-metrics';
import { StorageFullError, type FinalMetrics, type RunChange, type RunRecord, type RunStore, type WriteOutcome } from './run-store';

/** What the recorder needs of the LabClient (tests drive a fake). */
export interface RecordedClient {
  readonly store: LabStore;
  onFrame(listener: (frame: FrameCommon) => void): () => void;
  onHeldOut(listener: (point: HeldOutPoint) => void): () => void;
  onTopology(listener: (update: TopologyUpdate) => void): () => void;
  onCheckpoint(listener: (document: ModelDocument) => void): () => void;
  /** The uploaded data set the current experiment uses, or null on a built-in task. */
  readonly ownDataSummary: OwnDataSummary | null;
  importText(text: string): Promise<string | null>;
  setExperiment(next: Experiment): void;
  reset(): void;
  play(): void;
}

/** The run being recorded: its row, series and events as they stand. */
export interface CurrentRun {
  /** Null until the run's first step (nothing is kept before). */
  readonly run: RunRecord | null;
  readonly metrics: RunMetrics;
  readonly events: readonly RunEvent[];
}

export interface RecorderOptions {
  /** Monotonic ms (training time). */
  readonly clock?: () => number;
  /** Epoch ms (createdAt, savedAt). */
  readonly now?: () => number;
  /** How often dirty series are written; 0: only on flush() (tests). */
  readonly flushMs?: number;
  /** A run id (UUIDs in the browser). */
  readonly newId?: () => string;
}

/** Events kept per run; past it births and deaths are only counted by the final metrics' step. */
const MAX_EVENTS = 10_000;

interface LiveRun {
  record: RunRecord;
  readonly series: Record<MetricName, ThinMetric>;
  readonly events: RunEvent[];
  persisted: boolean;
  lastStep: number;
  lastHeldOutStep: number;
}

type Params = Readonly<Record<string, unknown>>;
type AnyControl = ControlDescriptor<Params>;

/** The controls of a model kind, model-neutral. */
export function controlsOf(experiment: Experiment): readonly AnyControl[] {
  return descriptorOf(experiment.model).controls.controls as unknown as readonly AnyControl[];
}

/** A control's value in `params` (its own getter where it has one). */
export function controlValue(control: AnyControl, params: Params): unknown {
  if (control.type !== 'select' && control.get) return control.get(params);
  return params[control.key];
}

/** `params` with one control set (its own setter where it has one). */
export function withControl(control: AnyControl, params: Params, value: unknown): Params {
  if (control.type === 'slider' && control.set) return control.set(params, value as number);
  if (control.type === 'checkbox' && control.set) return control.set(params, value as boolean);
  return { ...params, [control.key]: value };
}

/** "LARA on copy", the default name of a run. */
export function runName(experiment: Experiment): string {
  const task = tasksFor(experiment.model).find((t) => t.id === experiment.task)?.label ?? experiment.task;
  return `${descriptorOf(experiment.model).label} on ${task}`;
}

export function formatValue(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  return typeof v === 'string' ? v : JSON.stringify(v);
}

const defaultId = (): string => globalThis.crypto.randomUUID();

export class RunRecorder {
  private live: LiveRun | null = null;
  private dirty = false;
  private writes: Promise<void> = Promise.resolve();
  private readonly offs: (() => void)[] = [];
  private readonly changeListeners = new Set<() => void>();
  private readonly restoreListeners = new Set<(current: CurrentRun) => void>();
  private readonly clock: () => number;
  private readonly now: () => number;
  private readonly newId: () => string;
  /** Training seconds of the live run before the current stretch of play, and when that stretch began (clock ms) or null. */
  private trainedSeconds = 0;
  private playingSince: number | null = null;
  private importName: string | null = null;
  private resuming: { run: RunRecord; metrics: RunMetrics | null; strides: Readonly<Record<MetricName, number>> | null; events: readonly RunEvent[] } | null = null;
  private derivation: { from: string; change: RunChange; experiment: Experiment } | null = null;
  /** The latest word on storage (a drop, or no room at all), for the page; null when there is nothing to say. */
  storageNotice: string | null = null;

  constructor(
    private readonly client: RecordedClient,
    readonly runs: RunStore,
    options: RecorderOptions = {},
  ) {
    this.clock = options.clock ?? (() => performance.now());
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? defaultId;
    this.offs.push(
      client.onTopology((t) => this.onTopology(t)),
      client.onFrame((f) => this.onFrame(f)),
      client.onHeldOut((p) => this.onHeldOut(p)),
      client.onCheckpoint((d) => this.onCheckpoint(d)),
      client.store.subscribe((s, prev) => {
        if (s.playing !== prev.playing) this.onPlaying(s.playing);
        if (s.experiment !== prev.experiment) this.onExperiment(s.experiment);
        if (s.backend !== prev.backend && this.live) this.live.record = { ...this.live.record, backend: s.backend };
      }),
    );
    if (client.store.getState().playing) this.playingSince = this.clock();
    const flushMs = options.flushMs ?? 5000;
    if (flushMs > 0) {
      const timer = setInterval(() => {
        if (this.dirty) void this.flush();
      }, flushMs);
      this.offs.push(() => clearInterval(timer));
    }
  }

  /** The run being recorded, or null before the first network. */
  current(): CurrentRun | null {
    const live = this.live;
    if (!live) return null;
    return { run: live.persisted ? live.record : null, metrics: metricsOf(live), events: [...live.events] };
  }

  /** Called after any change to the stored runs (a new run, a write, a rename). */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Called when a stored run becomes the current one again (a resume): charts put its curves back. */
  onRestore(listener: (current: CurrentRun) => void): () => void {
    this.restoreListeners.add(listener);
    return () => this.restoreListeners.delete(listener);
  }

  /** Writes the live run now (and waits for every write before). */
  flush(): Promise<void> {
    const live = this.live;
    if (live?.persisted && this.dirty) {
      this.dirty = false;
      this.persist(live);
    }
    return this.writes;
  }

  /** Imports a file's text as a new run named after the file; resolves to the refusal or null. */
  async importText(fileName: string, text: string): Promise<string | null> {
    this.importName = fileName;
    const refused = await this.client.importText(text);
    this.importName = null;
    return refused;
  }

  /**
   * Continues a stored run from its checkpoint: imports the document through
   * the client and records on into the same run, with its curves so far.
   * Resolves to a refusal or null.
   */
  async resume(id: string): Promise<string | null> {
    await this.writes;
    const [run, stored, cp] = await Promise.all([this.runs.get(id), this.runs.metrics(id), this.runs.checkpoint(id)]);
    if (!run || !cp) return 'that run has no checkpoint to resume from.';
    this.resuming = { run, metrics: stored?.metrics ?? null, strides: stored?.strides ?? null, events: stored?.events ?? [] };
    const refused = await this.client.importText(JSON.stringify(cp.document));
    this.resuming = null;
    return refused;
  }

  /**
   * Run again with one change: the current experiment with one control set
   * to `value`, the same seed, trained from scratch as a new run linked to
   * the current one. Resolves to the refusal or null.
   */
  runAgain(key: string, value: unknown): string | null {
    const from = this.live?.persisted ? this.live.record : null;
    if (!from) return 'Train the current run first: there is nothing to compare the change with yet.';
    const experiment = this.client.store.getState().experiment;
    const control = controlsOf(experiment).find((c) => c.key === key);
    if (!control) return `${experiment.model} has no control "${key}".`;
    const params = experiment.params as Params;
    const before = controlValue(control, params);
    if (JSON.stringify(before) === JSON.stringify(value)) return `${control.label} is already ${formatValue(value)}: pick another value.`;
    const next = { ...experiment, params: withControl(control, params, value) } as Experiment;
    this.derivation = { from: from.id, change: { key, label: control.label, from: before, to: value }, experiment: next };
    this.client.setExperiment(next);
    if (this.client.store.getState().experiment !== next) {
      this.derivation = null;
      return this.client.store.getState().alert ?? 'The change was refused.';
    }
    // A live key would apply to the running network: an ablation trains a fresh one.
    if (isLiveChange(experiment, next)) this.client.reset();
    this.client.play();
    return null;
  }

  async rename(id: string, name: string): Promise<void> {
    if (this.live?.record.id === id) this.live.record = { ...this.live.record, name };
    await this.after(() => this.runs.rename(id, name));
  }

  async setPinned(id: string, pinned: boolean): Promise<void> {
    if (this.live?.record.id === id) this.live.record = { ...this.live.record, pinned: pinned ? 1 : 0 };
    await this.after(() => this.runs.setPinned(id, pinned));
  }

  /** Deletes a stored run; the one being recorded cannot be (it would be written again). */
  async delete(id: string): Promise<boolean> {
    if (this.live?.record.id === id) return false;
    await this.after(() => this.runs.delete(id));
    return true;
  }

  /** Deletes every unpinned run but the current one (the person asked). Returns how many. */
  async deleteOldUnpinned(): Promise<number> {
    let n = 0;
    await this.after(async () => {
      n = await this.runs.deleteUnpinned(this.live ? [this.live.record.id] : []);
    });
    this.storageNotice = null;
    this.changed();
    return n;
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs.length = 0;
  }

  // ---- listeners ----

  private onTopology(t: TopologyUpdate): void {
    if (t.events.length > 0) {
      this.recordTopologyEvents(t);
      return;
    }
    const live = this.live;
    if (this.resuming) {
      this.beginResumed(t);
      return;
    }
    if (this.importName !== null) {
      this.begin(t.experiment, t.step, { name: `${runName(t.experiment)} (${this.importName})`, source: this.importName });
      return;
    }
    if (t.rolledBack !== undefined && live) {
      this.rewind(live, t.step);
      this.pushEvent(live, { step: t.step, wallSeconds: this.wallSeconds(), kind: 'rollback', detail: `${t.rolledBack}: rolled back to step ${t.step}` });
      return;
    }
    if (t.step === 0) {
      this.begin(t.experiment, 0, null);
      return;
    }
    // A backend switch or a new worker resumed from the checkpoint: the same run, from that step.
    if (live && isLiveChange(live.record.experiment, t.experiment)) {
      this.rewind(live, t.step);
      return;
    }
    this.begin(t.experiment, t.step, { name: `${runName(t.experiment)} (imported at step ${t.step})`, source: 'import' });
  }

  private onFrame(f: FrameCommon): void {
    const live = this.live;
    const n = f.stepNumbers.length;
    if (!live || n === 0) return;
    // Steps taken while paused (the Step button) count their own time.
    if (this.playingSince === null) for (let i = 0; i < n; i++) this.trainedSeconds += (f.stepMs[i] as number) / 1000;
    const end = this.wallSeconds();
    const first = f.stepNumbers[0] as number;
    if (first <= live.lastStep) this.rewind(live, first - 1);
    // Each step at its own time: the frame's end less the steps after it.
    let after = 0;
    const walls = new Array<number>(n);
    for (let i = n - 1; i >= 0; i--) {
      walls[i] = Math.max(0, end - after / 1000);
      after += f.stepMs[i] as number;
    }
    for (let i = 0; i < n; i++) {
      const step = f.stepNumbers[i] as number;
      live.series.trainLoss.push(step, walls[i] as number, f.losses[i] as number);
      live.series.trainAccuracy.push(step, walls[i] as number, f.accuracies[i] as number);
    }
    live.series.stepsPerSecond.push(f.step, end, f.stepsPerSecond);
    live.lastStep = f.stepNumbers[n - 1] as number;
    live.record = { ...live.record, final: finalOf(live), wallSeconds: end, status: this.playingSince !== null ? 'training' : 'paused' };
    if (!live.persisted) this.persist(live);
    else this.dirty = true;
  }

  private onHeldOut(p: HeldOutPoint): void {
    const live = this.live;
    if (!live) return;
    if (p.step <= live.lastHeldOutStep) {
      live.series.heldOutLoss.dropFrom(p.step);
      live.series.heldOutAccuracy.dropFrom(p.step);
    }
    const wall = this.wallSeconds();
    live.series.heldOutLoss.push(p.step, wall, p.loss);
    live.series.heldOutAccuracy.push(p.step, wall, p.accuracy);
    live.lastHeldOutStep = p.step;
    live.record = { ...live.record, final: finalOf(live) };
    this.dirty = true;
  }

  private onCheckpoint(doc: ModelDocument): void {
    const live = this.live;
    if (!live?.persisted || !isLiveChange(live.record.experiment, doc.experiment)) return;
    const id = live.record.id;
    const savedAt = this.now();
    this.dirty = true;
    void this.flush();
    this.write(() => this.runs.saveCheckpoint(id, doc, savedAt));
  }

  private onPlaying(playing: boolean): void {
    if (playing) {
      this.playingSince ??= this.clock();
      return;
    }
    this.trainedSeconds = this.wallSeconds();
    this.playingSince = null;
    const live = this.live;
    if (live?.persisted) {
      live.record = { ...live.record, status: 'paused', wallSeconds: this.trainedSeconds };
      this.dirty = true;
      void this.flush();
    }
  }

  private onExperiment(next: Experiment): void {
    const live = this.live;
    // A non-live change restarts (a new run follows with its topology); an ablation records its change on the new run.
    if (!live || this.derivation || !isLiveChange(live.record.experiment, next)) return;
    const before = live.record.experiment.params as Params;
    const after = next.params as Params;
    const changes = controlsOf(next)
      .filter((c) => JSON.stringify(controlValue(c, before)) !== JSON.stringify(controlValue(c, after)))
      .map((c) => `${c.label} ${formatValue(controlValue(c, before))} → ${formatValue(controlValue(c, after))}`);
    live.record = { ...live.record, experiment: next };
    if (changes.length === 0) return;
    this.pushEvent(live, { step: live.lastStep, wallSeconds: this.wallSeconds(), kind: 'change', detail: changes.join(', ') });
    this.dirty = true;
  }

  // ---- runs ----

  /** A new run for a new network (kept once it has a step, or at once for an import). */
  private begin(experiment: Experiment, step: number, imported: { name: string; source: string } | null): void {
    this.closeLive();
    const d = this.derivation;
    const derived = d && JSON.stringify(d.experiment) === JSON.stringify(experiment) ? d : null;
    this.derivation = null;
    const at = this.now();
    const data = this.client.ownDataSummary;
    const name = imported?.name ?? (derived ? `${runName(experiment)}, ${derived.change.label} ${formatValue(derived.change.to)}` : runName(experiment));
    const record: RunRecord = {
      id: this.newId(),
      name,
      pinned: 0,
      createdAt: at,
      updatedAt: at,
      experiment,
      backend: this.client.store.getState().backend,
      status: 'paused',
      final: { step, trainLoss: null, trainAccuracy: null, heldOutLoss: null, heldOutAccuracy: null, stepsPerSecond: null },
      wallSeconds: 0,
      ...(derived ? { derivedFrom: derived.from, change: derived.change } : {}),
      ...(imported ? { source: imported.source } : {}),
      ...(data ? { data } : {}),
      checkpoint: null,
    };
    this.live = { record, series: freshSeries(), events: [], persisted: false, lastStep: step, lastHeldOutStep: -1 };
    this.trainedSeconds = 0;
    if (this.playingSince !== null) this.playingSince = this.clock();
    if (imported) this.persist(this.live);
  }

  /** The stored run again, from its checkpoint's step. */
  private beginResumed(t: TopologyUpdate): void {
    const r = this.resuming;
    if (!r) return;
    this.resuming = null;
    this.closeLive();
    const series = freshSeries();
    for (const name of METRIC_NAMES) {
      const s = r.metrics?.[name];
      if (s) series[name] = ThinMetric.from(s, r.strides?.[name] ?? 1);
    }
    const live: LiveRun = {
      record: { ...r.run, experiment: t.experiment, status: 'paused' },
      series,
      events: r.events.filter((e) => e.step <= t.step),
      persisted: true,
      lastStep: t.step,
      lastHeldOutStep: -1,
    };
    this.rewind(live, t.step);
    live.lastHeldOutStep = live.series.heldOutLoss.step.at(-1) ?? -1;
    this.live = live;
    this.trainedSeconds = live.series.trainLoss.wallSeconds.at(-1) ?? 0;
    if (this.playingSince !== null) this.playingSince = this.clock();
    live.record = { ...live.record, final: finalOf(live), wallSeconds: this.trainedSeconds };
    this.persist(live);
    const current = this.current();
    if (current) for (const l of this.restoreListeners) l(current);
  }

  /** Points after `step` go (the network is back at it). */
  private rewind(live: LiveRun, step: number): void {
    for (const name of METRIC_NAMES) live.series[name].dropFrom(step + 1);
    live.lastStep = Math.min(live.lastStep, step);
    live.lastHeldOutStep = Math.min(live.lastHeldOutStep, step);
    live.record = { ...live.record, final: finalOf(live) };
    this.dirty = true;
  }

  /** The run being left: written as stopped, if it was kept. */
  private closeLive(): void {
    const live = this.live;
    if (!live?.persisted) return;
    live.record = { ...live.record, status: 'stopped', wallSeconds: this.wallSeconds() };
    this.persist(live);
  }

  private recordTopologyEvents(t: TopologyUpdate): void {
    const live = this.live;
    if (!live) return;
    const wall = this.wallSeconds();
    for (const e of t.events) {
      const kind = e.kind === 'death' && e.cause === 'extinct' ? 'extinction' : e.kind;
      this.pushEvent(live, { step: t.step, wallSeconds: wall, kind, id: e.nodeId, detail: `${e.kind} of node ${e.nodeId} (${e.cause})` });
    }
    this.dirty = true;
  }

  private pushEvent(live: LiveRun, e: RunEvent): void {
    if (live.events.length < MAX_EVENTS) live.events.push(e);
  }

  private wallSeconds(): number {
    return this.trainedSeconds + (this.playingSince !== null ? (this.clock() - this.playingSince) / 1000 : 0);
  }

  // ---- writes ----

  private persist(live: LiveRun): void {
    live.persisted = true;
    live.record = { ...live.record, updatedAt: this.now() };
    const run = live.record;
    const strides = {} as Record<MetricName, number>;
    for (const name of METRIC_NAMES) strides[name] = live.series[name].stride;
    const metrics = { runId: run.id, metrics: metricsOf(live), strides, events: [...live.events] };
    this.write(() => this.runs.saveRun(run, metrics));
  }

  /** Queues a write (they land in order); says what it cost or why it failed. */
  private write(run: () => Promise<WriteOutcome>): void {
    this.writes = this.writes
      .then(run)
      .then((outcome) => {
        if (outcome.dropped.length > 0) {
          const n = outcome.dropped.length;
          this.say(`Storage is short: dropped the checkpoint${n === 1 ? '' : 's'} of ${n} older run${n === 1 ? '' : 's'}; their curves are kept.`);
        }
      })
      .catch((e: unknown) => {
        if (e instanceof StorageFullError) this.say('Storage is full: this run could not be saved even without older checkpoints. Delete old unpinned runs to make room (their curves go with them).');
        else this.say(`The run could not be saved: ${(e as Error).message}.`);
      })
      .finally(() => this.changed());
  }

  /** Runs a change to the store after the queued writes. */
  private async after(change: () => Promise<void>): Promise<void> {
    const done = this.writes.then(change);
    this.writes = done.catch(() => undefined);
    await done;
    this.changed();
  }

  private say(message: string): void {
    this.storageNotice = message;
    this.client.store.getState().setAlert(message);
  }

  private changed(): void {
    for (const l of this.changeListeners) l();
  }
}

function freshSeries(): Record<MetricName, ThinMetric> {
  const out = {} as Record<MetricName, ThinMetric>;
  for (const name of METRIC_NAMES) out[name] = new ThinMetric();
  return out;
}

function metricsOf(live: LiveRun): RunMetrics {
  const out = {} as Record<MetricName, ReturnType<ThinMetric['series']>>;
  for (const name of METRIC_NAMES) out[name] = live.series[name].series();
  return out;
}

function finalOf(live: LiveRun): FinalMetrics {
  const last = (name: MetricName): number | null => live.series[name].value.at(-1) ?? null;
  return {
    step: live.lastStep,
    trainLoss: last('trainLoss'),
    trainAccuracy: last('trainAccuracy'),
    heldOutLoss: last('heldOutLoss'),
    heldOutAccuracy: last('heldOutAccuracy'),
    stepsPerSecond: last('stepsPerSecond'),
  };
}
