/**
 * The study job: a side worker for studies that train many models or two
 * side by side (the routing λs sweep; transition representations against
 * BPTT), so the live experiment is untouched. Engine imports are types only,
 * but two plain-data modules (the cell kinds, the sequential depth): the page loads this file.
 */
import type { RouterKind, RoutingExperiment } from '../engine/routing/routing-params';
import type { SweepPoint } from '../engine/routing/routing-sweep';
import type { TransitionLiveParams, TransitionMode, TransitionRunInput } from '../engine/transitions/transition-training';
import { jobKind } from './job-messages';

export type { RouterKind, SweepPoint, TransitionLiveParams, TransitionMode, TransitionRunInput };
export { TRANSITION_CELL_KINDS, type TransitionCellKind } from '../engine/transitions/transition-cell-kinds';
export { sequentialDepth } from '../engine/transitions/transition-depth';

/** Transition representations against BPTT on one cell, task and seed. */
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

/** Compute saved against accuracy lost, one routed stack per λs and router kind (a curve each). */
export interface RoutingSweepStudy {
  readonly kind: 'routing-sweep';
  readonly experiment: RoutingExperiment;
  readonly lambdas: readonly number[];
  /** Router kinds trained at each λs (since version 3). */
  readonly routers: readonly RouterKind[];
  readonly steps: number;
}

/** What the study worker runs. */
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

/** What a study streams: batches of transition points, or one trained stack of the sweep. */
export type StudyResult =
  | { readonly kind: 'transitions'; readonly points: readonly TransitionPoint[] }
  | { readonly kind: 'routing-sweep'; readonly point: SweepPoint };

/** The study's payloads: progress is the share done, 0..1; live updates are the transitions mode's β and K. */
export interface StudyJobTypes {
  readonly request: Study;
  readonly progress: number;
  readonly result: StudyResult;
  readonly live: TransitionLiveParams;
}

/** The study's kind: name and payload version (3: the routing sweep names its router kinds, its points their kind). */
export const STUDY_JOB = jobKind<StudyJobTypes>('study', 3);
