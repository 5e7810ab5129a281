/**
 * The battery job: a side worker runs the test battery on its own, so the
 * running experiment in the training worker is untouched. Sweeps are grids
 * of parameter values; every cell runs the chosen tests on a fresh model.
 * Only plain-data engine modules are imported for values: the page loads
 * this file, and tfjs must not come with it.
 */
import type { BatteryResult } from '../engine/battery/battery';
import type { BatteryModelName } from '../engine/battery/battery-model-info';
import type { BatteryTestId } from '../engine/battery/battery-tests';
import { jobKind } from './job-messages';

export type { BatteryModelName, BatteryResult, BatteryTestId };
export type { BatteryModelInfo } from '../engine/battery/battery-model-info';
export type { BatteryTestInfo } from '../engine/battery/battery-tests';
/** Each test's title, unit and description, by id (the engine's BATTERY adds how it runs). */
export { BATTERY_TEST_INFO as BATTERY, BATTERY_TESTS, STUDY_TESTS } from '../engine/battery/battery-tests';
/** Each model's description and parameter check, by name (the engine's BATTERY_MODELS adds how it is built). */
export { BATTERY_MODEL_INFO as BATTERY_MODELS, BATTERY_MODEL_NAMES } from '../engine/battery/battery-model-info';

/** One model to score, with the parameters of every sweep cell (one cell when not sweeping). */
export interface BatteryJob {
  readonly model: BatteryModelName;
  /** A label for tables ("lara", "gru", "lara nodes=16"). */
  readonly label: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** The seed this job runs at (a study repeats a job over seeds); absent: the request's. */
  readonly seed?: number;
}

/** A swept parameter and its values. */
export interface SweepAxis {
  readonly key: string;
  readonly values: readonly (number | string)[];
}

/** One battery run: every job on every test. */
export interface BatteryRequest {
  readonly jobs: readonly BatteryJob[];
  readonly tests: readonly BatteryTestId[];
  /** Train steps per training phase. */
  readonly trainSteps: number;
  /** Parallel episodes per train step. */
  readonly lanes: number;
  readonly seed: number;
  /** The sweep axes the jobs were built from, for the page's heatmap (empty when not sweeping); the worker ignores them. */
  readonly sweep: readonly SweepAxis[];
}

/** Where a run is: the job (model column) and test under way. */
export interface BatteryProgress {
  readonly job: number;
  readonly test: BatteryTestId;
  /** 0..1 within the test. */
  readonly fraction: number;
  /** 0..1 over the whole run. */
  readonly overall: number;
}

/** A battery result with the job (model column) it belongs to. */
export interface BatteryRow extends BatteryResult {
  readonly job: number;
}

/** The battery's payloads; it takes no live updates. */
export interface BatteryJobTypes {
  readonly request: BatteryRequest;
  readonly progress: BatteryProgress;
  readonly result: BatteryRow;
  readonly live: never;
}

/** The battery's kind: name and payload version (3: results say where a model diverged; 4: a job may carry its own seed). */
export const BATTERY_JOB = jobKind<BatteryJobTypes>('battery', 4);
