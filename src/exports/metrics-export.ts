/**
 * A run's metric series as CSV and JSON. The CSV is long ("tidy") format,
 * one row per recorded point: `metric,step,wall_seconds,value`. The series
 * are sampled at different steps (train loss every step, held-out points
 * about once a second), so one row per step would be mostly empty cells;
 * the long form loads as it is into pandas (`pivot`), R or a spreadsheet.
 */
import { METRIC_INFO, METRIC_NAMES, type RunEvent, type RunMetrics } from '../runs/run-metrics';

/** Where the metrics come from, written into the JSON beside them. */
export interface MetricsMeta {
  readonly model: string;
  readonly task: string;
  readonly seed: number;
  readonly step: number;
  /** ISO 8601 time of the export. */
  readonly createdAt: string;
  /** The experiment's parameters, as the JSON export has them. */
  readonly experiment?: unknown;
}

export const METRICS_CSV_HEADER = 'metric,step,wall_seconds,value';

/** A number as CSV text; a non-finite value (a diverged loss) is an empty cell, which pandas reads as NaN. */
function cell(x: number): string {
  return Number.isFinite(x) ? String(x) : '';
}

export function metricsCsv(metrics: RunMetrics): string {
  const rows = [METRICS_CSV_HEADER];
  for (const name of METRIC_NAMES) {
    const s = metrics[name];
    const n = Math.min(s.step.length, s.wallSeconds.length, s.value.length);
    for (let i = 0; i < n; i++) rows.push(`${name},${cell(s.step[i] as number)},${cell(s.wallSeconds[i] as number)},${cell(s.value[i] as number)}`);
  }
  return `${rows.join('\n')}\n`;
}

/** JSON numbers cannot be NaN or infinite: those become null. */
function finiteOrNull(values: readonly number[]): (number | null)[] {
  return values.map((v) => (Number.isFinite(v) ? v : null));
}

export function metricsJson(metrics: RunMetrics, events: readonly RunEvent[], meta: MetricsMeta): string {
  const series: Record<string, unknown> = {};
  for (const name of METRIC_NAMES) {
    const s = metrics[name];
    series[name] = { label: METRIC_INFO[name].label, unit: METRIC_INFO[name].unit, step: finiteOrNull(s.step), wallSeconds: finiteOrNull(s.wallSeconds), value: finiteOrNull(s.value) };
  }
  return JSON.stringify({ format: 'loopy-lab-metrics', version: 1, ...meta, metrics: series, events }, null, 1);
}
