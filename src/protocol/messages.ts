/**
 * Messages between the main thread and the training worker: discriminated
 * unions on `type`, both ways. Streams travel as typed arrays in
 * transferables, never as JSON arrays. Bump PROTOCOL_VERSION on any change.
 */
import type { Graph } from '../engine/graph';
import type { HeldOutEval } from '../engine/training/held-out';
import type { ProbeTrace } from '../engine/training/probe-trace';
import type { TopologyEvent } from '../engine/training/step-result';
import type { ModelDetail } from '../engine/model-registry';
import type { AnyLiveParams, BackendChoice, BackendName, Experiment } from './experiment';
import type { ModelDocument } from './model-document';
import type { OwnDataFile } from './own-data';

export const PROTOCOL_VERSION = 7;

/**
 * How the worker paces training for the eye (a view setting, never part of
 * the experiment): `normal` frames at display rate; `fast` FAST_FRAME_FACTOR
 * times fewer frames, so more steps per frame and less time probing; `slow`
 * one step per frame, the next step only after the page acked the frame and
 * the view had SLOW_HOP_MS for each of its ticks (at least SLOW_MIN_FRAME_MS).
 */
export const SPEEDS = ['slow', 'normal', 'fast'] as const;
export type Speed = (typeof SPEEDS)[number];

/** Least ms between frames at normal speed. */
export const FRAME_INTERVAL_MS = 150;
export const FAST_FRAME_FACTOR = 4;
/** Slow motion: ms a view may give each tick of a frame (the graph view's longest hop is 260 ms), and the least ms per frame. */
export const SLOW_HOP_MS = 250;
export const SLOW_MIN_FRAME_MS = 400;

/** Slow motion: the ms the worker leaves between a frame of `ticks` ticks and the next step. */
export function slowFrameMs(ticks: number, hopMs = SLOW_HOP_MS): number {
  return Math.max(SLOW_MIN_FRAME_MS, ticks * hopMs);
}

export function isSpeed(x: unknown): x is Speed {
  return (SPEEDS as readonly unknown[]).includes(x);
}

export type { Graph, ModelDetail, TopologyEvent };

/**
 * The page sends a ping every HEARTBEAT_MS and the worker answers at once
 * (between steps: the loop yields after each). A worker silent for
 * `silentDeadlineMs` has stopped (closed itself, killed without an error
 * event, wedged): the page replaces it and resumes from the checkpoint.
 */
export const HEARTBEAT_MS = 1000;
/** The least silence that counts as a stopped worker; a long step or build widens it (silentDeadlineMs). */
export const SILENT_WORKER_MS = 10_000;

/**
 * How long a worker may stay silent before it counts as stopped: at least
 * SILENT_WORKER_MS, and four times the slowest recent step (the worker only
 * answers between steps). Frames do not count: the page stops acking in a
 * hidden tab and slow motion spaces them on purpose; only pongs and other
 * messages do.
 */
export function silentDeadlineMs(slowestStepMs: number, floorMs = SILENT_WORKER_MS): number {
  return Math.max(floorMs, 4 * (Number.isFinite(slowestStepMs) ? slowestStepMs : 0));
}

/**
 * Faults the e2e tests inject into the training worker (only
 * window.__loopyLab.injectFault sends them): `throw` an uncaught error (the
 * worker's error event), `close` the worker from inside without an error
 * event, `silence` it (it stops answering and training but stays alive), or
 * `loseDevice` (GPUDevice.destroy() on the WebGPU backend's device).
 */
export const WORKER_FAULTS = ['throw', 'close', 'silence', 'loseDevice'] as const;
export type WorkerFault = (typeof WORKER_FAULTS)[number];

/** What the training worker holds in memory (for the resident-memory bench); null where the browser or backend does not say. */
export interface WorkerMemory {
  readonly numTensors: number;
  /** Bytes tfjs holds in tensors. */
  readonly numBytes: number;
  /** The wasm backend's linear memory (it grows and never shrinks); null off wasm. */
  readonly wasmHeapBytes: number | null;
  /** The worker's JS heap in use (performance.memory, Chromium only). */
  readonly jsHeapBytes: number | null;
}
export type { GraphEdge, GraphLayoutHint, GraphNode, NodePosition, NodeRole } from '../engine/graph';
export { gateRowOffset } from '../engine/training/probe-trace';

// ---- main thread -> worker ----

export type ToWorker =
  | { readonly type: 'hello'; readonly version: number }
  /** Start (or restart) an experiment from its parameters: new graph, new weights. `data`: the own data set its task reads (own-text, own-csv). */
  | { readonly type: 'reset'; readonly experiment: Experiment; readonly data?: OwnDataFile }
  | { readonly type: 'play' }
  | { readonly type: 'pause' }
  /** Run `steps` train steps, then stop. */
  | { readonly type: 'step'; readonly steps: number }
  /** Change parameters without restarting. */
  | { readonly type: 'setParams'; readonly params: AnyLiveParams }
  /** Choose a backend; `exclude` are backends this page saw fail (a lost device) and must not use again. */
  | { readonly type: 'setBackend'; readonly backend: BackendChoice; readonly exclude?: readonly BackendName[] }
  /** Heartbeat: the worker answers `pong` with the same id. */
  | { readonly type: 'ping'; readonly id: number }
  /** Test hook (see WORKER_FAULTS); never sent by the lab itself. */
  | { readonly type: 'testFault'; readonly fault: WorkerFault }
  /** What the worker holds in memory (WorkerMemory; the bench asks). */
  | { readonly type: 'memory'; readonly requestId: number }
  /** The client has drawn frame `frameId`; the worker may send the next. */
  | { readonly type: 'ack'; readonly frameId: number }
  | { readonly type: 'export'; readonly requestId: number }
  /** Replace the running network by a validated document. */
  | { readonly type: 'import'; readonly requestId: number; readonly document: ModelDocument }
  /** Class probabilities on the experiment's fixed evaluation sequence. */
  | { readonly type: 'predict'; readonly requestId: number }
  /** Pacing for the eye; applies at once and never restarts training. */
  | { readonly type: 'setSpeed'; readonly speed: Speed };

// ---- worker -> main thread ----

/** What every frame carries, whatever the model: counters and the steps since the last frame. */
export interface FrameCommon {
  readonly type: 'frame';
  readonly frameId: number;
  readonly step: number;
  readonly tick: number;
  /** Train steps per second over the last frame interval. */
  readonly stepsPerSecond: number;
  /** Step number, loss, accuracy and ms of every step since the last frame. */
  readonly stepNumbers: Float64Array;
  readonly losses: Float32Array;
  readonly accuracies: Float32Array;
  readonly stepMs: Float32Array;
}

/**
 * Loss (nats) and accuracy on data the model never trains on, at `step`: a
 * fixed evaluation stream from its own seed (sequence tasks) or test-split
 * rows (datasets). Taken when training starts, about once a second of
 * training, and when it stops; at most a tenth of the training time.
 */
export interface HeldOutPoint extends HeldOutEval {
  /** What the evaluation cost (ms). */
  readonly ms: number;
}

/**
 * The graph's part, which every model has: the probe lane's per-tick trace
 * (active set, activity, gates, thread moves, reads; see ProbeTrace) and the
 * visit share of each node [L] (EMA over training).
 */
export interface FrameTrace extends ProbeTrace {
  readonly visitShare: Float32Array;
}

/**
 * One display frame: the common part, the graph trace, and the model's own
 * part for its view, tagged by `kind` (DNA cells, the routing stack; null
 * when the graph view says it all). Typed arrays only: the transfer list is
 * collected from them (transferablesOf).
 */
export type FrameMessage = FrameCommon & FrameTrace & { readonly detail: ModelDetail };

export type FromWorker =
  | { readonly type: 'ready'; readonly version: number }
  | {
      readonly type: 'backend';
      readonly backend: BackendName;
      /** Why this backend, and why better ones were skipped. */
      readonly reason: string;
    }
  /** The whole graph, sent on every start and after births or deaths. */
  | {
      readonly type: 'topology';
      readonly graph: Graph;
      readonly events: readonly TopologyEvent[];
      readonly experiment: Experiment;
      readonly step: number;
      /** Set when this network is the checkpoint a non-finite step rolled back to: why it rolled back. */
      readonly rolledBack?: string;
    }
  | FrameMessage
  /** A held-out evaluation of the running network (see HeldOutPoint). */
  | { readonly type: 'heldOut'; readonly point: HeldOutPoint }
  /**
   * Play state and what is being prepared. `playing`: training runs or will
   * as soon as the trainer is ready (a Play pressed while a dataset loads is
   * kept). `loading`: what is still being prepared, as a phrase ("Loading
   * MNIST digits", "Building the network"), shown after a short delay so
   * quick ones never flash; or null.
   */
  | {
      readonly type: 'status';
      readonly playing: boolean;
      readonly step: number;
      readonly loading: string | null;
      /** Tensors the worker's backend holds (tf.memory().numTensors), for leak checks across imports; absent from test doubles. */
      readonly tensors?: number;
    }
  /** Something the user should read: a rollback, a fallback, a refused command. */
  | { readonly type: 'notice'; readonly level: 'info' | 'warning' | 'error'; readonly message: string }
  | { readonly type: 'exported'; readonly requestId: number; readonly document: ModelDocument }
  /** The running network, sent when training stops and periodically while it runs: a new worker resumes from it after a crash. */
  | { readonly type: 'checkpoint'; readonly document: ModelDocument }
  | { readonly type: 'imported'; readonly requestId: number; readonly ok: true }
  | { readonly type: 'importFailed'; readonly requestId: number; readonly message: string }
  | { readonly type: 'predicted'; readonly requestId: number; readonly probabilities: Float32Array }
  | { readonly type: 'pong'; readonly id: number }
  | { readonly type: 'memory'; readonly requestId: number; readonly report: WorkerMemory }
  /** The backend's GPU device was lost: this worker can do nothing more; the page replaces it, without that backend. */
  | { readonly type: 'deviceLost'; readonly backend: BackendName; readonly message: string };

/**
 * The buffers of every typed array inside `value` (objects and arrays walked
 * a few levels deep), each once: a message's transfer list, collected from
 * what it holds rather than listed by hand.
 */
export function transferablesOf(value: unknown): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const walk = (v: unknown, depth: number): void => {
    if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer) buffers.add(v.buffer);
    } else if (typeof v === 'object' && v !== null && depth < 4) {
      for (const x of Object.values(v)) walk(x, depth + 1);
    }
  };
  walk(value, 0);
  return [...buffers];
}

/** Anything that can carry messages: a Worker, a worker's global scope, a MessagePort (tests). */
export interface Endpoint<In, Out> {
  postMessage(message: Out, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<In>) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent<In>) => void): void;
}

/** Compile-time exhaustiveness check for switches over message types. */
export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}
