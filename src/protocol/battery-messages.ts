/**
 * Messages of the battery worker: a second worker that runs the test
 * battery on its own, so the running experiment in the training worker is
 * untouched. Sweeps are grids of parameter values; every cell runs the
 * chosen tests on a fresh model.
 */
import type { BatteryResult, BatteryTestId } from '../engine/battery/battery';
import type { BatteryModelName } from '../engine/battery/battery-models';

export const BATTERY_PROTOCOL_VERSION = 1;

export type { BatteryModelName, BatteryResult, BatteryTestId };
export { BATTERY, BATTERY_TESTS } from '../engine/battery/battery';
export { BATTERY_MODEL_NAMES, BATTERY_MODELS } from '../engine/battery/battery-models';

/** One model to score, with the parameters of every sweep cell (one cell when not sweeping). */
export interface BatteryJob {
  readonly model: BatteryModelName;
  /** A label for tables ("lara", "gru", "lara nodes=16"). */
  readonly label: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface BatteryRun {
  readonly runId: number;
  readonly jobs: readonly BatteryJob[];
  readonly tests: readonly BatteryTestId[];
  readonly trainSteps: number;
  readonly lanes: number;
  readonly seed: number;
}

export type ToBatteryWorker =
  | { readonly type: 'run'; readonly version: number; readonly run: BatteryRun }
  | { readonly type: 'cancel'; readonly runId: number };

export type FromBatteryWorker =
  | { readonly type: 'progress'; readonly runId: number; readonly job: number; readonly test: BatteryTestId; readonly fraction: number; readonly overall: number }
  | { readonly type: 'result'; readonly runId: number; readonly job: number; readonly result: BatteryResult }
  | { readonly type: 'done'; readonly runId: number; readonly cancelled: boolean }
  | { readonly type: 'failed'; readonly runId: number; readonly message: string };
