/**
 * npm run study -- lara-ablations [--seeds 3] [--steps N] [--lm-window N] [--tasks recall-curve,circuit-curve,text-curve] [--jobs N]
 * Prints JSON lines: one per run ({kind: "run", ...}), then one per variant
 * and task ({kind: "summary", mean, sd over seeds of the final held-out
 * score, and of the steps to the task's criterion}), then one per claim
 * ({kind: "verdict"}). `npm run results` writes the same as its section 4,
 * so this study has no --write.
 */
import { cpus } from 'node:os';
import { STUDY_TESTS } from '../../engine/battery/battery';
import { ablationMarkdown, ablationReport, ablationUnits, DEFAULT_ABLATION_BUDGET } from '../lara-ablation-study';
import { runPool, toJson } from '../run-units';
import type { StudyCommand } from './study-command';

export const study: StudyCommand = {
  summary: "LARA's five claims by ablation: 8 variants x 3 tasks x seeds (section 4 of docs/RESULTS.md)",
  usage: `[--seeds N] [--steps N] [--lm-window N] [--tasks ${STUDY_TESTS.join(',')}] [--jobs N]`,
  async run(flags) {
    const seeds = flags.seeds(DEFAULT_ABLATION_BUDGET.seeds.length);
    const trainSteps = flags.int('steps', DEFAULT_ABLATION_BUDGET.trainSteps);
    const window = flags.int('lm-window', DEFAULT_ABLATION_BUDGET.languageModel.window);
    const tasks = flags.list('tasks', STUDY_TESTS, STUDY_TESTS);
    const jobs = flags.int('jobs', cpus().length);
    flags.done();

    const budget = { seeds, trainSteps, languageModel: { ...DEFAULT_ABLATION_BUDGET.languageModel, window } };
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
  },
};
