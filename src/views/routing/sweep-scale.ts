/** Scales, ticks and labels of the λs sweep chart (compute saved vs accuracy lost). Pure. */

export interface SweepRow {
  /** The router kind trained; null (or absent) for the baseline. */
  readonly router?: string | null;
  readonly lambdaS: number;
  readonly skippedFraction: number;
  readonly hardAccuracy: number;
  readonly accuracyLost: number;
}

/** Round tick values covering [min, max], about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max < min) [min, max] = [max, min];
  if (max === min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  // The 1-2-5 step nearest the raw step (as d3's ticks picks it).
  const step = (norm >= Math.SQRT2 * 5 ? 10 : norm >= Math.sqrt(10) ? 5 : norm >= Math.SQRT2 ? 2 : 1) * mag;
  const first = Math.ceil(min / step - 1e-9) * step;
  const out: number[] = [];
  for (let v = first; v <= max + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return out;
}

/**
 * The chart's domains: compute saved always [0, 1] (it is a share); accuracy
 * lost from the rows, always including 0 (the baseline) and at least a
 * couple of points wide, padded so points do not sit on the frame.
 */
export function sweepDomain(rows: readonly SweepRow[]): { x: [number, number]; y: [number, number] } {
  let lo = 0;
  let hi = 0;
  for (const r of rows) {
    if (!Number.isFinite(r.accuracyLost)) continue;
    lo = Math.min(lo, r.accuracyLost);
    hi = Math.max(hi, r.accuracyLost);
  }
  const span = Math.max(0.02, hi - lo);
  return { x: [0, 1], y: [lo - span * 0.1, lo + span * 1.1] };
}

/** A λs for labels: "λs 0.05"; the baseline row (no routing, λs NaN) is "baseline". */
export function lambdaLabel(lambdaS: number): string {
  return Number.isFinite(lambdaS) ? `λs ${formatLambda(lambdaS)}` : 'baseline';
}

/** Shortest plain form of a λs: 0.05, 0.001, 1e-4. */
export function formatLambda(x: number): string {
  if (x === 0) return '0';
  if (Math.abs(x) < 0.001) return x.toExponential(0);
  return String(Number(x.toPrecision(3)));
}

/** Rows with a finite λs (of one router kind, when given), by λs, for drawing a trade-off curve. */
export function curveRows(rows: readonly SweepRow[], router?: string): SweepRow[] {
  return rows
    .filter((r) => Number.isFinite(r.lambdaS) && Number.isFinite(r.skippedFraction) && Number.isFinite(r.accuracyLost) && (router === undefined || r.router === router))
    .sort((a, b) => a.lambdaS - b.lambdaS);
}

/** The router kinds among the rows, in order of first appearance (the baseline has none). */
export function sweepRouters(rows: readonly SweepRow[]): string[] {
  const out: string[] = [];
  for (const r of rows) if (r.router && !out.includes(r.router)) out.push(r.router);
  return out;
}

/** The table: the baseline first, then one line per λs in order of arrival, each with its row per router kind (undefined until trained). */
export function sweepTable(rows: readonly SweepRow[], routers: readonly string[]): { lambdaS: number; byRouter: (SweepRow | undefined)[]; baseline?: SweepRow }[] {
  const out: { lambdaS: number; byRouter: (SweepRow | undefined)[]; baseline?: SweepRow }[] = [];
  const base = rows.find((r) => !Number.isFinite(r.lambdaS));
  if (base) out.push({ lambdaS: NaN, byRouter: [], baseline: base });
  for (const r of rows) {
    if (!Number.isFinite(r.lambdaS)) continue;
    let line = out.find((l) => l.lambdaS === r.lambdaS);
    if (!line) {
      line = { lambdaS: r.lambdaS, byRouter: routers.map(() => undefined) };
      out.push(line);
    }
    const k = routers.indexOf(r.router ?? '');
    if (k >= 0) line.byRouter[k] = r;
  }
  return out;
}

/** Linear map of `v` from `domain` to `range`. */
export function scaleLinear(v: number, domain: readonly [number, number], range: readonly [number, number]): number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  return d1 === d0 ? (r0 + r1) / 2 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

/** Decimals that tell the ticks apart once scaled by `factor` (100 for percentages). */
export function tickDecimals(ticks: readonly number[], factor = 1): number {
  if (ticks.length < 2) return 0;
  const step = Math.abs(((ticks[1] as number) - (ticks[0] as number)) * factor);
  return step > 0 ? Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9))) : 0;
}
