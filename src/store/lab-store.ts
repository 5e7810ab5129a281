/**
 * The lab's vanilla zustand store, in slices. Only slow things live here
 * (parameters, play state, throttled stats, messages): frames go from the
 * client straight to the views' refs, never through React state.
 */
import { createStore, type StateCreator } from 'zustand/vanilla';
import type { BatteryJob, BatteryRow, BatteryTestId, SweepAxis } from '../protocol/battery-messages';
import type { JobStatus } from '../protocol/job-messages';
import type { HeldOutPoint, Speed } from '../protocol/messages';
import type { Study, SweepPoint, TransitionPoint } from '../protocol/study-messages';
import { DEFAULT_EXPERIMENT, type BackendChoice, type BackendName, type Experiment } from '../protocol/experiment';

export interface ExperimentSlice {
  readonly experiment: Experiment;
  readonly backendChoice: BackendChoice;
  setExperiment(experiment: Experiment): void;
  setBackendChoice(choice: BackendChoice): void;
}

export interface RunSlice {
  readonly playing: boolean;
  readonly step: number;
  readonly backend: BackendName | null;
  readonly backendReason: string;
  /** Latest train loss (nats) and accuracy, throttled to frame rate. */
  readonly loss: number | null;
  readonly accuracy: number | null;
  readonly stepsPerSecond: number;
  /** The median of the running network's recent train steps (ms), on which backend, with which experiment; null before any are timed. */
  readonly measuredStep: MeasuredStep | null;
  readonly nodeCount: number;
  readonly edgeCount: number;
  /** How the worker paces training for the eye (not part of the experiment). */
  readonly speed: Speed;
  /** What the worker is still preparing ("Loading MNIST digits", "Building the network"), or null. */
  readonly loading: string | null;
  /** The latest held-out evaluation of the running network, or null before the first. */
  readonly heldOut: HeldOutPoint | null;
  setRun(patch: Partial<Omit<RunSlice, 'setRun'>>): void;
}

/** Train-step time the lab measured: slider warnings scale their estimates by it (only on its backend, for its model kind). */
export interface MeasuredStep {
  readonly ms: number;
  readonly backend: BackendName;
  readonly experiment: Experiment;
}

export interface Notice {
  readonly id: number;
  readonly level: 'info' | 'warning' | 'error';
  readonly message: string;
}

export interface NoticeSlice {
  /** Shown in the role="alert" region: the latest problem the user must read. */
  readonly alert: string | null;
  readonly notices: readonly Notice[];
  notify(level: Notice['level'], message: string): void;
  setAlert(message: string | null): void;
  dismiss(id: number): void;
}

export type { BatteryRow };

/** What every job slice holds: written by the job client, the rest of the slice by the job kind. */
export interface JobRunState {
  /** The run the slice shows; messages of other runs are a superseded run's stragglers. */
  readonly runId: number;
  readonly status: JobStatus;
  /** status === 'running', kept for selectors. */
  readonly running: boolean;
  /** Why the last run stopped early, if it did. */
  readonly message: string | null;
}

const IDLE_RUN: JobRunState = { runId: 0, status: 'idle', running: false, message: null };

/** The latest battery run: its jobs, tests, progress and the rows so far. */
export interface BatteryState extends JobRunState {
  /** Overall progress 0..1 and the test under way. */
  readonly progress: number;
  readonly currentTest: BatteryTestId | null;
  readonly jobs: readonly BatteryJob[];
  readonly tests: readonly BatteryTestId[];
  /** Sweep axes of the run (parameter name and values), if any. */
  readonly sweep: readonly SweepAxis[];
  readonly rows: readonly BatteryRow[];
}

export interface BatterySlice {
  readonly battery: BatteryState;
  setBattery(patch: Partial<BatteryState>): void;
}

/** The latest study (transitions or routing sweep): its points so far. */
export interface StudyState extends JobRunState {
  readonly kind: Study['kind'] | null;
  readonly transitionPoints: readonly TransitionPoint[];
  readonly sweepPoints: readonly SweepPoint[];
  /** Share of the study done, 0..1. */
  readonly progress: number;
}

export interface StudySlice {
  readonly study: StudyState;
  setStudy(patch: Partial<StudyState>): void;
}

export type LabState = ExperimentSlice & RunSlice & NoticeSlice & BatterySlice & StudySlice;

const experimentSlice =
  (initial: Experiment, backendChoice: BackendChoice): StateCreator<LabState, [], [], ExperimentSlice> =>
  (set) => ({
    experiment: initial,
    backendChoice,
    setExperiment: (experiment) => set({ experiment }),
    setBackendChoice: (choice) => set({ backendChoice: choice }),
  });

const runSlice: StateCreator<LabState, [], [], RunSlice> = (set) => ({
  playing: false,
  step: 0,
  backend: null,
  backendReason: '',
  loss: null,
  accuracy: null,
  stepsPerSecond: 0,
  measuredStep: null,
  nodeCount: 0,
  edgeCount: 0,
  speed: 'normal',
  loading: null,
  heldOut: null,
  setRun: (patch) => set(patch),
});

const MAX_NOTICES = 5;
let nextNoticeId = 1;

const noticeSlice: StateCreator<LabState, [], [], NoticeSlice> = (set) => ({
  alert: null,
  notices: [],
  notify: (level, message) =>
    set((s) => ({ notices: [...s.notices, { id: nextNoticeId++, level, message }].slice(-MAX_NOTICES) })),
  setAlert: (alert) => set({ alert }),
  dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
});

const batterySlice: StateCreator<LabState, [], [], BatterySlice> = (set) => ({
  battery: { ...IDLE_RUN, progress: 0, currentTest: null, jobs: [], tests: [], sweep: [], rows: [] },
  setBattery: (patch) => set((s) => ({ battery: { ...s.battery, ...patch } })),
});

const studySlice: StateCreator<LabState, [], [], StudySlice> = (set) => ({
  study: { ...IDLE_RUN, kind: null, transitionPoints: [], sweepPoints: [], progress: 0 },
  setStudy: (patch) => set((s) => ({ study: { ...s.study, ...patch } })),
});

export function createLabStore(initial: Experiment = DEFAULT_EXPERIMENT, backendChoice: BackendChoice = 'auto') {
  return createStore<LabState>()((...a) => ({
    ...experimentSlice(initial, backendChoice)(...a),
    ...runSlice(...a),
    ...noticeSlice(...a),
    ...batterySlice(...a),
    ...studySlice(...a),
  }));
}

export type LabStore = ReturnType<typeof createLabStore>;
