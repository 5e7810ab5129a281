/**
 * Messages of the study worker: a third worker for studies that train many
 * models or two side by side (the routing λs sweep; transition
 * representations against BPTT), so the live experiment is untouched.
 */
import type { RoutingExperiment } from '../engine/experiments';
import type { SweepPoint } from '../engine/routing/routing-sweep';
import type { TransitionLiveParams, TransitionMode, TransitionRunInput } from '../engine/transitions/transition-training';

export const STUDY_PROTOCOL_VERSION = 1;

export type { SweepPoint, TransitionLiveParams, TransitionMode, TransitionRunInput };
export { TRANSITION_CELL_KINDS } from '../engine/transitions/transition-cell';

export interface TransitionStudy {
  readonly kind: 'transitions';
  /** The run's options; its `mode` is ignored: the modes below run side by side. */
  readonly options: TransitionRunInput;
  /** 'transitions' and/or 'bptt'. */
  readonly modes: readonly TransitionMode[];
  readonly steps: number;
  /** Steps between held-out roll-outs. */
  readonly evalEvery: number;
}

export interface RoutingSweepStudy {
  readonly kind: 'routing-sweep';
  readonly experiment: RoutingExperiment;
  readonly lambdas: readonly number[];
  readonly steps: number;
}

export type Study = TransitionStudy | RoutingSweepStudy;

/** One train step of one mode; rollout is set on the steps a held-out roll-out ran. */
export interface TransitionPoint {
  readonly mode: TransitionMode;
  readonly step: number;
  readonly loss: number;
  /** Training wall-clock so far, ms (roll-outs not counted). */
  readonly ms: number;
  readonly refreshed: boolean;
  readonly rollout: { readonly loss: number; readonly accuracy: number } | null;
}

export type ToStudyWorker =
  | { readonly type: 'start'; readonly version: number; readonly runId: number; readonly study: Study }
  | { readonly type: 'setLive'; readonly runId: number; readonly live: TransitionLiveParams }
  | { readonly type: 'cancel'; readonly runId: number };

export type FromStudyWorker =
  | { readonly type: 'transitionPoints'; readonly runId: number; readonly points: readonly TransitionPoint[] }
  | { readonly type: 'sweepPoint'; readonly runId: number; readonly point: SweepPoint; readonly done: number; readonly total: number }
  | { readonly type: 'done'; readonly runId: number; readonly cancelled: boolean }
  | { readonly type: 'failed'; readonly runId: number; readonly message: string };
