/**
 * Timing of the graph's animation-frame work (layout tick + playback + paint),
 * kept in a fixed ring so tests and the e2e test API can read percentiles
 * without the view allocating anything per frame.
 */

const SIZE = 600;

export class PaintStats {
  private readonly ms = new Float32Array(SIZE);
  private next = 0;
  /** Frames painted since the page loaded. */
  paints = 0;
  /** Thread hops shown since the page loaded. */
  hops = 0;

  record(ms: number): void {
    this.ms[this.next] = ms;
    this.next = (this.next + 1) % SIZE;
    this.paints++;
  }

  /** The q quantile (0..1) of the last (up to 600) frames' work in ms; 0 before any. */
  quantile(q: number): number {
    const n = Math.min(this.paints, SIZE);
    if (n === 0) return 0;
    const sorted = this.ms.slice(0, n).sort();
    return sorted[Math.min(n - 1, Math.floor(q * n))] as number;
  }

  reset(): void {
    this.ms.fill(0);
    this.next = 0;
    this.paints = 0;
    this.hops = 0;
  }
}

/** Stats of the lab's activity graph (read by the app's test API and benchmarks). */
export const graphPaintStats = new PaintStats();
