/**
 * The Runs panel: every run the lab kept (name, model, task, what differs
 * from the defaults, final metrics, duration), renamed inline, pinned,
 * deleted after a confirm, resumed from its checkpoint. Two or more selected
 * overlay on one chart (step or training seconds, a metric, smoothing, log
 * scale, hover readout) above a table of the settings that differ. "Run
 * again with one change" trains the current experiment again with one
 * control changed and the same seed, then selects both to compare.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { descriptorOf, tasksFor } from '../protocol/experiment';
import { controlsOf, controlValue, formatValue } from '../runs/run-recorder';
import { METRIC_INFO, METRIC_NAMES, type MetricName, type RunMetrics } from '../runs/run-metrics';
import type { RunRecord, StorageEstimateLike } from '../runs/run-store';
import { useLab } from './lab-context';
import { CompareChart, type OverlayRun } from './runs/compare-chart';
import { colourOf, differencesFromDefaults, formatDuration, parameterDifferences, parseControlValue, type AnyControl, type OverlayAxis } from './runs/run-compare';
import { useRecorder, useStoredRuns } from './runs/runs-context';
import './runs/runs-panel.css';

const DEFAULT_SMOOTHING = 0.6;

function metric(v: number | null, digits = 3): string {
  return v === null || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

function megabytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

export function RunsPanel({ onClose }: { onClose(): void }) {
  const recorder = useRecorder();
  const { runs, version } = useStoredRuns();
  const [selected, setSelected] = useState<readonly string[]>([]);
  const [compareAfter, setCompareAfter] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [usage, setUsage] = useState<StorageEstimateLike | undefined>(undefined);
  const currentId = recorder.current()?.run?.id ?? null;

  useEffect(() => {
    let live = true;
    recorder.runs
      .usage()
      .then((u) => live && setUsage(u))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [recorder, version]);

  // After "Run again with one change": once the new run is kept, compare it with the one it came from (state adjusted while rendering, as React advises).
  const derived = compareAfter ? runs.find((r) => r.derivedFrom === compareAfter) : undefined;
  if (compareAfter && derived) {
    setSelected([compareAfter, derived.id]);
    setCompareAfter(null);
    setNote(`Comparing "${derived.name}" with the run it came from.`);
  }

  // Selections of deleted runs go.
  const shown = selected.filter((id) => runs.some((r) => r.id === id));
  const toggle = (id: string, on: boolean) => setSelected((s) => (on ? [...s.filter((x) => x !== id), id] : s.filter((x) => x !== id)));

  const deleteOld = async () => {
    if (!window.confirm('Delete every unpinned run except the current one, with its curves and checkpoint?')) return;
    const n = await recorder.deleteOldUnpinned();
    setNote(`Deleted ${n} unpinned run${n === 1 ? '' : 's'}.`);
  };

  return (
    <aside className="runs-panel" aria-label="Runs">
      <header>
        <h2>Runs</h2>
        <button type="button" onClick={onClose} aria-label="Close runs">
          ×
        </button>
      </header>
      <p className="runs-intro">
        Every run the lab trains is kept in this browser: its settings, curves, events and latest checkpoint. Select two or more to overlay them.
      </p>
      <RunAgain
        onStarted={(from) => {
          setCompareAfter(from);
          setNote('Training the run again with one change…');
        }}
        onProblem={setNote}
      />
      {note && (
        <p className="runs-note" role="status">
          {note}
        </p>
      )}
      <RunsTable runs={runs} selected={shown} currentId={currentId} onToggle={toggle} onProblem={setNote} />
      <p className="runs-storage">
        {usage?.usage !== undefined && usage.quota ? `This site uses ${megabytes(usage.usage)} of ${megabytes(usage.quota)} the browser allows. ` : ''}
        <button type="button" onClick={() => void deleteOld()} disabled={!runs.some((r) => r.pinned === 0 && r.id !== currentId)}>
          Delete old unpinned runs
        </button>
      </p>
      {shown.length >= 2 && <Compare runs={shown.map((id) => runs.find((r) => r.id === id)).filter((r): r is RunRecord => r !== undefined)} version={version} />}
      {shown.length === 1 && <p className="runs-hint">Select one more run to compare.</p>}
    </aside>
  );
}

function RunsTable({
  runs,
  selected,
  currentId,
  onToggle,
  onProblem,
}: {
  runs: readonly RunRecord[];
  selected: readonly string[];
  currentId: string | null;
  onToggle(id: string, on: boolean): void;
  onProblem(message: string): void;
}) {
  if (runs.length === 0) return <p className="runs-empty">No runs yet: press Play, and the run is kept from its first step.</p>;
  return (
    <div className="runs-table-wrap">
      <table className="runs-table" data-testid="runs-table">
        <thead>
          <tr>
            <th scope="col">Compare</th>
            <th scope="col">Name</th>
            <th scope="col">Model and task</th>
            <th scope="col">Differs from defaults</th>
            <th scope="col">Step</th>
            <th scope="col">Train loss</th>
            <th scope="col">Held-out loss / acc.</th>
            <th scope="col">Duration</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <RunRow key={r.id} run={r} index={selected.indexOf(r.id)} current={r.id === currentId} onToggle={onToggle} onProblem={onProblem} parentName={runs.find((p) => p.id === r.derivedFrom)?.name ?? null} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RunRow({
  run: r,
  index,
  current,
  parentName,
  onToggle,
  onProblem,
}: {
  run: RunRecord;
  index: number;
  current: boolean;
  parentName: string | null;
  onToggle(id: string, on: boolean): void;
  onProblem(message: string): void;
}) {
  const recorder = useRecorder();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const task = tasksFor(r.experiment.model).find((t) => t.id === r.experiment.task)?.label ?? r.experiment.task;
  const differs = differencesFromDefaults(r.experiment);
  const commit = (name: string) => {
    setEditing(false);
    const trimmed = name.trim().slice(0, 120);
    if (trimmed && trimmed !== r.name) void recorder.rename(r.id, trimmed);
  };
  const resume = async () => {
    const refused = await recorder.resume(r.id);
    if (refused) onProblem(`Could not resume "${r.name}": ${refused}`);
  };
  return (
    <tr className={current ? 'runs-current' : undefined} data-run-id={r.id}>
      <td>
        <input type="checkbox" checked={index >= 0} onChange={(e) => onToggle(r.id, e.target.checked)} aria-label={`Compare ${r.name}`} />
        {index >= 0 && <span className="runs-swatch" style={{ background: colourOf(index) }} aria-hidden="true" />}
      </td>
      <td className="runs-name">
        {editing ? (
          <input
            type="text"
            defaultValue={r.name}
            aria-label={`New name for ${r.name}`}
            maxLength={120}
            autoFocus
            onBlur={(e) => commit(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') commit(e.currentTarget.value);
              else if (e.key === 'Escape') {
                e.stopPropagation();
                setEditing(false);
              }
            }}
          />
        ) : (
          <>
            {r.name}
            {r.pinned === 1 && <span className="runs-tag"> (pinned)</span>}
            {current && <span className="runs-tag"> (recording)</span>}
            {parentName && r.change && (
              <span className="runs-sub">
                from “{parentName}”: {r.change.label} {formatValue(r.change.from)} → {formatValue(r.change.to)}
              </span>
            )}
          </>
        )}
      </td>
      <td>
        {descriptorOf(r.experiment.model).label}
        <span className="runs-sub">{r.data ? `${task}: ${r.data.name}` : task}</span>
      </td>
      <td>{differs.length > 0 ? differs.join(', ') : 'defaults'}</td>
      <td>{r.final.step}</td>
      <td>{metric(r.final.trainLoss)}</td>
      <td>
        {metric(r.final.heldOutLoss)} / {r.final.heldOutAccuracy === null ? '–' : `${(r.final.heldOutAccuracy * 100).toFixed(1)}%`}
      </td>
      <td>{formatDuration(r.wallSeconds)}</td>
      <td className="runs-actions">
        <button type="button" onClick={() => setEditing(true)} aria-label={`Rename ${r.name}`}>
          Rename
        </button>
        <button type="button" aria-pressed={r.pinned === 1} onClick={() => void recorder.setPinned(r.id, r.pinned === 0)} aria-label={`Pin ${r.name}`}>
          {r.pinned === 1 ? 'Unpin' : 'Pin'}
        </button>
        {r.checkpoint && !current && (
          <button type="button" onClick={() => void resume()} aria-label={`Resume ${r.name}`} title={`From its checkpoint at step ${r.checkpoint.step}`}>
            Resume
          </button>
        )}
        {confirming ? (
          <span className="runs-confirm">
            Delete it and its curves?{' '}
            <button
              type="button"
              className="danger"
              onClick={() => {
                setConfirming(false);
                void recorder.delete(r.id);
              }}
            >
              Delete
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button type="button" onClick={() => setConfirming(true)} disabled={current} aria-label={`Delete ${r.name}`} title={current ? 'The run being recorded cannot be deleted' : undefined}>
            Delete
          </button>
        )}
      </td>
    </tr>
  );
}


/** Pick one control of the current model and a new value; the lab trains that experiment again (same seed) as a new run. */
function RunAgain({ onStarted, onProblem }: { onStarted(fromId: string): void; onProblem(message: string): void }) {
  const recorder = useRecorder();
  const experiment = useLab((s) => s.experiment);
  const controls = controlsOf(experiment);
  const [key, setKey] = useState<string>(controls[0]?.key ?? '');
  const control = controls.find((c) => c.key === key) ?? controls[0];
  const current = control ? controlValue(control, experiment.params) : undefined;
  // The field shows the current value until edited; choosing another setting (or a changed value) shows that one's.
  const [edit, setEdit] = useState<{ key: string; base: unknown; text: string } | null>(null);
  const value = edit && edit.key === control?.key && edit.base === current ? edit.text : current === undefined ? '' : String(current);
  const setValue = (text: string) => setEdit({ key: control?.key ?? '', base: current, text });
  if (!control) return null;
  const go = () => {
    const from = recorder.current()?.run?.id ?? null;
    const parsed = parseControlValue(control, value);
    if ('problem' in parsed) {
      onProblem(parsed.problem);
      return;
    }
    const refused = recorder.runAgain(control.key, parsed.value);
    if (refused) onProblem(refused);
    else if (from) onStarted(from);
  };
  return (
    <fieldset className="runs-again">
      <legend>Run again with one change</legend>
      <label>
        Setting
        <select value={control.key} onChange={(e) => setKey(e.target.value)}>
          {controls.map((c) => (
            <option key={c.key} value={c.key}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        New value
        <ValueInput control={control} value={value} onChange={setValue} />
      </label>
      <button type="button" className="primary" onClick={go}>
        Run again
      </button>
      <span className="runs-sub">now {formatValue(current)}; same seed ({experiment.seed}), trained from scratch</span>
    </fieldset>
  );
}

function ValueInput({ control, value, onChange }: { control: AnyControl; value: string; onChange(v: string): void }) {
  switch (control.type) {
    case 'select':
      return (
        <select value={value} onChange={(e) => onChange(e.target.value)} aria-label="New value">
          {control.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
    case 'checkbox':
      return <input type="checkbox" checked={value === 'true'} onChange={(e) => onChange(String(e.target.checked))} aria-label="New value" />;
    case 'slider': {
      const log = control.scale === 'log';
      return <input type="number" value={value} onChange={(e) => onChange(e.target.value)} step={log ? 'any' : control.step} min={log ? 10 ** control.min : control.min} max={log ? 10 ** control.max : control.max} aria-label="New value" />;
    }
  }
}

function Compare({ runs, version }: { runs: readonly RunRecord[]; version: number }) {
  const recorder = useRecorder();
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<CompareChart | null>(null);
  const [metricName, setMetric] = useState<MetricName>('trainLoss');
  const [axis, setAxis] = useState<OverlayAxis>('step');
  const [smoothing, setSmoothing] = useState(DEFAULT_SMOOTHING);
  const [log, setLog] = useState(false);
  const [loaded, setLoaded] = useState<readonly { id: string; metrics: RunMetrics }[]>([]);
  const ids = runs.map((r) => r.id).join(',');

  // The current run's series come from the recorder (fresher than the last write); the others from the store.
  useEffect(() => {
    let live = true;
    const current = recorder.current();
    Promise.all(
      ids.split(',').map(async (id) => {
        if (current?.run?.id === id) return { id, metrics: current.metrics };
        const m = await recorder.runs.metrics(id);
        return m ? { id, metrics: m.metrics } : null;
      }),
    )
      .then((all) => live && setLoaded(all.filter((x): x is { id: string; metrics: RunMetrics } => x !== null)))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [recorder, ids, version]);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    chart.current = new CompareChart(el);
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);

  const overlay: OverlayRun[] = useMemo(
    () =>
      runs.flatMap((r, i) => {
        const m = loaded.find((l) => l.id === r.id);
        return m ? [{ id: r.id, name: r.name, colour: colourOf(i), metrics: m.metrics }] : [];
      }),
    [runs, loaded],
  );
  useEffect(() => {
    chart.current?.draw(overlay, { metric: metricName, axis, smoothing, log });
  }, [overlay, metricName, axis, smoothing, log]);

  const diffs = parameterDifferences(runs.map((r) => r.experiment));
  return (
    <section className="runs-compare" aria-label="Compare runs">
      <h3>Compare</h3>
      <div className="runs-compare-controls">
        <label>
          Metric
          <select value={metricName} onChange={(e) => setMetric(e.target.value as MetricName)}>
            {METRIC_NAMES.map((m) => (
              <option key={m} value={m}>
                {METRIC_INFO[m].label}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="runs-axis">
          <legend>Against</legend>
          <label>
            <input type="radio" name="runs-axis" checked={axis === 'step'} onChange={() => setAxis('step')} /> step
          </label>
          <label>
            <input type="radio" name="runs-axis" checked={axis === 'wallSeconds'} onChange={() => setAxis('wallSeconds')} /> training seconds
          </label>
        </fieldset>
        <label className="runs-smoothing">
          Smoothing {smoothing.toFixed(2)}
          <input type="range" min={0} max={0.99} step={0.01} value={smoothing} onChange={(e) => setSmoothing(Number(e.target.value))} aria-valuetext={smoothing.toFixed(2)} />
        </label>
        <label>
          <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> Log scale
        </label>
      </div>
      <div ref={host} className="runs-chart" data-testid="runs-chart" />
      <h3>Settings that differ</h3>
      {diffs.length === 0 ? (
        <p className="runs-sub">None: the selected runs share every setting.</p>
      ) : (
        <table className="runs-diff" data-testid="runs-diff">
          <thead>
            <tr>
              <th scope="col">Setting</th>
              {runs.map((r, i) => (
                <th scope="col" key={r.id}>
                  <span className="runs-swatch" style={{ background: colourOf(i) }} aria-hidden="true" />
                  {r.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {diffs.map((d) => (
              <tr key={d.label}>
                <th scope="row">{d.label}</th>
                {d.values.map((v, i) => (
                  <td key={runs[i]?.id ?? i}>{v}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
