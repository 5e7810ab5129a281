/**
 * Loss and accuracy over train steps, drawn with uPlot: the raw per-step
 * trace faint, its smoothed curve (TensorBoard's debiased EMA, slider) bold,
 * the held-out curve where the task has one, the previous run faint after a
 * reset, and dashed chance lines. Points arrive with frames (not React
 * state); the chart redraws at most once per animation frame and thins old
 * points so it stays cheap over long runs. Hovering reads values out. A
 * run resumed from the run store gets its recorded curves back.
 */
import { useContext, useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { chanceOf } from '../protocol/experiment';
import type { FrameMessage, HeldOutPoint } from '../protocol/messages';
import { alignOnSteps, smooth, ThinSeries } from './chart/chart-series';
import { useLab, useLabClient } from './lab-context';
import type { CurrentRun } from '../runs/run-recorder';
import { RunsContext } from './runs/runs-context';

const LOSS = '#f97316';
const ACC = '#38bdf8';
const HELD_LOSS = '#fb7185';
const HELD_ACC = '#a78bfa';
const PREVIOUS = '#64748b';
const DEFAULT_SMOOTHING = 0.6;

/** Series order in the plot's data: step, then these. */
const SERIES: readonly uPlot.Series[] = [
  { label: 'loss (raw)', stroke: `${LOSS}55`, width: 1, class: 'chart-raw', spanGaps: true, points: { show: false } },
  { label: 'accuracy (raw)', stroke: `${ACC}55`, width: 1, scale: 'acc', class: 'chart-raw', spanGaps: true, points: { show: false } },
  { label: 'loss', stroke: LOSS, width: 2, spanGaps: true, points: { show: false } },
  { label: 'accuracy', stroke: ACC, width: 2, scale: 'acc', spanGaps: true, points: { show: false } },
  { label: 'held-out loss', stroke: HELD_LOSS, width: 1.5, spanGaps: true, points: { show: true, size: 4 }, class: 'chart-held-out' },
  { label: 'held-out accuracy', stroke: HELD_ACC, width: 1.5, scale: 'acc', spanGaps: true, points: { show: true, size: 4 }, class: 'chart-held-out' },
  { label: 'previous loss', stroke: PREVIOUS, width: 1, dash: [2, 3], spanGaps: true, points: { show: false }, class: 'chart-previous' },
  { label: 'previous accuracy', stroke: PREVIOUS, width: 1, dash: [2, 3], scale: 'acc', spanGaps: true, points: { show: false }, class: 'chart-previous' },
];

function fmt(digits: number) {
  return (_: uPlot, v: number | null) => (v === null || !Number.isFinite(v) ? '–' : v.toFixed(digits));
}

/** Dashed lines at chance loss (left axis) and chance accuracy (right axis), drawn under the series. */
function chancePlugin(chance: { current: { loss: number; accuracy: number } }): uPlot.Plugin {
  const line = (u: uPlot, value: number, scale: string, colour: string) => {
    const y = u.valToPos(value, scale, true);
    if (!Number.isFinite(y) || y < u.bbox.top || y > u.bbox.top + u.bbox.height) return;
    const ctx = u.ctx;
    ctx.save();
    ctx.setLineDash([6, 4]);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(u.bbox.left, y);
    ctx.lineTo(u.bbox.left + u.bbox.width, y);
    ctx.stroke();
    ctx.restore();
  };
  return {
    hooks: {
      drawAxes: (u) => {
        line(u, chance.current.loss, 'y', `${LOSS}99`);
        line(u, chance.current.accuracy, 'acc', `${ACC}99`);
      },
    },
  };
}

/** Plot height in CSS px (the legend and the smoothing slider come below it). */
const CHART_HEIGHT = 240;

export function LossChart() {
  const client = useLabClient();
  const recorder = useContext(RunsContext);
  const host = useRef<HTMLDivElement>(null);
  const accuracy = useLab((s) => chanceOf(s.experiment).accuracy);
  const loss = -Math.log(accuracy);
  const chance = useRef({ accuracy, loss });
  const [smoothing, setSmoothing] = useState(DEFAULT_SMOOTHING);
  const smoothingRef = useRef(smoothing);
  const redraw = useRef<() => void>(() => undefined);
  const restore = useRef<(current: CurrentRun) => void>(() => undefined);
  useEffect(() => {
    smoothingRef.current = smoothing;
    redraw.current();
  }, [smoothing]);
  useEffect(() => {
    chance.current = { accuracy, loss: -Math.log(accuracy) };
    redraw.current();
  }, [accuracy]);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    // Up to 4,000 points per run before it thins.
    const train = new ThinSeries(2, 4000);
    const heldOut = new ThinSeries(2, 4000);
    let previous: ThinSeries | null = null;
    const plot = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: CHART_HEIGHT,
        legend: { show: true, live: true },
        cursor: { drag: { x: true, y: false } },
        // Loss from 0 to above the data and the chance line, so a run stuck at chance reads as flat, not as noise blown up to fill the plot.
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(max, chance.current.loss) * 1.08] }, acc: { range: [0, 1] } },
        axes: [
          { stroke: '#94a3b8', grid: { stroke: '#1e293b' } },
          { stroke: '#94a3b8', grid: { stroke: '#1e293b' }, label: 'loss (nats)', size: 44 },
          { side: 1, scale: 'acc', stroke: '#94a3b8', grid: { show: false }, label: 'accuracy', size: 44 },
        ],
        series: [{ label: 'step', value: (_, v) => (v === null ? '–' : String(v)) }, ...SERIES.map((s) => ({ ...s, value: fmt(3) }))],
        plugins: [chancePlugin(chance)],
      },
      [[], [], [], [], [], [], [], [], []],
      el,
    );
    let dirty = false;
    let raf = 0;
    const draw = () => {
      raf = 0;
      if (!dirty) return;
      dirty = false;
      const w = smoothingRef.current;
      const [tl, ta] = train.ys as [(number | null)[], (number | null)[]];
      const prev = previous ? { x: previous.x, ys: previous.ys.map((y) => smooth(y, w)) } : { x: [], ys: [[], []] };
      const data = alignOnSteps([{ x: train.x, ys: [tl, ta, smooth(tl, w), smooth(ta, w)] }, heldOut, prev]);
      plot.setData(data as uPlot.AlignedData);
      el.dataset.points = String(train.length);
      el.dataset.heldOutPoints = String(heldOut.length);
      el.dataset.previousPoints = String(previous?.length ?? 0);
    };
    const schedule = () => {
      dirty = true;
      if (!raf) raf = requestAnimationFrame(draw);
    };
    redraw.current = schedule;
    /** A reset: this run becomes the faint previous one (if it had any points) and the chart starts over. */
    const startOver = () => {
      if (train.length > 0) previous = train.copy();
      train.clear();
      heldOut.clear();
      lastStep = -1;
      schedule();
    };
    let lastStep = -1;
    const offFrame = client.onFrame((f: FrameMessage) => {
      if (f.stepNumbers.length === 0) return;
      // A rollback goes back in time within the same run: drop the points past it, keep the rest.
      if ((f.stepNumbers[0] as number) <= lastStep) train.dropFrom(f.stepNumbers[0] as number);
      for (let i = 0; i < f.stepNumbers.length; i++) train.push(f.stepNumbers[i] as number, f.losses[i] as number, f.accuracies[i] as number);
      lastStep = f.stepNumbers[f.stepNumbers.length - 1] as number;
      schedule();
    });
    const pushHeldOut = (p: HeldOutPoint) => {
      const last = heldOut.x.at(-1);
      // A reset or a rollback, as the client's own series; the same step again (a resumed run evaluates its checkpoint) replaces the point.
      if (last !== undefined && p.step < last) heldOut.clear();
      else if (p.step === last) heldOut.dropFrom(p.step);
      heldOut.push(p.step, p.loss, p.accuracy);
      schedule();
    };
    for (const p of client.heldOutHistory) pushHeldOut(p);
    const offHeldOut = client.onHeldOut(pushHeldOut);
    const offTopology = client.onTopology((t) => {
      if (t.step === 0 && t.events.length === 0) startOver();
    });
    // A resumed run: its recorded curves up to the checkpoint, and the frames go on from there.
    restore.current = ({ metrics }) => {
      startOver();
      const { trainLoss, trainAccuracy, heldOutLoss, heldOutAccuracy } = metrics;
      const n = Math.min(trainLoss.step.length, trainAccuracy.step.length);
      for (let i = 0; i < n; i++) train.push(trainLoss.step[i] as number, trainLoss.value[i] as number, trainAccuracy.value[i] as number);
      const h = Math.min(heldOutLoss.step.length, heldOutAccuracy.step.length);
      for (let i = 0; i < h; i++) heldOut.push(heldOutLoss.step[i] as number, heldOutLoss.value[i] as number, heldOutAccuracy.value[i] as number);
      lastStep = train.x.at(-1) ?? -1;
      schedule();
    };
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height: CHART_HEIGHT }));
    resize.observe(el);
    return () => {
      redraw.current = () => undefined;
      offFrame();
      offHeldOut();
      offTopology();
      restore.current = () => undefined;
      resize.disconnect();
      if (raf) cancelAnimationFrame(raf);
      plot.destroy();
    };
  }, [client]);
  // The recorder loads after the chart mounts (main.tsx): its restores reach the plot through a ref, so the plot is not rebuilt.
  useEffect(() => recorder?.onRestore((c) => restore.current(c)), [recorder]);

  return (
    <section className="panel chart-panel" aria-label="Loss and accuracy chart">
      <h2>Loss and accuracy</h2>
      <div ref={host} className="chart" data-testid="loss-chart" data-chance-loss={loss} data-chance-accuracy={accuracy} />
      <div className="chart-controls">
        <label className="control slider chart-smoothing">
          <span className="control-label">
            Smoothing
            <span className="control-value" aria-hidden="true">
              {smoothing.toFixed(2)}
            </span>
          </span>
          <input type="range" min={0} max={0.99} step={0.01} value={smoothing} onChange={(e) => setSmoothing(Number(e.target.value))} aria-valuetext={smoothing.toFixed(2)} />
        </label>
        <p className="chart-note">
          Dashed: chance ({(accuracy * 100).toFixed(0)}% accuracy, loss {loss.toFixed(2)} nats). Grey: the run before the last reset.
        </p>
      </div>
    </section>
  );
}
