/**
 * Births and deaths per extinction, for the Cells chart: when splits equal
 * deaths the cell count stays flat, so the turnover needs its own marks. Pure
 * data and geometry, no DOM: the log of extinctions (bounded over long runs),
 * the columns they fall into at a chart width, and their plain-text summary.
 */
import type { TopologyEvent } from '../../protocol/messages';

/** One extinction, or a run of neighbouring ones merged once the log is full. */
export interface TurnoverBucket {
  /** Train step and epoch of its first and last extinction. */
  readonly firstStep: number;
  readonly lastStep: number;
  readonly firstEpoch: number;
  readonly lastEpoch: number;
  /** Extinctions it holds (1 until merged). */
  readonly extinctions: number;
  /** Cells born and died in all of them. */
  readonly births: number;
  readonly deaths: number;
  /** Most births and most deaths at any one of them: a bar's height is per extinction, whatever the merging. */
  readonly maxBirths: number;
  readonly maxDeaths: number;
  /** Cells in the layer after its last extinction. */
  readonly cells: number;
}

export interface TurnoverTotals {
  readonly extinctions: number;
  readonly births: number;
  readonly deaths: number;
}

/** One extinction from a topology update's events (null when it has none): births up, deaths down. */
export function extinctionOf(events: readonly TopologyEvent[], step: number, cells: number): TurnoverBucket | null {
  if (events.length === 0) return null;
  let births = 0;
  let deaths = 0;
  let epoch = -Infinity;
  for (const e of events) {
    if (e.kind === 'birth') births++;
    else deaths++;
    epoch = Math.max(epoch, e.tick);
  }
  return { firstStep: step, lastStep: step, firstEpoch: epoch, lastEpoch: epoch, extinctions: 1, births, deaths, maxBirths: births, maxDeaths: deaths, cells };
}

/** Two neighbouring buckets as one (`a` before `b`). */
export function mergeBuckets(a: TurnoverBucket, b: TurnoverBucket): TurnoverBucket {
  return {
    firstStep: a.firstStep,
    lastStep: b.lastStep,
    firstEpoch: a.firstEpoch,
    lastEpoch: b.lastEpoch,
    extinctions: a.extinctions + b.extinctions,
    births: a.births + b.births,
    deaths: a.deaths + b.deaths,
    maxBirths: Math.max(a.maxBirths, b.maxBirths),
    maxDeaths: Math.max(a.maxDeaths, b.maxDeaths),
    cells: b.cells,
  };
}

/**
 * The extinctions seen so far, in step order. A small layer goes through one
 * every few steps (thousands a minute on the 2-D sets), so past `max` buckets
 * neighbours merge in pairs: totals stay exact, old ones get coarser.
 */
export class TurnoverLog {
  private list: TurnoverBucket[] = [];
  private sums: TurnoverTotals = { extinctions: 0, births: 0, deaths: 0 };

  constructor(private readonly max = 2000) {}

  get buckets(): readonly TurnoverBucket[] {
    return this.list;
  }

  get totals(): TurnoverTotals {
    return this.sums;
  }

  /** Adds one extinction; false (ignored) when it is not after the last one, e.g. a replayed update. */
  record(e: TurnoverBucket): boolean {
    const last = this.list[this.list.length - 1];
    if (last && e.firstStep <= last.lastStep) return false;
    this.list.push(e);
    this.sums = { extinctions: this.sums.extinctions + e.extinctions, births: this.sums.births + e.births, deaths: this.sums.deaths + e.deaths };
    if (this.list.length > this.max) {
      const merged: TurnoverBucket[] = [];
      for (let i = 0; i < this.list.length; i += 2) {
        const a = this.list[i] as TurnoverBucket;
        const b = this.list[i + 1];
        merged.push(b ? mergeBuckets(a, b) : a);
      }
      this.list = merged;
    }
    return true;
  }

  /** Training went back to `step` (a rollback): drops the buckets that reach past it. */
  rollback(step: number): void {
    const keep = this.list.filter((b) => b.lastStep <= step);
    if (keep.length === this.list.length) return;
    this.list = keep;
    this.sums = keep.reduce((s, b) => ({ extinctions: s.extinctions + b.extinctions, births: s.births + b.births, deaths: s.deaths + b.deaths }), {
      extinctions: 0,
      births: 0,
      deaths: 0,
    });
  }

  clear(): void {
    this.list = [];
    this.sums = { extinctions: 0, births: 0, deaths: 0 };
  }
}

/** The buckets that fall into one pixel column of the chart. */
export interface TurnoverColumn {
  /** Column centre, in the pixels of `toPx`. */
  readonly x: number;
  readonly bucket: TurnoverBucket;
}

/**
 * Buckets gathered into columns `width` pixels wide (left edge at `left`),
 * dropping those outside [left, right]: at a zoomed-out x a thousand
 * extinctions would otherwise paint a thousand overlapping bars.
 * `toPx` maps a train step to a pixel.
 */
export function turnoverColumns(buckets: readonly TurnoverBucket[], toPx: (step: number) => number, left: number, right: number, width: number): TurnoverColumn[] {
  const out: TurnoverColumn[] = [];
  let col = NaN;
  for (const b of buckets) {
    const px = toPx((b.firstStep + b.lastStep) / 2);
    if (!(px >= left && px <= right)) continue;
    const c = Math.floor((px - left) / width);
    const prev = out[out.length - 1];
    if (prev && c === col) out[out.length - 1] = { x: prev.x, bucket: mergeBuckets(prev.bucket, b) };
    else out.push({ x: left + (c + 0.5) * width, bucket: b });
    col = c;
  }
  return out;
}

/** The column nearest pixel `x`, if one lies within `tolerance` pixels. */
export function nearestColumn(columns: readonly TurnoverColumn[], x: number, tolerance: number): TurnoverColumn | null {
  let best: TurnoverColumn | null = null;
  for (const c of columns) if (Math.abs(c.x - x) <= tolerance && (!best || Math.abs(c.x - x) < Math.abs(best.x - x))) best = c;
  return best;
}

const count = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** "Extinction at epoch 12 (step 48): 1 born, 1 died, leaving 4 cells." or, merged, "Epochs 10–20, 5 extinctions: …" */
export function describeBucket(b: TurnoverBucket): string {
  const turnover = `${b.births.toLocaleString('en-US')} born, ${b.deaths.toLocaleString('en-US')} died`;
  const cells = `leaving ${count(b.cells, 'cell')}`;
  if (b.extinctions === 1) return `Extinction at epoch ${b.lastEpoch} (step ${b.lastStep.toLocaleString('en-US')}): ${turnover}, ${cells}.`;
  return `Epochs ${b.firstEpoch}–${b.lastEpoch}, ${count(b.extinctions, 'extinction')}: ${turnover} (up to ${b.maxBirths} born and ${b.maxDeaths} died at one), ${cells}.`;
}

/** The whole log in a sentence or two, for screen readers. */
export function describeTurnover(log: TurnoverLog): string {
  const t = log.totals;
  if (t.extinctions === 0) return 'No extinction yet: the cell count only changes when cells split or die at an extinction.';
  const last = log.buckets[log.buckets.length - 1] as TurnoverBucket;
  const latest = last.extinctions === 1 ? describeBucket(last) : `Latest: epoch ${last.lastEpoch}; ${count(last.cells, 'cell')} now.`;
  return `${count(t.extinctions, 'extinction')} so far: ${t.births.toLocaleString('en-US')} cells born and ${t.deaths.toLocaleString('en-US')} died in all. ${latest}`;
}
