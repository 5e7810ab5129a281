/**
 * npm run study -- lara-ablations [--seeds 3] [--steps N] [--lm-window N] [--tasks recall-curve,circuit-curve,text-curve] [--jobs N]
 * Runs a study on the battery's engine and prints JSON lines: one per run
 * ({kind: "run", ...}), then one per variant and task ({kind: "summary",
 * mean, sd over seeds of the final held-out score, and of the steps to the
 * task's criterion}), then one per claim ({kind: "verdict"}). A readable
 * table goes to stderr. --jobs runs that many processes in parallel
 * (default: one per core).
 */
import { cpus } from 'node:os';
import { STUDY_TESTS } from '../engine/battery/battery';
import type { StudyTestId } from '../engine/battery/battery-tests';
import { ablationMarkdown, ablationReport, ablationUnits, DEFAULT_ABLATION_BUDGET } from './lara-ablation-study';
import { runPool, toJson } from './run-units';

const STUDIES = ['lara-ablations'] as const;

function fail(message: string): never {
  console.error(`study: ${message}`);
  process.exit(2);
}

const argv = process.argv.slice(2);
const study = argv[0];
if (!study || study === '--help' || !(STUDIES as readonly string[]).includes(study)) {
  console.error(`usage: npm run study -- ${STUDIES.join('|')} [--seeds N] [--steps N] [--lm-window N] [--tasks ${STUDY_TESTS.join(',')}] [--jobs N]`);
  process.exit(study === '--help' ? 0 : 2);
}
let seeds = DEFAULT_ABLATION_BUDGET.seeds.length;
let trainSteps = DEFAULT_ABLATION_BUDGET.trainSteps;
let window = DEFAULT_ABLATION_BUDGET.languageModel.window;
let tasks: StudyTestId[] = [...STUDY_TESTS];
let jobs = cpus().length;
for (let i = 1; i < argv.length; i++) {
  const flag = argv[i];
  const value = argv[++i] ?? fail(`${flag} needs a value`);
  const int = (min: number): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) fail(`${flag} must be an integer >= ${min}`);
    return n;
  };
  if (flag === '--seeds') seeds = int(1);
  else if (flag === '--steps') trainSteps = int(1);
  else if (flag === '--lm-window') window = int(1);
  else if (flag === '--jobs') jobs = int(1);
  else if (flag === '--tasks') {
    tasks = value.split(',').map((t) => ((STUDY_TESTS as readonly string[]).includes(t) ? (t as StudyTestId) : fail(`unknown task "${t}" (${STUDY_TESTS.join(', ')})`)));
  } else fail(`unknown option "${flag}"`);
}

const budget = { seeds: Array.from({ length: seeds }, (_, i) => i + 1), trainSteps, languageModel: { ...DEFAULT_ABLATION_BUDGET.languageModel, window } };
const units = ablationUnits(budget, tasks);
const started = performance.now();
const results = await runPool(units, jobs, (r, done) => {
  console.log(toJson({ ...r, kind: 'run' } as typeof r));
  console.error(`[${done}/${units.length}] ${r.column} ${r.test} seed ${r.seed}: ${Number.isFinite(r.score) ? r.score.toFixed(3) : r.diverged ? 'diverged' : 'n/a'} (${(r.ms / 1000).toFixed(1)} s)`);
});
const report = ablationReport(results, tasks);
for (const s of report.summaries) console.log(JSON.stringify({ kind: 'summary', variant: s.label, task: s.task, score: s.score, stepsToCriterion: s.steps, reached: s.reached, diverged: s.diverged, seeds: s.seeds }));
for (const v of report.verdicts) console.log(JSON.stringify({ kind: 'verdict', claim: v.claim.id, verdict: v.verdict, sentence: v.sentence }));
console.error(`\n${ablationMarkdown(report)}\n\n${units.length} runs in ${((performance.now() - started) / 60000).toFixed(1)} min on ${jobs} processes`);
