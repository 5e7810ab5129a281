/**
 * Transition representations (seed 002) against BPTT, side by side in the
 * study worker: the same cell, task, seed and training sequences. Loss over
 * steps and over seconds, refresh events marked, and the honest measure: a
 * sequential roll-out from the initial state on held-out sequences. Multiple
 * shooting (segment length S) and re-anchoring are the transitions mode's
 * options; the table shows each mode's sequential depth per step.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { isBuiltinTask, isSequenceModel, TASKS, type BuiltinTaskId as TaskId } from '../protocol/experiment';
import { sequentialDepth, TRANSITION_CELL_KINDS, type TransitionMode } from '../protocol/study-messages';
import { useLab, useStudy, useStudyClient } from './lab-context';
import { transitionCurves, type CurveData } from './transitions/transition-curves';

type CellKind = (typeof TRANSITION_CELL_KINDS)[number];
/** The running model's own cell comes first when transitions can train it. */
function isCellKind(kind: string): kind is CellKind {
  return (TRANSITION_CELL_KINDS as readonly string[]).includes(kind);
}
const CELL_LABELS: Record<CellKind, string> = { gru: 'GRU', loopy: 'Loopy network', lara: 'LARA (threads restart each symbol)' };
/** Held-out roll-out loss that counts as learned: well under chance on every task. */
const TARGET_FRACTION_OF_CHANCE = 0.5;

const REANCHOR_LABELS = {
  off: 'off: target = embeddings (seed)',
  target: 'target from a roll-out',
  states: 'target and embeddings from a roll-out',
} as const;
type Reanchor = keyof typeof REANCHOR_LABELS;
const LENGTHS = [16, 32, 64] as const;

const COLOURS = { transitions: '#f97316', bptt: '#38bdf8', refresh: '#facc15' };

function useChart(host: React.RefObject<HTMLDivElement | null>, xLabel: string, withRefresh: boolean): React.RefObject<uPlot | null> {
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const series: uPlot.Series[] = [
      { label: xLabel },
      { label: 'transitions', stroke: COLOURS.transitions, width: 1.5, spanGaps: true },
      { label: 'BPTT', stroke: COLOURS.bptt, width: 1.5, spanGaps: true },
    ];
    if (withRefresh) series.push({ label: 'refresh', stroke: COLOURS.refresh, paths: () => null, points: { show: true, size: 7, fill: COLOURS.refresh } });
    const p = new uPlot(
      {
        width: Math.max(240, el.clientWidth),
        height: 200,
        legend: { show: true, live: false },
        scales: { x: { time: false } },
        axes: [
          { stroke: '#94a3b8', grid: { stroke: '#1e293b' }, label: xLabel },
          { stroke: '#94a3b8', grid: { stroke: '#1e293b' }, label: 'train loss (nats)' },
        ],
        series,
      },
      series.map(() => []) as unknown as uPlot.AlignedData,
      el,
    );
    plot.current = p;
    const resize = new ResizeObserver(() => p.setSize({ width: Math.max(240, el.clientWidth), height: 200 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      p.destroy();
      plot.current = null;
    };
  }, [host, xLabel, withRefresh]);
  return plot;
}

export function TransitionsPanel({ onClose }: { onClose(): void }) {
  const study = useStudyClient();
  const state = useStudy();
  const experiment = useLab((s) => s.experiment);
  const [cell, setCell] = useState<CellKind>(isCellKind(experiment.model) ? experiment.model : 'gru');
  const [task, setTask] = useState<TaskId>(isSequenceModel(experiment.model) && isBuiltinTask(experiment.task) ? experiment.task : 'recall');
  const [enabled, setEnabled] = useState(true);
  const [beta, setBeta] = useState(10);
  const [refreshEvery, setRefreshEvery] = useState(5);
  const [steps, setSteps] = useState(150);
  const [length, setLength] = useState<number>(16);
  const [segmentLength, setSegmentLength] = useState(1);
  const [reanchor, setReanchor] = useState<Reanchor>('off');
  /** What the running (or last) comparison started with: the depth column describes it, not the controls. */
  const [startedWith, setStartedWith] = useState<{ length: number; segmentLength: number; reanchor: Reanchor } | null>(null);
  const stepsHost = useRef<HTMLDivElement>(null);
  const secondsHost = useRef<HTMLDivElement>(null);
  const stepsPlot = useChart(stepsHost, 'step', true);
  const secondsPlot = useChart(secondsHost, 'seconds', false);

  const running = state.running && state.kind === 'transitions';
  const target = Math.log(1 / TASKS[task].chance) * TARGET_FRACTION_OF_CHANCE;
  const curves: CurveData = useMemo(
    () => transitionCurves(state.kind === 'transitions' ? state.transitionPoints : [], target),
    [state.kind, state.transitionPoints, target],
  );

  useEffect(() => {
    stepsPlot.current?.setData(curves.bySteps);
    secondsPlot.current?.setData(curves.bySeconds);
  }, [curves, stepsPlot, secondsPlot]);

  const start = () => {
    const modes: TransitionMode[] = enabled ? ['transitions', 'bptt'] : ['bptt'];
    const S = Math.min(segmentLength, length);
    setStartedWith({ length, segmentLength: S, reanchor });
    study.start({ kind: 'transitions', options: { cell, task, seed: experiment.seed, beta, refreshEvery, length, segmentLength: S, reanchor }, modes, steps, evalEvery: 10 });
  };
  const depthOf = (mode: TransitionMode): string => {
    if (!startedWith) return '—';
    const d = sequentialDepth({ mode, ...startedWith, refreshEvery });
    return Number.isInteger(d) ? String(d) : d.toFixed(1);
  };
  const live = (patch: { beta?: number; refreshEvery?: number }) => {
    if (patch.beta !== undefined) setBeta(patch.beta);
    if (patch.refreshEvery !== undefined) setRefreshEvery(patch.refreshEvery);
    study.setLive(patch);
  };

  return (
    <aside className="battery-panel transitions-panel" aria-label="Transition representations">
      <header>
        <h2>Transition representations vs BPTT</h2>
        <button type="button" onClick={onClose} aria-label="Close transitions">
          ×
        </button>
      </header>
      <p className="battery-intro">
        Every transition (sequence i, time t) owns a trainable state; all transitions train at once against a frozen copy of the next state,
        refreshed every K steps (seed 002). BPTT trains the same cell on the same sequences beside it. Both are judged by rolling the cell
        forward from its initial state on held-out sequences. With a segment length S &gt; 1 each sequence is cut into segments: BPTT
        inside a segment, trainable states only at segment starts (multiple shooting). Runs in its own worker; the experiment on the left keeps going.
      </p>
      <details className="transitions-help">
        <summary>About these options (sources, and what is ours)</summary>
        <ul>
          <li>
            <strong>Segment length S</strong>: multiple shooting (Massaroli et al. 2021, “Differentiable multiple shooting layers”).
            Each sequence is cut into segments of S symbols; a trainable state sits at each segment start (the start state at t = 0
            stays fixed), BPTT runs inside a segment, and each segment end is pulled to the next segment’s frozen start by the
            consistency term. S = 1 is the seed’s per-transition form, S = T is BPTT. A step’s sequential depth is S instead of T.
            Ours: continuity is a soft penalty (weight β) on Adam-trained states, not the paper’s Newton iteration on it.
          </li>
          <li>
            <strong>Re-anchor</strong> (ours): at every refresh the frozen target comes from the embeddings (off, the seed’s form),
            from a forward roll-out of the current cell (target), or the embeddings are reset to that roll-out too (states). It costs
            one depth-T forward pass every K steps, T/K per step in the depth column.
          </li>
          <li>
            <strong>Beta</strong> and <strong>Refresh every K</strong>: the seed’s consistency weight and its DQN-style frozen target
            (Mnih et al. 2015); their values are ours. Both change while a run trains.
          </li>
          <li>
            On paper, DEER (Lim et al. 2024, “Parallelizing non-linear sequential models over the sequence length”) solves the whole
            roll-out as a fixed point by Newton steps, each a parallel scan of depth O(log T) over the linearised cell, with a state
            Jacobian per step (memory T·S² per sequence): exact states and gradients once it converges. Multiple shooting keeps the
            segment starts as stale trained states and reaches the true roll-out only as the consistency term vanishes; its depth is S
            and its extra memory one state per segment. The lab implements neither paper’s Newton solve.
          </li>
          <li>
            Measured (docs/RESULTS.md, <code>npm run study -- transitions-shooting</code>: GRU, T = 64, 150 steps, 3 seeds): with
            re-anchoring (states, K = 5), S = 16 matches BPTT’s roll-out accuracy on recall (1.000 against 1.000) and random circuit
            (0.986 against 0.989), and S = 4 on recall (0.996); without it S = 16 stays behind (0.938, 0.682) and S = 1, the seed’s form, at 0.516 and 0.406.
          </li>
        </ul>
      </details>
      <div className="battery-setup">
        <fieldset>
          <legend>Run</legend>
          <label className="control">
            <span className="control-label">Cell</span>
            <select value={cell} onChange={(e) => setCell(e.target.value as CellKind)} disabled={running}>
              {TRANSITION_CELL_KINDS.map((k) => (
                <option key={k} value={k}>
                  {CELL_LABELS[k]}
                </option>
              ))}
            </select>
          </label>
          <label className="control">
            <span className="control-label">Task</span>
            <select value={task} onChange={(e) => setTask(e.target.value as TaskId)} disabled={running}>
              {Object.values(TASKS).map((t) => (
                <option key={t.id} value={t.id}>
                  {t.label}
                </option>
              ))}
            </select>
          </label>
          <label className="control checkbox" title="Off: only BPTT runs">
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} disabled={running} />
            Transition representations
          </label>
          <label className="control" title="T: symbols per training sequence. The sequential depth of a BPTT step.">
            <span className="control-label">Sequence length T</span>
            <select value={length} onChange={(e) => setLength(Number(e.target.value))} disabled={running}>
              {LENGTHS.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          <label
            className="control slider"
            title="Multiple shooting (Massaroli et al. 2021): S = 1 is the seed's per-transition form, S = T is BPTT. Depth per step: S."
          >
            <span className="control-label">
              Segment length <span className="control-value">{Math.min(segmentLength, length)}</span>
            </span>
            <input
              type="range"
              min={1}
              max={length}
              step={1}
              value={Math.min(segmentLength, length)}
              disabled={running}
              onChange={(e) => setSegmentLength(Number(e.target.value))}
            />
          </label>
          <label className="control" title="Where each refresh takes the frozen target from (ours): the embeddings (the seed's form) or a roll-out of the current cell.">
            <span className="control-label">Re-anchor</span>
            <select value={reanchor} onChange={(e) => setReanchor(e.target.value as Reanchor)} disabled={running}>
              {(Object.keys(REANCHOR_LABELS) as Reanchor[]).map((k) => (
                <option key={k} value={k}>
                  {REANCHOR_LABELS[k]}
                </option>
              ))}
            </select>
          </label>
          <label className="control slider">
            <span className="control-label">
              Beta <span className="control-value">{beta}</span>
            </span>
            <input type="range" min={0} max={50} step={0.5} value={beta} onChange={(e) => live({ beta: Number(e.target.value) })} />
          </label>
          <label className="control slider">
            <span className="control-label">
              Refresh every K <span className="control-value">{refreshEvery}</span>
            </span>
            <input type="range" min={1} max={50} step={1} value={refreshEvery} onChange={(e) => live({ refreshEvery: Number(e.target.value) })} />
          </label>
          <label className="control">
            <span className="control-label">Train steps</span>
            <input type="number" min={10} max={2000} step={10} value={steps} disabled={running} onChange={(e) => setSteps(Math.max(10, Math.min(2000, Math.floor(Number(e.target.value)) || 10)))} />
          </label>
          {running ? (
            <button type="button" onClick={() => study.cancel()}>
              Stop
            </button>
          ) : (
            <button type="button" className="primary" onClick={start}>
              Compare
            </button>
          )}
        </fieldset>
      </div>
      {state.kind === 'transitions' && state.message && <p role="status">{state.message}</p>}
      <div className="transitions-charts">
        <section aria-label="Loss over steps">
          <h3>Loss over steps (refreshes marked)</h3>
          <div
            ref={stepsHost}
            className="chart"
            data-points-transitions={curves.bySteps[1].filter((v) => v !== null).length}
            data-points-bptt={curves.bySteps[2].filter((v) => v !== null).length}
          />
        </section>
        <section aria-label="Loss over seconds">
          <h3>Loss over seconds</h3>
          <div ref={secondsHost} className="chart" />
        </section>
      </div>
      <table className="battery-table" aria-label="Transitions summary">
        <thead>
          <tr>
            <th>mode</th>
            <th>steps</th>
            <th>refreshes</th>
            <th>sequential depth / step</th>
            <th>steps to roll-out loss ≤ {target.toFixed(2)}</th>
            <th>seconds to it</th>
            <th>roll-out accuracy</th>
            <th>roll-out loss</th>
          </tr>
        </thead>
        <tbody>
          {curves.summaries.map((s) => (
            <tr key={s.mode} data-mode={s.mode}>
              <td>{s.mode === 'bptt' ? 'BPTT' : 'transitions'}</td>
              <td data-test="steps">{s.steps}</td>
              <td data-test="refreshes">{s.mode === 'bptt' ? '—' : s.refreshes}</td>
              <td data-test="depth">{depthOf(s.mode)}</td>
              <td>{s.stepsToTarget ?? '—'}</td>
              <td>{s.secondsToTarget === null ? '—' : s.secondsToTarget.toFixed(2)}</td>
              <td data-test="rollout-accuracy">{s.lastRollout ? s.lastRollout.accuracy.toFixed(3) : '—'}</td>
              <td>{s.lastRollout ? s.lastRollout.loss.toFixed(3) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </aside>
  );
}
