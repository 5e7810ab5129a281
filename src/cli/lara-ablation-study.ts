/**
 * The LARA ablation study as battery units and its report: every variant
 * (lara-ablations.ts) on every study task at every seed, summarised as
 * mean ± sd with a verdict per claim. `npm run study -- lara-ablations`
 * prints it; `npm run results` writes it into docs/RESULTS.md.
 */
import { DEFAULT_BATTERY_CONFIG, STUDY_TESTS, type BatteryConfig } from '../engine/battery/battery';
import { ablationRuns, claimVerdicts, fmt, summariseAblations, type AblationResult, type AblationRun, type ClaimVerdict, type VariantTaskSummary } from '../engine/battery/lara-ablations';
import { BATTERY_TEST_INFO, type StudyTestId } from '../engine/battery/battery-tests';
import { BATTERY_LARA_PARAMS } from '../engine/lara/lara-sequence-model';
import type { RunUnit, UnitResult } from './run-units';

export interface AblationBudget {
  readonly seeds: readonly number[];
  readonly trainSteps: number;
  readonly languageModel: BatteryConfig['languageModel'];
}

export const DEFAULT_ABLATION_BUDGET: AblationBudget = {
  seeds: [1, 2, 3],
  trainSteps: DEFAULT_BATTERY_CONFIG.trainSteps,
  languageModel: DEFAULT_BATTERY_CONFIG.languageModel,
};

/** Units of the study on the battery's LARA settings: base first, each task and seed. */
export function ablationUnits(budget: AblationBudget, tasks: readonly StudyTestId[] = STUDY_TESTS): RunUnit[] {
  return ablationRuns(BATTERY_LARA_PARAMS).flatMap((run) =>
    tasks.flatMap((test) =>
      budget.seeds.map((seed) => ({ group: 'ablation', column: run.label, model: 'lara' as const, params: run.params, test, seed, trainSteps: budget.trainSteps, languageModel: budget.languageModel })),
    ),
  );
}

export function asAblationResult(r: UnitResult): AblationResult {
  return {
    label: r.column,
    task: r.test as StudyTestId,
    seed: r.seed,
    score: r.score,
    diverged: r.diverged !== null,
    stepsToCriterion: r.details.stepsToCriterion ?? NaN,
  };
}

export interface AblationReport {
  readonly runs: readonly AblationRun[];
  readonly summaries: VariantTaskSummary[];
  readonly verdicts: ClaimVerdict[];
  readonly labels: string[];
  readonly tasks: readonly StudyTestId[];
}

export function ablationReport(results: readonly UnitResult[], tasks: readonly StudyTestId[] = STUDY_TESTS): AblationReport {
  const runs = ablationRuns(BATTERY_LARA_PARAMS);
  const summaries = summariseAblations(results.map(asAblationResult));
  return { runs, summaries, verdicts: claimVerdicts(summaries, runs, tasks), labels: runs.map((r) => r.label), tasks };
}

/** "40 ± 12 (3/3)" steps to criterion over the seeds that reached it, or "not reached (0/3)". */
function stepsCell(s: VariantTaskSummary | undefined): string {
  if (!s) return 'n/a';
  if (s.reached === 0) return `not reached (0/${s.seeds})`;
  return `${fmt(s.steps, 0)} (${s.reached}/${s.seeds})`;
}

/** The study as markdown: a table (variant rows; score and steps to criterion per task) and one sentence per claim. */
export function ablationMarkdown(report: AblationReport): string {
  const { runs, summaries, verdicts, labels, tasks } = report;
  const get = (label: string, task: StudyTestId) => summaries.find((s) => s.label === label && s.task === task);
  const header = `| variant | ${tasks.map((t) => `${BATTERY_TEST_INFO[t].title.replace(/ \(learning curve\)$/, '')} (${BATTERY_TEST_INFO[t].unit}) | steps to ${BATTERY_TEST_INFO[t].better === 'higher' ? '≥' : '≤'} criterion`).join(' | ')} |`;
  const rule = `| --- | ${tasks.map(() => '---: | ---:').join(' | ')} |`;
  const rows = labels.map((label) => {
    const stands = runs.find((r) => r.label === label)?.stands ?? [];
    const name = label === 'base' ? `base (${stands.join(', ')})` : label;
    const diverged = tasks.reduce((n, t) => n + (get(label, t)?.diverged ?? 0), 0);
    return `| ${name}${diverged > 0 ? ` (${diverged} diverged)` : ''} | ${tasks.map((t) => `${fmt(get(label, t)?.score)} | ${stepsCell(get(label, t))}`).join(' | ')} |`;
  });
  const claims = verdicts.map((v) => `- **${v.verdict === 'held' ? 'Held' : v.verdict === 'did not hold' ? 'Did not hold' : 'Undecided at this budget'}** — ${v.claim.statement} ${v.sentence}`);
  return [header, rule, ...rows, '', ...claims].join('\n');
}
