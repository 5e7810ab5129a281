/**
 * Battery runs as units (one model, one test, one seed) and a pool that runs
 * them in parallel child processes, one per core by default: tfjs-wasm uses
 * one core per process, so two processes on two cores halve the wall time.
 * Each child (unit-worker.ts) takes a unit per line on stdin and answers a
 * result per line on stdout; the parent hands the next unit to whichever
 * child is free, so long and short units balance themselves.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
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
  const config = { ...DEFAULT_BATTERY_CONFIG, seed: u.seed, trainSteps: u.trainSteps, languageModel: u.languageModel };
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

const WORKER = fileURLToPath(new URL('./unit-worker.ts', import.meta.url));

/**
 * Runs `units` on `jobs` child processes (in order of hand-out, results in
 * the order they finish); `onResult` sees each as it lands. A child that
 * fails rejects the whole run.
 */
export async function runPool(units: readonly RunUnit[], jobs: number, onResult: (r: UnitResult, done: number) => void): Promise<UnitResult[]> {
  const results: UnitResult[] = [];
  let next = 0;
  const worker = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', WORKER], { stdio: ['pipe', 'pipe', 'inherit'] });
      const lines = createInterface({ input: child.stdout });
      const feed = (): void => {
        if (next < units.length) child.stdin.write(`${JSON.stringify(units[next++])}\n`);
        else child.stdin.end();
      };
      lines.on('line', (line) => {
        // Anything but a result (a library's notice) passes through to stderr.
        if (!line.startsWith('{')) return void console.error(line);
        const r = fromJson(line);
        results.push(r);
        onResult(r, results.length);
        feed();
      });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`a battery worker exited with code ${code}`))));
      feed();
    });
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, units.length)) }, worker));
  return results;
}
