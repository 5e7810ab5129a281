/**
 * The metric series of one run, as the page recorded them: what the Runs
 * panel overlays, the run store keeps, and the CSV/JSON exports write.
 * Columnar plain arrays (they go into IndexedDB and JSON as they are).
 */

export const METRIC_NAMES = ['trainLoss', 'trainAccuracy', 'heldOutLoss', 'heldOutAccuracy', 'stepsPerSecond'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** Units and labels, for axes, CSV headers and tables. */
export const METRIC_INFO: Readonly<Record<MetricName, { readonly label: string; readonly unit: string }>> = {
  trainLoss: { label: 'train loss', unit: 'nats' },
  trainAccuracy: { label: 'train accuracy', unit: 'fraction' },
  heldOutLoss: { label: 'held-out loss', unit: 'nats' },
  heldOutAccuracy: { label: 'held-out accuracy', unit: 'fraction' },
  stepsPerSecond: { label: 'steps/s', unit: 'steps per second' },
};

/** One series: equal-length columns, oldest first; `wallSeconds` counts training time since the run began (paused time excluded). */
export interface MetricSeries {
  readonly step: number[];
  readonly wallSeconds: number[];
  readonly value: number[];
}

export type RunMetrics = Readonly<Record<MetricName, MetricSeries>>;

/** Something that happened to the network during a run (births and deaths of nodes, DNA extinctions, rollbacks, a live parameter change). */
export interface RunEvent {
  readonly step: number;
  readonly wallSeconds: number;
  readonly kind: 'birth' | 'death' | 'extinction' | 'refresh' | 'rollback' | 'change';
  /** The node, cell or layer it concerns, where there is one. */
  readonly id?: number;
  /** A short human reading ("split of node 4", "non-finite loss", "Learning rate 0.01 → 0.003"). */
  readonly detail?: string;
}

export function emptyMetrics(): Record<MetricName, MetricSeries> {
  const out = {} as Record<MetricName, MetricSeries>;
  for (const name of METRIC_NAMES) out[name] = { step: [], wallSeconds: [], value: [] };
  return out;
}
