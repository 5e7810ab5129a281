/** Shards: a plan split three ways over separate processes merges into the document a single process writes. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resultsDocument, resultsUnits, type ResultsPlan } from './results-plan';
import { doneLine, mergeShards, parseShard, planLine, runLine, shardItems } from './run-shards';
import type { UnitResult } from './run-units';

const CLI = join(import.meta.dirname, 'results-cli.ts');
const PLAN_FLAGS = ['--columns', 'gru,memoryless,random', '--seeds', '2', '--steps', '2', '--jobs', '1'];
const plan: ResultsPlan = { trainSteps: 2, seeds: [1, 2], columns: ['gru', 'memoryless', 'random'] };

function results(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const fakeResult = (u: ReturnType<typeof resultsUnits>[number], score: number): UnitResult => ({ ...u, score, unit: 'accuracy', steps: 2, ms: 5, diverged: null, details: {} });

describe('shards', () => {
  it('reads i/N counting from 0 and explains a bad one', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard('3/3')).toMatch(/counts from 0/);
    expect(parseShard('1-3')).toMatch(/must be i\/N/);
    expect(parseShard('0/0')).toMatch(/N >= 1/);
  });

  it('splits the units into disjoint shards that cover them all', () => {
    const units = resultsUnits(plan);
    const shards = [0, 1, 2].map((index) => shardItems(units, { index, count: 3 }));
    expect(shards.flat()).toHaveLength(units.length);
    expect(new Set(shards.flat())).toEqual(new Set(units));
    expect(Math.max(...shards.map((s) => s.length)) - Math.min(...shards.map((s) => s.length))).toBeLessThanOrEqual(1);
  });

  it('refuses a missing, repeated, unfinished or different shard with a sentence naming it', () => {
    const units = resultsUnits(plan);
    const file = (index: number, count: number, p: ResultsPlan = plan, done = true): { name: string; text: string } => ({
      name: `s${index}.jsonl`,
      text: [planLine(p, { index, count }, 0, 'm'), ...shardItems(units, { index, count }).map((u, i) => runLine(fakeResult(u, i / 10))), ...(done ? [doneLine(1, 1, 'wasm')] : [])].join('\n'),
    });
    expect(() => mergeShards([file(0, 2)])).toThrow('missing shard 1/2');
    expect(() => mergeShards([file(0, 2), file(0, 2)])).toThrow(/again/);
    expect(() => mergeShards([file(0, 2), file(1, 2, plan, false)])).toThrow(/did not finish/);
    expect(() => mergeShards([file(0, 2), file(1, 2, { ...plan, trainSteps: 3 })])).toThrow(/different plan/);
    expect(() => mergeShards([{ name: 'x', text: 'not json' }])).toThrow('x, line 1: not JSON');
    const short = file(1, 2);
    const cut = { ...short, text: short.text.split('\n').filter((_, i) => i !== 1).join('\n') };
    expect(() => mergeShards([file(0, 2), cut])).toThrow(/1 planned runs are missing/);
    expect(mergeShards([file(0, 2), file(1, 2)]).results).toHaveLength(units.length);
  });

  it('three shard processes merge into the table one process writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shards-'));
    const [single, ...shards] = await Promise.all([
      results([...PLAN_FLAGS, '--runs', join(dir, 'single.jsonl'), '--out', join(dir, 'single.md')]),
      ...[0, 1, 2].map((i) => results([...PLAN_FLAGS, '--shard', `${i}/3`])),
    ]);
    for (const r of [single, ...shards]) expect(r?.code, r?.stderr).toBe(0);
    const merged = mergeShards(shards.map((s, i) => ({ name: `shard ${i}`, text: s.stdout })));
    const one = mergeShards([{ name: 'single', text: readFileSync(join(dir, 'single.jsonl'), 'utf8') }]);
    expect(merged.timing.shards).toBe(3);
    expect(merged.results).toHaveLength(resultsUnits(plan).length);
    const table = resultsDocument(plan, merged.results, null);
    expect(table).toBe(resultsDocument(plan, one.results, null));
    expect(table).toContain('| 10. Language model | bits/char |');

    // The command's own merge writes the same tables (timings aside).
    for (const [i, s] of shards.entries()) writeFileSync(join(dir, `s${i}.jsonl`), s.stdout);
    const cli = await results(['--merge', ...[0, 1, 2].map((i) => join(dir, `s${i}.jsonl`)), '--out', join(dir, 'merged.md')]);
    expect(cli.code, cli.stderr).toBe(0);
    const rows = (doc: string): string[] => doc.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| wall time'));
    expect(rows(readFileSync(join(dir, 'merged.md'), 'utf8'))).toEqual(rows(table));
    expect(rows(readFileSync(join(dir, 'single.md'), 'utf8'))).toEqual(rows(table));
  }, 180_000);
});
