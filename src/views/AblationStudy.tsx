/**
 * LARA's claims by ablation in the Battery panel: runs every variant of the
 * current settings (lara-ablations.ts) on the study tasks over 1-3 seeds in
 * the battery worker, with the panel's progress bar and Cancel, then shows
 * mean ± sd per variant and task and a verdict per claim, as
 * `npm run study -- lara-ablations` does on the command line.
 */
import { useMemo, useState } from 'react';
import { ablationRuns, claimVerdicts, fmt, summariseAblations, type AblationResult, type LaraParams, type StudyTestId, type VariantTaskSummary } from '../protocol/ablation-study';
import { BATTERY, BATTERY_MODELS, STUDY_TESTS, type BatteryJob } from '../protocol/battery-messages';
import type { BatteryState } from '../store/lab-store';
import { useBatteryClient, useLab } from './lab-context';
import './ablation-study.css';

/** Whether the battery's latest run is an ablation study (its tests are the study tasks). */
export function isStudyRun(state: BatteryState): boolean {
  return state.tests.length > 0 && state.tests.every((t) => (STUDY_TESTS as readonly string[]).includes(t));
}

/** The setup: seeds and steps, and the button that starts the study on `params`. */
export function AblationStudySetup({ params, onProblem }: { params: LaraParams; onProblem(p: string | null): void }) {
  const battery = useBatteryClient();
  const running = useLab((s) => s.battery.running);
  const [seeds, setSeeds] = useState(3);
  const [steps, setSteps] = useState(150);
  const runs = useMemo(() => ablationRuns(params), [params]);

  const start = () => {
    if (!Number.isInteger(steps) || steps < 10 || steps > 5000) return onProblem('Train steps must be a whole number from 10 to 5000.');
    for (const r of runs) {
      const bad = BATTERY_MODELS.lara.validate(r.params);
      if (bad) return onProblem(`${r.label}: ${bad}`);
    }
    onProblem(null);
    const jobs: BatteryJob[] = runs.flatMap((r) => Array.from({ length: seeds }, (_, i) => ({ model: 'lara' as const, label: r.label, params: r.params, seed: i + 1 })));
    battery.start({ jobs, tests: STUDY_TESTS, trainSteps: steps, lanes: 8, seed: 1, sweep: [] });
  };

  return (
    <fieldset className="ablation-setup">
      <legend>LARA’s claims by ablation</legend>
      <p className="battery-intro">
        Every claim of seed 000 as a variant of these settings ({runs.length} runs × {STUDY_TESTS.length} tasks × {seeds} seed{seeds > 1 ? 's' : ''}): {runs.map((r) => r.label).join(', ')}.
      </p>
      <label className="control">
        <span className="control-label">Seeds</span>
        <select value={seeds} onChange={(e) => setSeeds(Number(e.target.value))}>
          {[1, 2, 3].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <label className="control">
        <span className="control-label">Study train steps</span>
        <input type="number" min={10} max={5000} value={steps} onChange={(e) => setSteps(Math.floor(Number(e.target.value)))} />
      </label>
      <button type="button" onClick={start} disabled={running}>
        Start ablation study
      </button>
    </fieldset>
  );
}

/** Mean ± sd per variant and task, steps to criterion, and a verdict per claim, from the rows so far. */
export function AblationStudyResults({ state }: { state: BatteryState }) {
  // The runs and what each stands for follow from the base job's settings (ablationRuns is deterministic).
  const base = state.jobs.find((j) => j.label === 'base')?.params as LaraParams | undefined;
  const runs = base ? ablationRuns(base) : [];
  const results: AblationResult[] = state.rows.map((r) => {
    const job = state.jobs[r.job];
    return { label: job?.label ?? '?', task: r.test as StudyTestId, seed: job?.seed ?? 1, score: r.score, diverged: r.diverged !== null, stepsToCriterion: r.details.stepsToCriterion ?? NaN };
  });
  const summaries = summariseAblations(results);
  const get = (label: string, task: StudyTestId): VariantTaskSummary | undefined => summaries.find((s) => s.label === label && s.task === task);
  const complete = state.status === 'done';
  const verdicts = complete ? claimVerdicts(summaries, runs) : [];
  const labels = [...new Set(state.jobs.map((j) => j.label))];
  return (
    <section className="ablation-results" aria-label="Ablation study results">
      <table className="battery-table ablation-table" aria-label="Ablation study">
        <thead>
          <tr>
            <th scope="col">Variant</th>
            {STUDY_TESTS.map((t) => (
              <th key={t} scope="col" title={BATTERY[t].description}>
                {BATTERY[t].title.replace(/ \(learning curve\)$/, '')} ({BATTERY[t].unit} {BATTERY[t].better === 'higher' ? '↑' : '↓'})
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {labels.map((label) => (
            <tr key={label}>
              <th scope="row">{label === 'base' ? `base (${runs[0]?.stands.join(', ') ?? ''})` : label}</th>
              {STUDY_TESTS.map((t) => {
                const s = get(label, t);
                return (
                  <td key={t} data-variant={label} data-task={t}>
                    {s ? fmt(s.score) : '…'}
                    {s && <span className="ablation-steps">{s.reached > 0 ? ` ${fmt(s.steps, 0)} steps (${s.reached}/${s.seeds})` : ` not reached (0/${s.seeds})`}</span>}
                    {s && s.diverged > 0 && <span className="battery-worse"> {s.diverged} diverged</span>}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {complete ? (
        <ul className="ablation-verdicts" aria-label="Claims">
          {verdicts.map((v) => (
            <li key={v.claim.id} data-claim={v.claim.id} data-verdict={v.verdict}>
              <strong>{v.verdict === 'held' ? 'Held' : v.verdict === 'did not hold' ? 'Did not hold' : 'Undecided at this budget'}</strong>: {v.claim.statement}{' '}
              <span className="ablation-sentence">{v.sentence}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="battery-intro">The verdicts follow when every run has finished.</p>
      )}
    </section>
  );
}
