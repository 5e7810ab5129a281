/**
 * Splitting `npm run results` over machines: `--shard i/N` runs every N-th
 * unit of the plan (from i, counting from 0, as a Kubernetes Indexed Job's
 * JOB_COMPLETION_INDEX and a Slurm array's SLURM_ARRAY_TASK_ID with
 * --array=0-(N-1) count) and writes JSON lines: a plan line, one line per
 * run as it lands, and a done line. `--merge` reads the shards' files back,
 * checks they are the same plan, every shard once, finished, every unit
 * once, and builds the same document as a single run.
 */
import { fromJson, toJson, unitKey, type UnitResult } from './run-units';
import { planProblem, resultsUnits, type ResultsPlan, type ResultsTiming } from './results-plan';

export interface Shard {
  /** 0..count-1. */
  readonly index: number;
  readonly count: number;
}

export const WHOLE: Shard = { index: 0, count: 1 };

/** "i/N" with 0 ≤ i < N, or a sentence saying what is wrong. */
export function parseShard(text: string): Shard | string {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return `--shard must be i/N (such as 0/3), got "${text}"`;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) return '--shard i/N needs N >= 1';
  if (index >= count) return `--shard ${text}: i counts from 0, so it must be below N (0/${count} … ${count - 1}/${count})`;
  return { index, count };
}

/** Every count-th item from index: round-robin over the hand-out order, so each shard gets a share of the slow units. */
export function shardItems<T>(items: readonly T[], shard: Shard): T[] {
  return items.filter((_, i) => i % shard.count === shard.index);
}

interface PlanLine {
  readonly kind: 'plan';
  readonly plan: ResultsPlan;
  readonly shard: Shard;
  readonly units: number;
  readonly machine: string;
}
interface DoneLine {
  readonly kind: 'done';
  readonly minutes: number;
  readonly processes: number;
  /** The backend the shard's runs used (a webgpu request may have fallen back to wasm). */
  readonly ranOn: string;
}

export const planLine = (plan: ResultsPlan, shard: Shard, units: number, machine: string): string => JSON.stringify({ kind: 'plan', plan, shard, units, machine } satisfies PlanLine);
export const runLine = (r: UnitResult): string => toJson({ ...r, kind: 'run' } as UnitResult);
export const doneLine = (minutes: number, processes: number, ranOn: string): string => JSON.stringify({ kind: 'done', minutes, processes, ranOn } satisfies DoneLine);

/** A run line back as a result (without its kind tag). */
function runOf(line: string): UnitResult {
  const { kind: _, ...r } = fromJson(line) as UnitResult & { kind?: string };
  return r;
}

export interface Merged {
  readonly plan: ResultsPlan;
  readonly results: UnitResult[];
  readonly timing: ResultsTiming;
}

/** The shards' files merged, or an Error whose message names the file and what is wrong. */
export function mergeShards(files: readonly { readonly name: string; readonly text: string }[]): Merged {
  if (files.length === 0) throw new Error('--merge needs the shards\' files');
  let plan: ResultsPlan | null = null;
  let count = 0;
  const seen = new Map<number, string>();
  const results = new Map<string, UnitResult>();
  const machines = new Set<string>();
  const backends = new Set<string>();
  let minutes = 0;
  let processes = 0;
  for (const { name, text } of files) {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    let head: PlanLine | null = null;
    let done: DoneLine | null = null;
    for (const [n, line] of lines.entries()) {
      let kind: unknown;
      try {
        kind = (JSON.parse(line) as { kind?: unknown }).kind;
      } catch {
        throw new Error(`${name}, line ${n + 1}: not JSON`);
      }
      if (kind === 'plan') {
        if (head) throw new Error(`${name}: two plan lines (one file per shard)`);
        head = JSON.parse(line) as PlanLine;
        const problem = planProblem(head.plan);
        if (problem) throw new Error(`${name}: ${problem}`);
        if (plan && JSON.stringify(plan) !== JSON.stringify(head.plan)) throw new Error(`${name}: a different plan (steps, seeds or columns) from ${files[0]?.name}`);
        if (count && head.shard.count !== count) throw new Error(`${name}: shard of ${head.shard.count}, the others of ${count}`);
        const twin = seen.get(head.shard.index);
        if (twin !== undefined) throw new Error(`${name}: shard ${head.shard.index}/${head.shard.count} again (also ${twin})`);
        plan = head.plan;
        count = head.shard.count;
        seen.set(head.shard.index, name);
      } else if (kind === 'done') done = JSON.parse(line) as DoneLine;
      else if (kind === 'run') {
        if (!head) throw new Error(`${name}, line ${n + 1}: a run before the plan line`);
        const r = runOf(line);
        const key = unitKey(r);
        if (results.has(key)) throw new Error(`${name}: ${r.column} ${r.test} seed ${r.seed} is also in another file (a shard merged twice?)`);
        results.set(key, r);
      } else throw new Error(`${name}, line ${n + 1}: unknown line kind ${JSON.stringify(kind)}`);
    }
    if (!head) throw new Error(`${name}: no plan line (is it the output of npm run results -- --shard i/N?)`);
    if (!done) throw new Error(`${name}: shard ${head.shard.index}/${head.shard.count} did not finish (no done line); run it again`);
    machines.add(head.machine);
    backends.add(done.ranOn);
    minutes = Math.max(minutes, done.minutes);
    processes += done.processes;
  }
  const missingShards = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missingShards.length > 0) throw new Error(`missing shard${missingShards.length > 1 ? 's' : ''} ${missingShards.map((i) => `${i}/${count}`).join(', ')}`);
  const planned = resultsUnits(plan as ResultsPlan);
  const missing = planned.filter((u) => !results.has(unitKey(u)));
  if (missing.length > 0) throw new Error(`${missing.length} planned runs are missing, first ${missing[0]?.column} ${missing[0]?.test} seed ${missing[0]?.seed}`);
  if (results.size !== planned.length) throw new Error(`${results.size - planned.length} runs are not in the plan`);
  return { plan: plan as ResultsPlan, results: [...results.values()], timing: { minutes, processes, shards: count, machines: [...machines], backends: [...backends] } };
}
