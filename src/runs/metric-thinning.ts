/**
 * A run's metric series kept bounded over long runs, as the charts'
 * ThinSeries does: past `max` points every other one is dropped and only
 * every `stride`-th new point is kept from then on (the stride doubles).
 */
import type { MetricSeries } from './run-metrics';

/** Points per series before it thins (a run's five series stay under a few MB in IndexedDB). */
export const MAX_POINTS = 20_000;

export class ThinMetric {
  step: number[] = [];
  wallSeconds: number[] = [];
  value: number[] = [];
  private seen = 0;

  constructor(
    private readonly max = MAX_POINTS,
    /** Keep one point in `stride` (a power of two). */
    public stride = 1,
  ) {}

  /** A series restored from the store, thinning on with its stride. */
  static from(series: MetricSeries, stride: number, max = MAX_POINTS): ThinMetric {
    const t = new ThinMetric(max, stride);
    t.step = [...series.step];
    t.wallSeconds = [...series.wallSeconds];
    t.value = [...series.value];
    return t;
  }

  get length(): number {
    return this.step.length;
  }

  push(step: number, wallSeconds: number, value: number): void {
    if (this.seen++ % this.stride !== 0) return;
    this.step.push(step);
    this.wallSeconds.push(wallSeconds);
    this.value.push(value);
    if (this.step.length > this.max) {
      const keep = (_: unknown, i: number): boolean => i % 2 === 0;
      this.step = this.step.filter(keep);
      this.wallSeconds = this.wallSeconds.filter(keep);
      this.value = this.value.filter(keep);
      this.stride *= 2;
    }
  }

  /** Drops the points at or after `step` (a rollback or a resume went back to before it). */
  dropFrom(step: number): void {
    let n = this.step.length;
    while (n > 0 && (this.step[n - 1] as number) >= step) n--;
    this.step.length = n;
    this.wallSeconds.length = n;
    this.value.length = n;
  }

  /** A plain copy (what the store writes and the views read). */
  series(): MetricSeries {
    return { step: [...this.step], wallSeconds: [...this.wallSeconds], value: [...this.value] };
  }
}
