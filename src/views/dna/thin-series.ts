/**
 * An append-only chart series that stays small over long runs: when it
 * passes `max` points every other one is dropped and only every
 * `stride`-th new point is kept from then on (as LossChart does).
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

  clear(): void {
    this.x = [];
    this.ys = this.ys.map(() => []);
    this.stride = 1;
    this.seen = 0;
  }
}
