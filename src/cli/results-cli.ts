/**
 * npm run results [-- --seeds 3 --steps 150 --jobs N --columns a,b --backend wasm|webgpu --runs FILE --out FILE]
 *   writes docs/RESULTS.md (or FILE) from one run pool (run-units.ts, one process per core;
 *   webgpu: one headless Chromium page, browser-units.ts, or wasm where it finds no adapter);
 *   --runs also keeps every run as a JSON line.
 * npm run results -- --shard i/N [--runs FILE] [same plan flags]
 *   runs every N-th unit from i (0 ≤ i < N) and writes JSON lines (stdout, or --runs FILE), no document.
 * npm run results -- --merge FILE... [--out FILE]
 *   builds the document from the shards' files, as a single run would (run-shards.ts).
 * What runs and how it is written: results-plan.ts. Study sections
 * (`npm run study -- NAME --write`, results-sections.ts) of the old file are kept.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { DEFAULT_BATTERY_CONFIG } from '../engine/battery/battery';
import { CLI_BACKENDS, runUnitsOn } from './browser-units';
import { CliFlags } from './cli-flags';
import { machineLine, planProblem, RESULTS_COLUMNS, resultsDocument, resultsUnits, type ResultsPlan, type ResultsTiming } from './results-plan';
import { keepStudySections, RESULTS_FILE } from './results-sections';
import { doneLine, mergeShards, parseShard, planLine, runLine, shardItems, WHOLE } from './run-shards';
import type { UnitResult } from './battery-unit';

// Annotated, so that TypeScript reads flags.fail() as ending the program.
const flags: CliFlags = new CliFlags('results', process.argv.slice(2), [], ['merge']);

function writeDocument(out: string, plan: ResultsPlan, results: readonly UnitResult[], timing: ResultsTiming): void {
  mkdirSync(dirname(out), { recursive: true });
  const doc = resultsDocument(plan, results, timing);
  writeFileSync(out, keepStudySections(doc, existsSync(out) ? readFileSync(out, 'utf8') : ''));
  console.error(`wrote ${out}`);
}

if (flags.has('merge')) {
  const out = flags.string('out', RESULTS_FILE);
  flags.done();
  const files = flags.positional.map((name) => (existsSync(name) ? { name, text: readFileSync(name, 'utf8') } : flags.fail(`${name}: no such file`)));
  let merged;
  try {
    merged = mergeShards(files);
  } catch (e) {
    flags.fail(e instanceof Error ? e.message : String(e));
  }
  console.error(`merged ${merged.results.length} runs from ${merged.timing.shards} shards`);
  writeDocument(out, merged.plan, merged.results, merged.timing);
} else {
  const columns = flags.list('columns', [], RESULTS_COLUMNS);
  const plan: ResultsPlan = { trainSteps: flags.int('steps', DEFAULT_BATTERY_CONFIG.trainSteps), seeds: flags.seeds(3), columns: columns.length > 0 ? columns : null };
  const shardText = flags.string('shard');
  const shard = shardText === undefined ? WHOLE : parseShard(shardText);
  if (typeof shard === 'string') flags.fail(shard);
  const jobs = flags.int('jobs', cpus().length);
  const [backend = 'wasm', ...extra] = flags.list('backend', ['wasm'], CLI_BACKENDS);
  if (extra.length > 0) flags.fail('--backend takes one of wasm, webgpu');
  const runsFile = flags.string('runs');
  const out = flags.string('out', RESULTS_FILE);
  flags.done();
  const problem = planProblem(plan);
  if (problem) flags.fail(problem);

  const units = shardItems(resultsUnits(plan), shard);
  // A shard writes its lines to stdout unless --runs names a file; a single run only with --runs.
  const sink = runsFile ? createWriteStream(runsFile) : shardText !== undefined ? process.stdout : null;
  const emit = (line: string): void => void sink?.write(`${line}\n`);
  emit(planLine(plan, shard, units.length, machineLine()));
  const started = performance.now();
  const { results, ranOn } = await runUnitsOn(backend, units, jobs, (r, done) => {
    emit(runLine(r));
    console.error(`[${done}/${units.length}] ${r.column} ${r.test} seed ${r.seed}: ${Number.isFinite(r.score) ? r.score.toFixed(3) : r.diverged ? 'diverged' : 'n/a'} (${(r.ms / 1000).toFixed(1)} s)`);
  });
  const minutes = (performance.now() - started) / 60000;
  const processes = ranOn === 'wasm' ? Math.min(jobs, units.length) : 1;
  emit(doneLine(minutes, processes, ranOn));
  if (sink && sink !== process.stdout) await new Promise<void>((resolve) => (sink as ReturnType<typeof createWriteStream>).end(resolve));
  if (shardText === undefined) writeDocument(out, plan, results, { minutes, processes, shards: 1, machines: [machineLine()], backends: [ranOn] });
  console.error(`${units.length} runs in ${minutes.toFixed(1)} min${shardText !== undefined ? ` (shard ${shard.index}/${shard.count})` : ''}`);
}
