/**
 * The main-thread side of the study worker: starts a study, cancels it,
 * keeps its points. Views read it through useSyncExternalStore (see
 * useStudy); a new state object replaces the old on every message.
 */
import { assertNever, type Endpoint } from '../protocol/messages';
import {
  STUDY_PROTOCOL_VERSION,
  type FromStudyWorker,
  type Study,
  type SweepPoint,
  type ToStudyWorker,
  type TransitionLiveParams,
  type TransitionPoint,
} from '../protocol/study-messages';

export interface StudyState {
  readonly runId: number;
  readonly kind: Study['kind'] | null;
  readonly running: boolean;
  readonly transitionPoints: readonly TransitionPoint[];
  readonly sweepPoints: readonly SweepPoint[];
  /** Sweep progress, 0..1. */
  readonly progress: number;
  readonly message: string | null;
}

const IDLE: StudyState = { runId: 0, kind: null, running: false, transitionPoints: [], sweepPoints: [], progress: 0, message: null };

export class StudyClient {
  private endpoint: Endpoint<FromStudyWorker, ToStudyWorker> | null = null;
  private nextRunId = 1;
  private state: StudyState = IDLE;
  private readonly listeners = new Set<() => void>();

  /** Makes the worker on first use, so a lab that never runs a study never loads it. */
  constructor(private readonly makeWorker: () => Endpoint<FromStudyWorker, ToStudyWorker>) {}

  private worker(): Endpoint<FromStudyWorker, ToStudyWorker> {
    if (!this.endpoint) {
      this.endpoint = this.makeWorker();
      this.endpoint.addEventListener('message', (e) => this.onMessage(e.data));
    }
    return this.endpoint;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): StudyState => this.state;

  private set(patch: Partial<StudyState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  start(study: Study): number {
    const runId = this.nextRunId++;
    this.set({ ...IDLE, runId, kind: study.kind, running: true });
    this.worker().postMessage({ type: 'start', version: STUDY_PROTOCOL_VERSION, runId, study });
    return runId;
  }

  /** β and K of the running transitions mode. */
  setLive(live: TransitionLiveParams): void {
    if (this.state.running) this.worker().postMessage({ type: 'setLive', runId: this.state.runId, live });
  }

  cancel(): void {
    if (this.state.running) this.worker().postMessage({ type: 'cancel', runId: this.state.runId });
  }

  private onMessage(msg: FromStudyWorker): void {
    if (msg.runId !== this.state.runId) return; // a cancelled run's stragglers
    switch (msg.type) {
      case 'transitionPoints':
        this.set({ transitionPoints: [...this.state.transitionPoints, ...msg.points] });
        return;
      case 'sweepPoint':
        this.set({ sweepPoints: [...this.state.sweepPoints, msg.point], progress: msg.done / msg.total });
        return;
      case 'done':
        this.set({ running: false, progress: msg.cancelled ? this.state.progress : 1, message: msg.cancelled ? 'Stopped.' : null });
        return;
      case 'failed':
        this.set({ running: false, message: `The study stopped: ${msg.message}` });
        return;
      default:
        assertNever(msg);
    }
  }
}
