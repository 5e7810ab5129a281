/** The study worker shell: one study at a time; streams points as they come; stops on cancel; live β and K for transition runs. */
import { sweepLambda } from '../engine/routing/routing-sweep';
import { TransitionRun, type TransitionLiveParams } from '../engine/transitions/transition-training';
import { assertNever, type Endpoint } from '../protocol/messages';
import {
  STUDY_PROTOCOL_VERSION,
  type FromStudyWorker,
  type RoutingSweepStudy,
  type Study,
  type ToStudyWorker,
  type TransitionPoint,
  type TransitionStudy,
} from '../protocol/study-messages';
import { yieldToEvents } from './yield-to-events';

/** Points are batched so a fast run does not flood the page. */
const POST_EVERY_MS = 100;

export class StudyWorker {
  private current: { runId: number; controller: AbortController; runs: TransitionRun[] } | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly endpoint: Endpoint<ToStudyWorker, FromStudyWorker>,
    private readonly ready: () => Promise<void>,
  ) {
    endpoint.addEventListener('message', (e) => this.onMessage(e.data));
  }

  private post(m: FromStudyWorker): void {
    this.endpoint.postMessage(m);
  }

  private onMessage(msg: ToStudyWorker): void {
    switch (msg.type) {
      case 'start':
        if (msg.version !== STUDY_PROTOCOL_VERSION) {
          this.post({ type: 'failed', runId: msg.runId, message: `protocol mismatch: page ${msg.version}, worker ${STUDY_PROTOCOL_VERSION}` });
          return;
        }
        this.current?.controller.abort();
        this.queue = this.queue.then(() => this.run(msg.runId, msg.study));
        return;
      case 'setLive':
        if (this.current?.runId === msg.runId) for (const r of this.current.runs) if (r.options.mode === 'transitions') r.setLive(msg.live);
        return;
      case 'cancel':
        if (this.current?.runId === msg.runId) this.current.controller.abort();
        return;
      default:
        assertNever(msg);
    }
  }

  private async run(runId: number, study: Study): Promise<void> {
    const controller = new AbortController();
    this.current = { runId, controller, runs: [] };
    try {
      await this.ready();
      if (study.kind === 'transitions') await this.transitions(runId, study, controller.signal);
      else await this.sweep(runId, study, controller.signal);
      this.post({ type: 'done', runId, cancelled: false });
    } catch (e) {
      if (controller.signal.aborted) this.post({ type: 'done', runId, cancelled: true });
      else this.post({ type: 'failed', runId, message: e instanceof Error ? e.message : String(e) });
    } finally {
      for (const r of this.current?.runs ?? []) r.dispose();
      if (this.current?.runId === runId) this.current = null;
    }
  }

  /** The modes alternate step by step, so load on the machine hits both alike. */
  private async transitions(runId: number, study: TransitionStudy, signal: AbortSignal): Promise<void> {
    const runs = study.modes.map((mode) => new TransitionRun({ ...study.options, mode }));
    if (this.current) this.current.runs = runs;
    const elapsed = runs.map(() => 0);
    let pending: TransitionPoint[] = [];
    let lastPost = performance.now();
    const evalEvery = Math.max(1, study.evalEvery);
    for (let step = 1; step <= study.steps; step++) {
      for (const [i, run] of runs.entries()) {
        signal.throwIfAborted();
        const r = await run.trainStep();
        elapsed[i] = (elapsed[i] as number) + r.ms;
        const rollout = step % evalEvery === 0 || step === study.steps ? await run.rollout() : null;
        pending.push({ mode: run.options.mode, step: r.step, loss: r.loss, ms: elapsed[i] as number, refreshed: r.refreshed, rollout });
      }
      if (performance.now() - lastPost >= POST_EVERY_MS || step === study.steps) {
        this.post({ type: 'transitionPoints', runId, points: pending });
        pending = [];
        lastPost = performance.now();
      }
      await yieldToEvents();
    }
  }

  private async sweep(runId: number, study: RoutingSweepStudy, signal: AbortSignal): Promise<void> {
    await sweepLambda(study.experiment, study.lambdas, study.steps, {
      signal,
      onPoint: (point, done, total) => this.post({ type: 'sweepPoint', runId, point, done, total }),
    });
  }
}

export type { TransitionLiveParams };
