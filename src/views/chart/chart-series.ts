/**
 * The charts' data, kept apart from uPlot so it is tested: append-only
 * series thinned by stride (the loss chart and DNA's Cells chart),
 * TensorBoard-style smoothing, and the merge of series sampled at different
 * steps (train, held-out, the previous run) onto one x axis.
 */

/**
 * An append-only chart series that stays small over long runs: when it
 * passes `max` points every other one is dropped and only every
 * `stride`-th new point is kept from then on.
 */
export class ThinSeries {
  /** x values (train steps) and one array per y series, all the same length; null is a gap. */
  x: number[] = [];
  ys: (number | null)[][];
  private stride = 1;
  private seen = 0;

  constructor(
    series: number,
    private readonly max = 2000,
  ) {
    this.ys = Array.from({ length: series }, () => []);
  }

  get length(): number {
    return this.x.length;
  }

  push(x: number, ...ys: (number | null)[]): void {
    if (this.seen++ % this.stride !== 0) return;
    this.x.push(x);
    this.ys.forEach((s, i) => s.push(ys[i] ?? null));
    if (this.x.length > this.max) {
      const keep = (_: unknown, i: number): boolean => i % 2 === 0;
      this.x = this.x.filter(keep);
      this.ys = this.ys.map((s) => s.filter(keep));
      this.stride *= 2;
    }
  }

  /** Drops the points at or after `x` (a rollback went back to it); the thinning stride stays. */
  dropFrom(x: number): void {
    let n = this.x.length;
    while (n > 0 && (this.x[n - 1] as number) >= x) n--;
    this.x.length = n;
    for (const y of this.ys) y.length = n;
  }

  clear(): void {
    this.x = [];
    this.ys = this.ys.map(() => []);
    this.stride = 1;
    this.seen = 0;
  }

  /** A frozen copy (the previous run, after a reset). */
  copy(): ThinSeries {
    const c = new ThinSeries(this.ys.length, this.max);
    c.x = [...this.x];
    c.ys = this.ys.map((y) => [...y]);
    return c;
  }
}

/**
 * Exponential moving average with TensorBoard's debiasing (the first points
 * are not pulled toward 0). `weight` 0 returns the input; non-finite values
 * pass through and do not enter the average.
 */
export function smooth(values: readonly (number | null)[], weight: number): (number | null)[] {
  if (weight <= 0) return [...values];
  const out = new Array<number | null>(values.length);
  let last = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number | null;
    if (v === null || !Number.isFinite(v)) {
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
  readonly x: readonly number[];
  readonly ys: readonly (readonly (number | null)[])[];
}

/**
 * Puts several series on the union of their steps (sorted), with null where
 * a series has no point: uPlot's aligned-data form. Returns [xs, ...ys] in
 * the order of `series` and their values.
 */
export function alignOnSteps(series: readonly StepSeries[]): (number | null)[][] {
  const steps = new Set<number>();
  for (const s of series) for (const x of s.x) steps.add(x);
  const xs = [...steps].sort((a, b) => a - b);
  const index = new Map<number, number>();
  xs.forEach((x, i) => index.set(x, i));
  const out: (number | null)[][] = [xs];
  for (const s of series) {
    for (const y of s.ys) {
      const col = new Array<number | null>(xs.length).fill(null);
      s.x.forEach((x, i) => {
        col[index.get(x) as number] = y[i] ?? null;
      });
      out.push(col);
    }
  }
  return out;
}
