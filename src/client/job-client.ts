/**
 * The main-thread side of a job worker, one class for every kind: makes the
 * worker on first use, starts runs, cancels them, sends live updates, drops
 * the stragglers of a superseded run, and writes each run into its store
 * slice through a JobSlot.
 */
import { JOB_PROTOCOL_VERSION, type FromJobWorker, type JobEnd, type JobKind, type JobTypes, type ToJobWorker } from '../protocol/job-messages';
import { assertNever, type Endpoint } from '../protocol/messages';
import type { JobRunState } from '../store/lab-store';

/** How one kind's runs land in its store slice; the client writes the JobRunState fields itself. */
export interface JobSlot<J extends JobTypes, S extends JobRunState> {
  read(): S;
  write(patch: Partial<S>): void;
  /** The kind's fields at the start of a run. */
  started(request: J['request']): Omit<S, keyof JobRunState>;
  progress(state: S, progress: J['progress']): Partial<S>;
  result(state: S, result: J['result']): Partial<S>;
  /** The kind's fields when a run ends. */
  ended(state: S, end: JobEnd): Partial<S>;
  /** The message of a cancelled run, and what a failure's reason follows ("The battery stopped"). */
  readonly wording: { readonly cancelled: string; readonly failed: string };
}

/** Starts, cancels and updates one kind's runs on its worker, and keeps the latest run in its slice. */
export class JobClient<J extends JobTypes, S extends JobRunState = JobRunState> {
  private endpoint: Endpoint<FromJobWorker<J>, ToJobWorker<J>> | null = null;
  private nextRunId = 1;

  constructor(
    private readonly kind: JobKind<J>,
    /** Makes the worker on first use, so a lab that never runs this kind never loads it. */
    private readonly makeWorker: () => Endpoint<FromJobWorker<J>, ToJobWorker<J>>,
    private readonly slot: JobSlot<J, S>,
  ) {}

  private worker(): Endpoint<FromJobWorker<J>, ToJobWorker<J>> {
    if (!this.endpoint) {
      this.endpoint = this.makeWorker();
      this.endpoint.addEventListener('message', (e) => this.onMessage(e.data));
    }
    return this.endpoint;
  }

  /** Starts a run (the worker aborts any earlier one) and returns its id. */
  start(request: J['request']): number {
    const runId = this.nextRunId++;
    const run: JobRunState = { runId, status: 'running', running: true, message: null };
    this.slot.write({ ...this.slot.started(request), ...run } as Partial<S>);
    this.worker().postMessage({ type: 'start', protocol: JOB_PROTOCOL_VERSION, kind: this.kind.name, version: this.kind.version, runId, request });
    return runId;
  }

  /** Changes the running run's live parameters; nothing when none runs. */
  setLive(live: J['live']): void {
    const { running, runId } = this.slot.read();
    if (running) this.worker().postMessage({ type: 'live', runId, live });
  }

  /** Stops the running run; its results so far stay, and it ends cancelled. */
  cancel(): void {
    const { running, runId } = this.slot.read();
    if (running) this.worker().postMessage({ type: 'cancel', runId });
  }

  private end(state: S, end: JobEnd, message: string | null): void {
    this.slot.write({ ...this.slot.ended(state, end), status: end, running: false, message });
  }

  private onMessage(msg: FromJobWorker<J>): void {
    const state = this.slot.read();
    if (msg.runId !== state.runId || !state.running) return; // a superseded or ended run's stragglers
    switch (msg.type) {
      case 'progress':
        this.slot.write(this.slot.progress(state, msg.progress));
        return;
      case 'result':
        this.slot.write(this.slot.result(state, msg.result));
        return;
      case 'done':
        this.end(state, 'done', null);
        return;
      case 'cancelled':
        this.end(state, 'cancelled', this.slot.wording.cancelled);
        return;
      case 'failed':
        this.end(state, 'failed', `${this.slot.wording.failed}: ${msg.message}`);
        return;
      default:
        assertNever(msg);
    }
  }
}
