/**
 * The loss chart's data, kept apart from uPlot so it is tested: append-only
 * series thinned by stride, TensorBoard-style smoothing, and the merge of
 * series sampled at different steps (train, held-out, the previous run) onto
 * one x axis.
 */

/** Points kept per series before it thins. */
export const MAX_POINTS = 4000;

/** Step-indexed points; when full, every other point goes and the stride doubles, so old runs stay cheap. */
export class ThinnedSeries {
  xs: number[] = [];
  ys: number[][];
  private stride = 1;
  private seen = 0;

  constructor(
    /** Values per point (e.g. loss and accuracy). */
    readonly width: number,
    private readonly max = MAX_POINTS,
  ) {
    this.ys = Array.from({ length: width }, () => []);
  }

  get length(): number {
    return this.xs.length;
  }

  push(x: number, values: readonly number[]): void {
    if (this.seen++ % this.stride !== 0) return;
    this.xs.push(x);
    for (let k = 0; k < this.width; k++) (this.ys[k] as number[]).push(values[k] as number);
    if (this.xs.length > this.max) {
      const keep = (_: number, i: number) => i % 2 === 0;
      this.xs = this.xs.filter(keep);
      this.ys = this.ys.map((y) => y.filter(keep));
      this.stride *= 2;
    }
  }

  clear(): void {
    this.xs = [];
    this.ys = this.ys.map(() => []);
    this.stride = 1;
    this.seen = 0;
  }

  /** A frozen copy (the previous run, after a reset). */
  copy(): ThinnedSeries {
    const c = new ThinnedSeries(this.width, this.max);
    c.xs = [...this.xs];
    c.ys = this.ys.map((y) => [...y]);
    return c;
  }
}

/**
 * Exponential moving average with TensorBoard's debiasing (the first points
 * are not pulled toward 0). `weight` 0 returns the input; non-finite values
 * pass through and do not enter the average.
 */
export function smooth(values: readonly number[], weight: number): number[] {
  if (weight <= 0) return [...values];
  const out = new Array<number>(values.length);
  let last = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    n += 1;
    out[i] = last / (1 - weight ** n);
  }
  return out;
}

/** One series on its own steps. */
export interface StepSeries {
  readonly xs: readonly number[];
  readonly ys: readonly (readonly number[])[];
}

/**
 * Puts several series on the union of their steps (sorted), with null where
 * a series has no point: uPlot's aligned-data form. Returns [xs, ...ys] in
 * the order of `series` and their values.
 */
export function alignOnSteps(series: readonly StepSeries[]): (number | null)[][] {
  const steps = new Set<number>();
  for (const s of series) for (const x of s.xs) steps.add(x);
  const xs = [...steps].sort((a, b) => a - b);
  const index = new Map<number, number>();
  xs.forEach((x, i) => index.set(x, i));
  const out: (number | null)[][] = [xs];
  for (const s of series) {
    for (const y of s.ys) {
      const col = new Array<number | null>(xs.length).fill(null);
      s.xs.forEach((x, i) => {
        col[index.get(x) as number] = y[i] as number;
      });
      out.push(col);
    }
  }
  return out;
}
