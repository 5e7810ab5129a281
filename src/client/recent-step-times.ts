/** The running network's recent train-step times, reduced to one figure the page can show without re-rendering per frame. */

/** Steps kept for the median; the first few of a network (checkpoint, caches, shader compiles) are skipped. */
const KEEP = 16;
const WARMUP = 2;
const MIN_STEPS = 3;
/** A new median is published only when it moved by more than this share (controls re-render on it). */
const MOVE = 0.1;

export class RecentStepTimes {
  private ms: number[] = [];
  private skipped = 0;
  private published: number | null = null;

  /** Forget the steps so far: a new network, or live parameters that change a step's cost. */
  reset(): void {
    this.ms = [];
    this.skipped = 0;
    this.published = null;
  }

  /** Adds a frame's step times; returns the median to publish, or null while too few steps are timed or it moved less than 10%. */
  add(stepMs: ArrayLike<number>): number | null {
    for (let i = 0; i < stepMs.length; i++) {
      const v = stepMs[i] as number;
      if (!Number.isFinite(v) || v < 0) continue;
      if (this.skipped < WARMUP) this.skipped++;
      else this.ms.push(v);
    }
    if (this.ms.length > KEEP) this.ms.splice(0, this.ms.length - KEEP);
    if (this.ms.length < MIN_STEPS) return null;
    const s = [...this.ms].sort((a, b) => a - b);
    const m = s.length >> 1;
    const median = s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
    if (this.published !== null && Math.abs(median - this.published) <= MOVE * this.published) return null;
    this.published = median;
    return median;
  }
}
