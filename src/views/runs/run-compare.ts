/**
 * What the Runs panel shows of runs, kept apart from React and uPlot so it
 * is tested: what a run changed from its model's defaults, the parameters
 * that differ between runs, durations, and the overlay's aligned data.
 */
import { defaultExperiment, descriptorOf, type ControlDescriptor, type Experiment } from '../../protocol/experiment';
import { controlsOf, controlValue, formatValue } from '../../runs/run-recorder';
import type { MetricName, MetricSeries, RunMetrics } from '../../runs/run-metrics';
import { alignOnSteps, smooth } from '../chart/chart-series';

type Params = Readonly<Record<string, unknown>>;
export type AnyControl = ControlDescriptor<Params>;

/** "Learning rate 0.003", one per control whose value is not its model's default (and the seed when it is not 1). */
export function differencesFromDefaults(experiment: Experiment): string[] {
  const base = defaultExperiment(experiment.model);
  const out: string[] = [];
  if (experiment.seed !== base.seed) out.push(`Seed ${experiment.seed}`);
  for (const c of controlsOf(experiment)) {
    const v = controlValue(c, experiment.params);
    if (JSON.stringify(v) !== JSON.stringify(controlValue(c, base.params))) out.push(`${c.label} ${formatValue(v)}`);
  }
  return out;
}

/** One row of the parameter table: a setting and each run's value ('—' where the run's model has no such control). */
export interface DiffRow {
  readonly label: string;
  readonly values: readonly string[];
}

/** The settings whose values differ between `experiments` (model, task, seed, then each control by label); the equal ones are left out. */
export function parameterDifferences(experiments: readonly Experiment[]): DiffRow[] {
  const rows: DiffRow[] = [
    { label: 'Model', values: experiments.map((e) => descriptorOf(e.model).label) },
    { label: 'Task', values: experiments.map((e) => e.task) },
    { label: 'Seed', values: experiments.map((e) => String(e.seed)) },
  ];
  const labels: string[] = [];
  for (const e of experiments) for (const c of controlsOf(e)) if (!labels.includes(c.label)) labels.push(c.label);
  for (const label of labels) {
    rows.push({
      label,
      values: experiments.map((e) => {
        const c = controlsOf(e).find((x) => x.label === label);
        return c ? formatValue(controlValue(c, e.params)) : '—';
      }),
    });
  }
  return rows.filter((r) => new Set(r.values).size > 1);
}

/** "1 h 02 min", "3 min 05 s", "42 s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

export type OverlayAxis = 'step' | 'wallSeconds';

/** At most this many points per run on the overlay (a stride over the stored series, after smoothing). */
export const OVERLAY_POINTS = 2000;

/**
 * uPlot's aligned data for the overlay: x (steps or training seconds) and one
 * y column per run, `metric` smoothed with TensorBoard's debiased EMA. On a
 * log axis values ≤ 0 (which it cannot place) are gaps.
 */
export function overlayData(runs: readonly RunMetrics[], metric: MetricName, axis: OverlayAxis, smoothing: number, log: boolean): (number | null)[][] {
  return alignOnSteps(
    runs.map((m) => {
      const s: MetricSeries = m[metric];
      const ys = smooth(s.value, smoothing);
      const x = s[axis];
      const stride = Math.max(1, Math.ceil(x.length / OVERLAY_POINTS));
      const keep = (_: unknown, i: number): boolean => i % stride === 0 || i === x.length - 1;
      const y = ys.filter(keep).map((v) => (v === null || !Number.isFinite(v) || (log && v <= 0) ? null : v));
      // One point per x (training seconds can repeat across a pause): the last wins, as a reader would expect.
      return dedupe(x.filter(keep), y);
    }),
  );
}

/**
 * A log axis's range around the data: out to the nearest d·10^k (d = 1..9)
 * beyond 5% padding, so its ticks fall on values uPlot's log splits can
 * place. uPlot's own rangeLog rounds the top to a whole power of ten (a loss
 * from 1.4 to 0.8 drew as a flat line in 0.7..10). Null where the data has
 * no positive span (uPlot's default then applies).
 */
export function logRange(min: number | null, max: number | null): [number, number] | null {
  if (min === null || max === null || !(min > 0) || !(max >= min) || !Number.isFinite(max)) return null;
  const down = (v: number): number => {
    const p = 10 ** Math.floor(Math.log10(v));
    return Math.floor(v / p) * p;
  };
  const up = (v: number): number => {
    const p = 10 ** Math.floor(Math.log10(v));
    return Math.ceil(v / p) * p;
  };
  const lo = down(min / 1.05);
  const hi = up(max * 1.05);
  return [Number(lo.toPrecision(6)), Number(hi.toPrecision(6))];
}

function dedupe(x: readonly number[], y: readonly (number | null)[]): { x: number[]; ys: (number | null)[][] } {
  const xs: number[] = [];
  const vs: (number | null)[] = [];
  x.forEach((v, i) => {
    if (xs.length > 0 && xs[xs.length - 1] === v) vs[vs.length - 1] = y[i] ?? null;
    else {
      xs.push(v);
      vs.push(y[i] ?? null);
    }
  });
  return { x: xs, ys: [vs] };
}

/** Colours of the overlaid runs, in selection order (distinct on the dark panel, and for most colour vision). */
export const RUN_COLOURS = ['#f97316', '#38bdf8', '#a3e635', '#f472b6', '#facc15', '#a78bfa', '#2dd4bf', '#fb7185'] as const;

export function colourOf(index: number): string {
  return RUN_COLOURS[index % RUN_COLOURS.length] as string;
}

/** The typed value of a control from its input's text, or why not. */
export function parseControlValue(control: AnyControl, text: string): { readonly value: unknown } | { readonly problem: string } {
  switch (control.type) {
    case 'select':
      return { value: text };
    case 'checkbox':
      return { value: text === 'true' };
    case 'slider': {
      const v = Number(text);
      const [min, max] = control.scale === 'log' ? [10 ** control.min, 10 ** control.max] : [control.min, control.max];
      if (text.trim() === '' || !Number.isFinite(v)) return { problem: `${control.label} must be a number.` };
      if (v < min * (1 - 1e-9) || v > max * (1 + 1e-9)) return { problem: `${control.label} must be between ${formatValue(min)} and ${formatValue(max)}.` };
      return { value: v };
    }
  }
}
