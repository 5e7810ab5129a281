/**
 * The job-worker shell (excalidraw's worker pool is the model): one class
 * for every side worker. It runs one job at a time; a new request aborts
 * every earlier run, cancel aborts the named one, a thrown error becomes a
 * `failed` message. The jobs themselves are plain async functions over a
 * JobContext, which is how they yield so cancel and live updates are heard.
 */
import { JOB_PROTOCOL_VERSION, type FromJobWorker, type JobKind, type JobTypes, type ToJobWorker } from '../protocol/job-messages';
import { assertNever, type Endpoint } from '../protocol/messages';
import { yieldToEvents } from './yield-to-events';

/** What a running job may do. */
export interface JobContext<J extends JobTypes> {
  /** Aborted by a cancel or by a newer request. */
  readonly signal: AbortSignal;
  progress(progress: J['progress']): void;
  result(result: J['result']): void;
  /**
   * Call between units of work: lets queued messages in (a resolved
   * promise is only a microtask, so without it a cancel waits for the whole
   * job), then throws if the run was aborted.
   */
  yield(): Promise<void>;
  /** Sends this run's live updates to `handler`, first those that came before it was set. */
  onLive(handler: (live: J['live']) => void): void;
}

/** One kind of job the shell runs. */
export interface JobDefinition<J extends JobTypes> {
  readonly kind: JobKind<J>;
  /** Resolves when the job is done; a rejection while the signal is aborted is a cancel, any other a failure. */
  run(request: J['request'], ctx: JobContext<J>): Promise<void>;
}

interface Run<J extends JobTypes> {
  readonly controller: AbortController;
  live: ((live: J['live']) => void) | null;
  /** Live updates that came before the job set its handler. */
  readonly early: J['live'][];
  /** Why a live update was refused, if one was: the run fails with it. */
  refused: string | null;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Runs one kind of job over an endpoint: a request at a time, the newest winning. */
export class JobWorker<J extends JobTypes> {
  /** Runs started and not yet ended: the one running and any queued behind it. */
  private readonly runs = new Map<number, Run<J>>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly endpoint: Endpoint<ToJobWorker<J>, FromJobWorker<J>>,
    private readonly job: JobDefinition<J>,
    /** Readies the backend; awaited before every run. */
    private readonly ready: () => Promise<void>,
    private readonly yieldNow: () => Promise<void> = yieldToEvents,
  ) {
    endpoint.addEventListener('message', (e) => this.onMessage(e.data));
  }

  private post(m: FromJobWorker<J>): void {
    this.endpoint.postMessage(m);
  }

  private onMessage(msg: ToJobWorker<J>): void {
    switch (msg.type) {
      case 'start': {
        const { kind } = this.job;
        if (msg.protocol !== JOB_PROTOCOL_VERSION || msg.kind !== kind.name || msg.version !== kind.version) {
          const page = `${msg.kind} v${msg.version}, protocol ${msg.protocol}`;
          const worker = `${kind.name} v${kind.version}, protocol ${JOB_PROTOCOL_VERSION}`;
          this.post({ type: 'failed', runId: msg.runId, message: `protocol mismatch: page ${page}, worker ${worker}` });
          return;
        }
        for (const r of this.runs.values()) r.controller.abort();
        const run: Run<J> = { controller: new AbortController(), live: null, early: [], refused: null };
        this.runs.set(msg.runId, run);
        this.queue = this.queue.then(() => this.run(msg.runId, msg.request, run));
        return;
      }
      case 'live': {
        const run = this.runs.get(msg.runId);
        if (!run) return;
        if (!run.live) {
          run.early.push(msg.live);
          return;
        }
        try {
          run.live(msg.live);
        } catch (e) {
          run.refused = `live update refused: ${errorText(e)}`;
          run.controller.abort();
        }
        return;
      }
      case 'cancel':
        this.runs.get(msg.runId)?.controller.abort();
        return;
      default:
        assertNever(msg);
    }
  }

  private async run(runId: number, request: J['request'], run: Run<J>): Promise<void> {
    const { signal } = run.controller;
    const ctx: JobContext<J> = {
      signal,
      progress: (progress) => this.post({ type: 'progress', runId, progress }),
      result: (result) => this.post({ type: 'result', runId, result }),
      yield: async () => {
        await this.yieldNow();
        signal.throwIfAborted();
      },
      onLive: (handler) => {
        run.live = handler;
        for (const live of run.early.splice(0)) handler(live);
      },
    };
    try {
      signal.throwIfAborted(); // superseded while it waited in the queue
      await this.ready();
      await this.job.run(request, ctx);
      this.post({ type: 'done', runId });
    } catch (e) {
      if (run.refused !== null) this.post({ type: 'failed', runId, message: run.refused });
      else if (signal.aborted) this.post({ type: 'cancelled', runId });
      else this.post({ type: 'failed', runId, message: errorText(e) });
    } finally {
      this.runs.delete(runId);
    }
  }
}
