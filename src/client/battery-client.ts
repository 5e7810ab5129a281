/** The main-thread side of the battery worker: starts runs, cancels them, keeps their progress and results in the store. */
import {
  BATTERY_PROTOCOL_VERSION,
  type BatteryJob,
  type BatteryTestId,
  type FromBatteryWorker,
  type ToBatteryWorker,
} from '../protocol/battery-messages';
import { assertNever, type Endpoint } from '../protocol/messages';
import type { BatteryState, LabStore } from '../store/lab-store';

export interface BatteryRequest {
  readonly jobs: readonly BatteryJob[];
  readonly tests: readonly BatteryTestId[];
  readonly trainSteps: number;
  readonly lanes: number;
  readonly seed: number;
  readonly sweep?: BatteryState['sweep'];
}

export class BatteryClient {
  private endpoint: Endpoint<FromBatteryWorker, ToBatteryWorker> | null = null;
  private nextRunId = 1;

  constructor(
    private readonly store: LabStore,
    /** Makes the worker on first use, so a lab that never runs the battery never loads it. */
    private readonly makeWorker: () => Endpoint<FromBatteryWorker, ToBatteryWorker>,
  ) {}

  private worker(): Endpoint<FromBatteryWorker, ToBatteryWorker> {
    if (!this.endpoint) {
      this.endpoint = this.makeWorker();
      this.endpoint.addEventListener('message', (e) => this.onMessage(e.data));
    }
    return this.endpoint;
  }

  run(request: BatteryRequest): number {
    const runId = this.nextRunId++;
    this.store.getState().setBattery({
      running: true,
      runId,
      progress: 0,
      currentTest: request.tests[0] ?? null,
      jobs: request.jobs,
      tests: request.tests,
      sweep: request.sweep ?? [],
      rows: [],
      message: null,
    });
    const { sweep: _sweep, ...run } = request;
    this.worker().postMessage({ type: 'run', version: BATTERY_PROTOCOL_VERSION, run: { runId, ...run } });
    return runId;
  }

  cancel(): void {
    const { runId, running } = this.store.getState().battery;
    if (running) this.worker().postMessage({ type: 'cancel', runId });
  }

  private onMessage(msg: FromBatteryWorker): void {
    const s = this.store.getState();
    if (msg.runId !== s.battery.runId) return; // a cancelled run's stragglers
    switch (msg.type) {
      case 'progress':
        s.setBattery({ progress: msg.overall, currentTest: msg.test });
        return;
      case 'result':
        s.addBatteryRow({ ...msg.result, job: msg.job });
        return;
      case 'done':
        s.setBattery({ running: false, progress: msg.cancelled ? s.battery.progress : 1, currentTest: null, message: msg.cancelled ? 'Cancelled.' : null });
        return;
      case 'failed':
        s.setBattery({ running: false, currentTest: null, message: `The battery stopped: ${msg.message}` });
        return;
      default:
        assertNever(msg);
    }
  }
}
