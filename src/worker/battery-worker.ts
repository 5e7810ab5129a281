/** The battery worker shell: runs one battery run at a time, streams progress and results, stops on cancel. */
import { BatteryCancelled, DEFAULT_BATTERY_CONFIG, runBattery } from '../engine/battery/battery';
import { BATTERY_MODELS } from '../engine/battery/battery-models';
import {
  BATTERY_PROTOCOL_VERSION,
  type BatteryRun,
  type FromBatteryWorker,
  type ToBatteryWorker,
} from '../protocol/battery-messages';
import { assertNever, type Endpoint } from '../protocol/messages';

export class BatteryWorker {
  private current: { runId: number; controller: AbortController } | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly endpoint: Endpoint<ToBatteryWorker, FromBatteryWorker>,
    private readonly ready: () => Promise<void>,
  ) {
    endpoint.addEventListener('message', (e) => this.onMessage(e.data));
  }

  private post(m: FromBatteryWorker): void {
    this.endpoint.postMessage(m);
  }

  private onMessage(msg: ToBatteryWorker): void {
    switch (msg.type) {
      case 'run':
        if (msg.version !== BATTERY_PROTOCOL_VERSION) {
          this.post({ type: 'failed', runId: msg.run.runId, message: `protocol mismatch: page ${msg.version}, worker ${BATTERY_PROTOCOL_VERSION}` });
          return;
        }
        this.current?.controller.abort();
        this.queue = this.queue.then(() => this.run(msg.run));
        return;
      case 'cancel':
        if (this.current?.runId === msg.runId) this.current.controller.abort();
        return;
      default:
        assertNever(msg);
    }
  }

  private async run(run: BatteryRun): Promise<void> {
    const controller = new AbortController();
    this.current = { runId: run.runId, controller };
    try {
      await this.ready();
      for (const [job, spec] of run.jobs.entries()) {
        const entry = BATTERY_MODELS[spec.model];
        const problem = entry.validate(spec.params);
        if (problem) throw new Error(`${spec.label}: ${problem}`);
        await runBattery((s) => entry.create(s, spec.params), spec.label, run.tests, { ...DEFAULT_BATTERY_CONFIG, trainSteps: run.trainSteps, lanes: run.lanes, seed: run.seed }, {
          signal: controller.signal,
          progress: (test, fraction, overall) =>
            this.post({ type: 'progress', runId: run.runId, job, test, fraction, overall: (job + overall) / run.jobs.length }),
          result: (result) => this.post({ type: 'result', runId: run.runId, job, result }),
        });
      }
      this.post({ type: 'done', runId: run.runId, cancelled: false });
    } catch (e) {
      if (e instanceof BatteryCancelled) this.post({ type: 'done', runId: run.runId, cancelled: true });
      else this.post({ type: 'failed', runId: run.runId, message: e instanceof Error ? e.message : String(e) });
    } finally {
      if (this.current?.runId === run.runId) this.current = null;
    }
  }
}
