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
import { fromJson, type RunUnit, type UnitResult } from './battery-unit';

export { fromJson, runUnit, toJson, unitKey, type RunUnit, type UnitResult } from './battery-unit';

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
