/**
 * The Battery panel: runs the test battery on the current model (and the
 * baselines beside it) in its own worker, with progress and Cancel; shows a
 * table of scores, a heatmap over a parameter sweep, and exports CSV.
 */
import { useMemo, useState } from 'react';
import {
  BATTERY,
  BATTERY_MODELS,
  BATTERY_TESTS,
  type BatteryJob,
  type BatteryModelName,
  type BatteryTestId,
} from '../protocol/battery-messages';
import { descriptorOf, type Experiment } from '../protocol/experiment';
import type { BatteryRow, BatteryState } from '../store/lab-store';
import { batteryCsv, comparedWith, divergedWhere, formatScore } from './battery-format';
import { downloadText } from './download';
import { useBatteryClient, useLab } from './lab-context';
import { AblationStudyResults, AblationStudySetup, isStudyRun } from './AblationStudy';

/** A sweep over a string-valued parameter (rule = bptt, reservoir) takes names, the others numbers. */
function isNamedKey(experiment: Experiment, key: string): boolean {
  return typeof (descriptorOf(experiment.model).defaults as Readonly<Record<string, unknown>>)[key] === 'string';
}

const BASELINES = (['lstm', 'gru', 'esn', 'memoryless', 'oracle', 'random'] as const).filter((m): m is BatteryModelName & typeof m => m in BATTERY_MODELS);

function parseValues(text: string, named: boolean): (number | string)[] | null {
  const words = text
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (named) return words.length > 0 ? words : null;
  const values = words.map(Number);
  return values.length > 0 && values.every(Number.isFinite) ? values : null;
}

const MARK = { better: '▲', worse: '▼', same: '=' } as const;
const VERDICT = { better: 'better than this experiment', worse: 'worse than this experiment', same: 'same as this experiment' } as const;

export function BatteryPanel({ onClose }: { onClose(): void }) {
  const experiment = useLab((s) => s.experiment);
  const hookup = descriptorOf(experiment.model).battery;
  if (hookup) return <SequenceBatteryPanel onClose={onClose} experiment={experiment} />;
  return (
    <aside className="battery-panel" aria-label="Battery">
      <header>
        <h2>Test battery</h2>
        <button type="button" onClick={onClose} aria-label="Close battery">
          ×
        </button>
      </header>
      <p className="battery-intro">
        The battery scores sequence models (LARA, loopy networks and the LSTM, GRU and echo-state baselines) on memory, circuits and text.
        {descriptorOf(experiment.model).family === 'sequence' ? '' : ' This model classifies a dataset: its score is the test accuracy shown beside the loss, and npm run bench compares it with its baseline.'}
      </p>
    </aside>
  );
}

function SequenceBatteryPanel({ onClose, experiment }: { onClose(): void; experiment: Experiment }) {
  const hookup = descriptorOf(experiment.model).battery;
  const sweepKeys: readonly string[] = hookup?.sweepKeys ?? [];
  const battery = useBatteryClient();
  const state = useLab((s) => s.battery);
  const [tests, setTests] = useState<ReadonlySet<BatteryTestId>>(new Set(BATTERY_TESTS));
  const [baselines, setBaselines] = useState<ReadonlySet<string>>(new Set(BASELINES.filter((b) => ['lstm', 'gru', 'esn'].includes(b))));
  const [steps, setSteps] = useState(150);
  const [sweepX, setSweepX] = useState<string>('');
  const [valuesX, setValuesX] = useState('8,16,32');
  const [sweepY, setSweepY] = useState<string>('');
  const [valuesY, setValuesY] = useState('8,16');
  const [problem, setProblem] = useState<string | null>(null);
  const [heatTest, setHeatTest] = useState<BatteryTestId>('circuit');

  const toggle = <T,>(set: ReadonlySet<T>, value: T, on: boolean): ReadonlySet<T> => {
    const next = new Set(set);
    if (on) next.add(value);
    else next.delete(value);
    return next;
  };

  const start = () => {
    const axes: { key: string; values: (number | string)[] }[] = [];
    for (const [key, text] of [
      [sweepX, valuesX],
      [sweepY, valuesY],
    ] as const) {
      if (!key) continue;
      if (!sweepKeys.includes(key)) continue;
      const named = isNamedKey(experiment, key);
      const values = parseValues(text, named);
      if (!values) {
        setProblem(`Sweep values for ${key} must be ${named ? 'names' : 'numbers'} separated by commas.`);
        return;
      }
      axes.push({ key, values });
    }
    const cells = axes.reduce<Record<string, number | string>[]>((acc, a) => acc.flatMap((c) => a.values.map((v) => ({ ...c, [a.key]: v }))), [{}]);
    if (!hookup) return;
    const kind = experiment.model;
    const jobs: BatteryJob[] = [];
    for (const cell of cells) {
      const params = hookup.params({ ...experiment.params, ...cell });
      const bad = BATTERY_MODELS[hookup.model].validate(params);
      if (bad) {
        setProblem(`Sweep cell ${JSON.stringify(cell)}: ${bad}`);
        return;
      }
      const label = Object.keys(cell).length > 0 ? `${kind} ${Object.entries(cell).map(([k, v]) => `${k}=${v}`).join(' ')}` : kind;
      jobs.push({ model: hookup.model, label, params });
    }
    for (const b of BASELINES) if (baselines.has(b)) jobs.push({ model: b, label: b, params: {} });
    const chosen: BatteryTestId[] = BATTERY_TESTS.filter((t) => tests.has(t));
    if (chosen.length === 0) {
      setProblem('Choose at least one test.');
      return;
    }
    if (!Number.isInteger(steps) || steps < 1 || steps > 5000) {
      setProblem('Train steps must be a whole number from 1 to 5000.');
      return;
    }
    setProblem(null);
    if (!chosen.includes(heatTest)) setHeatTest(chosen[0] as BatteryTestId);
    battery.start({ jobs, tests: chosen, trainSteps: steps, lanes: 8, seed: experiment.seed, sweep: axes });
  };

  const cell = (test: BatteryTestId, job: number) => state.rows.find((r) => r.test === test && r.job === job);
  /** The column with the best finite score of a test's row, once two or more have one. */
  const bestJob = (test: BatteryTestId): number | null => {
    const scored = state.rows.filter((r) => r.test === test && Number.isFinite(r.score));
    if (scored.length < 2) return null;
    const sign = BATTERY[test].better === 'higher' ? 1 : -1;
    return scored.reduce((a, b) => (sign * b.score > sign * a.score ? b : a)).job;
  };

  return (
    <aside className="battery-panel" aria-label="Battery">
      <header>
        <h2>Test battery</h2>
        <button type="button" onClick={onClose} aria-label="Close battery">
          ×
        </button>
      </header>
      <p className="battery-intro">
        Seeded tests that score the current model with one number each (seed 001), beside baselines trained on the same tests. It runs in
        its own worker: the experiment on the left keeps going.
      </p>
      <div className="battery-setup">
        <fieldset>
          <legend>Tests</legend>
          {BATTERY_TESTS.map((t, i) => (
            <label key={t} className="control checkbox" title={BATTERY[t].description}>
              <input type="checkbox" checked={tests.has(t)} onChange={(e) => setTests(toggle(tests, t, e.target.checked))} />
              {i + 1}. {BATTERY[t].title}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Models</legend>
          <label className="control checkbox">
            <input type="checkbox" checked disabled />
            This experiment ({experiment.model.toUpperCase()})
          </label>
          {BASELINES.map((b) => (
            <label key={b} className="control checkbox" title={BATTERY_MODELS[b].description}>
              <input type="checkbox" checked={baselines.has(b)} onChange={(e) => setBaselines(toggle(baselines, b, e.target.checked))} />
              {b.toUpperCase()}
            </label>
          ))}
          <label className="control">
            <span className="control-label">Train steps per phase</span>
            <input type="number" min={1} max={5000} value={steps} onChange={(e) => setSteps(Math.floor(Number(e.target.value)))} />
          </label>
        </fieldset>
        <fieldset>
          <legend>Sweep (this experiment)</legend>
          {(
            [
              ['Sweep X', sweepX, setSweepX, valuesX, setValuesX],
              ['Sweep Y', sweepY, setSweepY, valuesY, setValuesY],
            ] as const
          ).map(([label, key, setKey, values, setValues]) => (
            <div key={label} className="sweep-axis">
              <label className="control">
                <span className="control-label">{label}</span>
                <select value={key} onChange={(e) => setKey(e.target.value)}>
                  <option value="">none</option>
                  {sweepKeys.map((k) => (
                    <option key={k} value={k}>
                      {k}
                    </option>
                  ))}
                </select>
              </label>
              <label className="control">
                <span className="control-label">{label} values</span>
                <input type="text" value={values} disabled={!key} onChange={(e) => setValues(e.target.value)} />
              </label>
            </div>
          ))}
        </fieldset>
      </div>
      {experiment.model === 'lara' && <AblationStudySetup params={experiment.params} onProblem={setProblem} />}
      <div className="battery-actions">
        <button type="button" className="primary" onClick={start} disabled={state.running}>
          Run
        </button>
        <button type="button" onClick={() => battery.cancel()} disabled={!state.running}>
          Cancel
        </button>
        <progress max={1} value={state.progress} aria-label="Battery progress" />
        <span className="battery-status" aria-live="polite">
          {state.running
            ? `Running ${state.currentTest ? BATTERY[state.currentTest].title : ''}… ${Math.round(state.progress * 100)}%`
            : (state.message ?? (state.rows.length > 0 ? 'Done.' : ''))}
        </span>
        <button type="button" onClick={() => downloadText('loopy-lab-battery.csv', batteryCsv(state), 'text/csv')} disabled={state.rows.length === 0}>
          Export CSV
        </button>
      </div>
      {problem && <p className="battery-problem">{problem}</p>}
      {isStudyRun(state) && <AblationStudyResults state={state} />}
      {state.jobs.length > 0 && !isStudyRun(state) && (
        <table className="battery-table" aria-label="Battery results">
          <thead>
            <tr>
              <th scope="col">Test</th>
              <th scope="col">Unit</th>
              {state.jobs.map((j) => (
                <th key={j.label} scope="col">
                  {j.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {state.tests.map((t) => (
              <tr key={t}>
                <th scope="row" title={BATTERY[t].description}>
                  {BATTERY[t].title}
                </th>
                <td title={`${BATTERY[t].better} is better`}>
                  {BATTERY[t].unit} {BATTERY[t].better === 'higher' ? '↑' : '↓'}
                </td>
                {state.jobs.map((j, i) => {
                  const row = cell(t, i);
                  const vs = i === 0 ? null : comparedWith(t, row?.score, cell(t, 0)?.score);
                  const best = bestJob(t) === i;
                  const diverged = divergedWhere(row);
                  return (
                    <td
                      key={j.label}
                      data-test={t}
                      data-model={j.label}
                      data-compared={vs ?? undefined}
                      data-diverged={diverged ? 'true' : undefined}
                      title={diverged ? `The loss turned non-finite (${diverged}): no score is taken from a diverged model.` : undefined}
                      className={best ? 'battery-best' : undefined}
                    >
                      {formatScore(row)}
                      {vs && (
                        <span className={`battery-mark battery-${vs}`} title={VERDICT[vs]}>
                          {' '}
                          {MARK[vs]}
                          <span className="visually-hidden"> {VERDICT[vs]}</span>
                        </span>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {state.sweep.length > 0 && (
        <SweepHeatmap state={state} test={state.tests.includes(heatTest) ? heatTest : (state.tests[0] as BatteryTestId)} onTest={setHeatTest} />
      )}
    </aside>
  );
}

/** Scores of one test over the sweep grid (rows: Y values, columns: X values), coloured from worst to best. */
function SweepHeatmap({ state, test, onTest }: { state: BatteryState; test: BatteryTestId; onTest(t: BatteryTestId): void }) {
  const [x, y] = state.sweep;
  const xs = x?.values ?? [];
  const ys = y?.values ?? [undefined];
  const lowerIsBetter = BATTERY[test].better === 'lower';
  const cellCount = state.sweep.reduce((n, a) => n * a.values.length, 1);
  const scores = useMemo(() => {
    const grid = new Map<string, BatteryRow>();
    state.rows
      .filter((r) => r.test === test)
      .forEach((r) => {
        // The sweep's cells are the run's first jobs; the baselines come after them.
        const p = state.jobs[r.job]?.params as Record<string, unknown> | undefined;
        if (!p || r.job >= cellCount) return;
        grid.set(`${String(p[x?.key ?? ''])}|${y ? String(p[y.key]) : ''}`, r);
      });
    return grid;
  }, [state, test, x, y, cellCount]);
  const finite = [...scores.values()].map((r) => r.score).filter(Number.isFinite);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const cellW = 64;
  const cellH = 30;
  const left = 70;
  const top = 24;
  const colour = (v: number): string => {
    if (!Number.isFinite(v)) return '#1f2937';
    let t = hi > lo ? (v - lo) / (hi - lo) : 1;
    if (lowerIsBetter) t = 1 - t;
    return `hsl(${200 - 160 * t} 70% ${28 + 22 * t}%)`;
  };
  return (
    <section className="battery-heatmap" aria-label="Sweep heatmap">
      <label className="control">
        <span className="control-label">Heatmap test</span>
        <select value={test} onChange={(e) => onTest(e.target.value as BatteryTestId)}>
          {state.tests.map((t) => (
            <option key={t} value={t}>
              {BATTERY[t].title}
            </option>
          ))}
        </select>
      </label>
      <svg width={left + cellW * xs.length + 10} height={top + cellH * ys.length + 10} role="img" aria-label={`${BATTERY[test].title} over ${state.sweep.map((a) => a.key).join(' × ')}`}>
        <text x={left - 6} y={top - 2} textAnchor="end" className="heat-axis">
          {x?.key} →
        </text>
        {xs.map((xv, i) => (
          <text key={`x${xv}`} x={left + i * cellW + cellW / 2} y={top - 2} textAnchor="middle" className="heat-label">
            {xv}
          </text>
        ))}
        {ys.map((yv, j) => (
          <g key={`y${String(yv)}`}>
            <text x={left - 6} y={top + j * cellH + cellH / 2 + 4} textAnchor="end" className="heat-label">
              {y ? `${y.key}=${String(yv)}` : ''}
            </text>
            {xs.map((xv, i) => {
              const r = scores.get(`${xv}|${yv === undefined ? '' : String(yv)}`);
              const v = r?.score;
              return (
                <g key={`c${xv}`}>
                  <rect x={left + i * cellW} y={top + j * cellH} width={cellW - 2} height={cellH - 2} fill={colour(v ?? NaN)} rx={3} />
                  <text x={left + i * cellW + cellW / 2} y={top + j * cellH + cellH / 2 + 4} textAnchor="middle" className="heat-value">
                    {v === undefined ? '…' : r?.diverged ? 'diverged' : Number.isFinite(v) ? v.toFixed(2) : 'n/a'}
                  </text>
                </g>
              );
            })}
          </g>
        ))}
      </svg>
    </section>
  );
}
