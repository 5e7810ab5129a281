/**
 * Messages of a job worker: a side worker that runs one job at a time (the
 * test battery, a study) beside the live experiment. One protocol for every
 * kind of job, typed by the kind's request, progress, result and live-update
 * payloads. Bump JOB_PROTOCOL_VERSION on a change here, a kind's version on a
 * change to its payloads.
 */

/** Version of the message shapes below. */
export const JOB_PROTOCOL_VERSION = 1;

/** The payload types of one kind of job; `live` is `never` for kinds that take no live updates. */
export interface JobTypes {
  readonly request: unknown;
  readonly progress: unknown;
  readonly result: unknown;
  readonly live: unknown;
}

/** Names a kind of job and the version of its payloads; the page and the worker must agree on both. */
export interface JobKind<J extends JobTypes> {
  readonly name: string;
  readonly version: number;
  /** Never set: ties the kind to its payload types, so a client and a worker of different kinds do not type-check together. */
  readonly types?: J;
}

/** A kind of job with payloads J. */
export function jobKind<J extends JobTypes>(name: string, version: number): JobKind<J> {
  return { name, version };
}

/** How a run ended. */
export type JobEnd = 'done' | 'cancelled' | 'failed';

/** Where a kind's latest run stands. */
export type JobStatus = 'idle' | 'running' | JobEnd;

// ---- main thread -> worker ----

/** Page to worker. */
export type ToJobWorker<J extends JobTypes> =
  /** Start run `runId`; the worker aborts every earlier run first. */
  | {
      readonly type: 'start';
      readonly protocol: number;
      readonly kind: string;
      readonly version: number;
      readonly runId: number;
      readonly request: J['request'];
    }
  /** Change a running run's live parameters. */
  | { readonly type: 'live'; readonly runId: number; readonly live: J['live'] }
  | { readonly type: 'cancel'; readonly runId: number };

// ---- worker -> main thread ----

/** Worker to page. Every run ends with exactly one of done, cancelled or failed; progress and results come before it. */
export type FromJobWorker<J extends JobTypes> =
  | { readonly type: 'progress'; readonly runId: number; readonly progress: J['progress'] }
  | { readonly type: 'result'; readonly runId: number; readonly result: J['result'] }
  | { readonly type: 'done'; readonly runId: number }
  /** Stopped by a cancel or by a newer request; the results sent before stand. */
  | { readonly type: 'cancelled'; readonly runId: number }
  | { readonly type: 'failed'; readonly runId: number; readonly message: string };
