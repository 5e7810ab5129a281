/**
 * One battery run as a unit (one model column, one test, one seed), its
 * result, and its JSON line. No Node imports: the run pool's child processes
 * (unit-worker.ts) and the headless-Chromium runner's page
 * (pages/unit-runner.ts) both run units with it.
 */
import { DEFAULT_BATTERY_CONFIG, runBattery, type BatteryConfig, type BatteryTestId, type DivergedAt } from '../engine/battery/battery';
import { BATTERY_MODELS, type BatteryModelName } from '../engine/battery/battery-models';

/** One model column on one test at one seed. */
export interface RunUnit {
  /** The column or variant it belongs to ("lara", "loopy eprop", "bias on"). */
  readonly column: string;
  readonly model: BatteryModelName;
  readonly params: Readonly<Record<string, unknown>>;
  readonly test: BatteryTestId;
  readonly seed: number;
  readonly trainSteps: number;
  readonly languageModel: BatteryConfig['languageModel'];
  /** Which study or section it belongs to, so equal columns of two sections stay apart. */
  readonly group?: string;
  /** Parallel lanes (the battery's default when absent). */
  readonly lanes?: number;
}

/** A unit's identity: group, column, test and seed. */
export function unitKey(u: Pick<RunUnit, 'group' | 'column' | 'test' | 'seed'>): string {
  return `${u.group ?? ''}|${u.column}|${u.test}|${u.seed}`;
}

export interface UnitResult extends RunUnit {
  /** NaN where not defined or diverged. */
  readonly score: number;
  readonly unit: string;
  readonly steps: number;
  readonly ms: number;
  readonly diverged: DivergedAt | null;
  readonly details: Readonly<Record<string, number>>;
}

/** Runs one unit in this process (tfjs must be ready). */
export async function runUnit(u: RunUnit): Promise<UnitResult> {
  const entry = BATTERY_MODELS[u.model];
  const problem = entry.validate(u.params);
  if (problem) throw new Error(`${u.column}: ${problem}`);
  const config = { ...DEFAULT_BATTERY_CONFIG, seed: u.seed, trainSteps: u.trainSteps, languageModel: u.languageModel, lanes: u.lanes ?? DEFAULT_BATTERY_CONFIG.lanes };
  const [r] = await runBattery((spec) => entry.create(spec, u.params), u.column, [u.test], config, {});
  if (!r) throw new Error(`${u.column} ${u.test}: no result`);
  return { ...u, score: r.score, unit: r.unit, steps: r.steps, ms: r.ms, diverged: r.diverged, details: r.details };
}

/** JSON with NaN and infinities as null (JSON has no NaN); `fromJson` reads them back as NaN. */
export function toJson(r: UnitResult): string {
  return JSON.stringify(r, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}

export function fromJson(line: string): UnitResult {
  const r = JSON.parse(line) as UnitResult & { score: number | null; details: Record<string, number | null> };
  const details = Object.fromEntries(Object.entries(r.details).map(([k, v]) => [k, v ?? NaN]));
  return { ...r, score: r.score ?? NaN, details };
}
