import { describe, expect, it } from 'vitest';
import type { TopologyEvent } from '../../protocol/messages';
import { describeBucket, describeTurnover, extinctionOf, mergeBuckets, nearestColumn, turnoverColumns, TurnoverLog, type TurnoverBucket } from './turnover-log';

const birth = (tick: number): TopologyEvent => ({ kind: 'birth', nodeId: 9, tick, cause: 'split', edgeIds: [100 + tick] });
const death = (tick: number): TopologyEvent => ({ kind: 'death', nodeId: 9, tick, cause: 'extinct', edgeIds: [tick] });

/** One extinction at `step` (epoch = step / 4) with b births and d deaths. */
function ext(step: number, b = 1, d = 1, cells = 4): TurnoverBucket {
  const e = extinctionOf([...Array.from({ length: b }, () => birth(step / 4)), ...Array.from({ length: d }, () => death(step / 4))], step, cells);
  if (!e) throw new Error('no extinction');
  return e;
}

describe('extinctionOf', () => {
  it('counts births up and deaths down from one update, its epoch from the events', () => {
    expect(extinctionOf([birth(6), death(6), death(6)], 24, 3)).toEqual({
      firstStep: 24,
      lastStep: 24,
      firstEpoch: 6,
      lastEpoch: 6,
      extinctions: 1,
      births: 1,
      deaths: 2,
      maxBirths: 1,
      maxDeaths: 2,
      cells: 3,
    });
  });

  it('is null for an update without events (start, reset, rollback)', () => {
    expect(extinctionOf([], 10, 4)).toBeNull();
  });
});

describe('TurnoverLog', () => {
  it('keeps one bucket per extinction with exact totals, while births equal deaths and the count is flat', () => {
    const log = new TurnoverLog();
    for (const step of [8, 16, 24]) expect(log.record(ext(step))).toBe(true);
    expect(log.buckets.map((b) => [b.lastStep, b.births, b.deaths, b.cells])).toEqual([
      [8, 1, 1, 4],
      [16, 1, 1, 4],
      [24, 1, 1, 4],
    ]);
    expect(log.totals).toEqual({ extinctions: 3, births: 3, deaths: 3 });
  });

  it('ignores a replayed update (a step not after the last)', () => {
    const log = new TurnoverLog();
    log.record(ext(8));
    expect(log.record(ext(8))).toBe(false);
    expect(log.totals.extinctions).toBe(1);
  });

  it('merges neighbours in pairs once full: totals stay exact, bar heights stay per extinction', () => {
    const log = new TurnoverLog(4);
    for (let k = 1; k <= 5; k++) log.record(ext(4 * k, k, 1));
    expect(log.buckets).toHaveLength(3);
    expect(log.totals).toEqual({ extinctions: 5, births: 15, deaths: 5 });
    const [first] = log.buckets;
    expect(first).toMatchObject({ firstStep: 4, lastStep: 8, extinctions: 2, births: 3, maxBirths: 2, maxDeaths: 1 });
    for (let k = 6; k <= 1000; k++) log.record(ext(4 * k));
    expect(log.buckets.length).toBeLessThanOrEqual(4);
    expect(log.totals.extinctions).toBe(1000);
    expect(log.buckets.reduce((s, b) => s + b.extinctions, 0)).toBe(1000);
  });

  it('a rollback drops what came after its step and recounts', () => {
    const log = new TurnoverLog();
    for (const step of [8, 16, 24]) log.record(ext(step, 2, 1));
    log.rollback(16);
    expect(log.buckets.map((b) => b.lastStep)).toEqual([8, 16]);
    expect(log.totals).toEqual({ extinctions: 2, births: 4, deaths: 2 });
    log.clear();
    expect(log.totals).toEqual({ extinctions: 0, births: 0, deaths: 0 });
  });
});

describe('turnoverColumns', () => {
  it('gathers extinctions that share a pixel column and drops those outside the plot', () => {
    const buckets = [ext(0), ext(1), ext(10, 3, 2), ext(50)];
    // 1 px per step, plot from 0 to 20 px, columns 4 px wide.
    const cols = turnoverColumns(buckets, (s) => s, 0, 20, 4);
    expect(cols.map((c) => [c.x, c.bucket.extinctions, c.bucket.births, c.bucket.maxBirths, c.bucket.maxDeaths])).toEqual([
      [2, 2, 2, 1, 1],
      [10, 1, 3, 3, 2],
    ]);
    expect(nearestColumn(cols, 9, 3)?.bucket.births).toBe(3);
    expect(nearestColumn(cols, 6.5, 1)).toBeNull();
  });
});

describe('describing turnover', () => {
  it('says there is none yet, then totals and the latest extinction', () => {
    const log = new TurnoverLog();
    expect(describeTurnover(log)).toMatch(/^No extinction yet/);
    log.record(ext(8));
    log.record(ext(1200));
    expect(describeTurnover(log)).toBe('2 extinctions so far: 2 cells born and 2 died in all. Extinction at epoch 300 (step 1,200): 1 born, 1 died, leaving 4 cells.');
    expect(describeBucket(mergeBuckets(ext(8), ext(16, 1, 2, 3)))).toBe('Epochs 2–4, 2 extinctions: 2 born, 3 died (up to 1 born and 2 died at one), leaving 3 cells.');
  });
});
