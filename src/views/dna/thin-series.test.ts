import { describe, expect, it } from 'vitest';
import { ThinSeries } from './thin-series';

describe('ThinSeries', () => {
  it('keeps every point until full, then halves and keeps every other new one', () => {
    const s = new ThinSeries(2, 8);
    for (let i = 0; i < 8; i++) s.push(i, i * 10, -i);
    expect(s.length).toBe(8);
    s.push(8, 80, -8);
    expect(s.x).toEqual([0, 2, 4, 6, 8]);
    expect(s.ys[0]).toEqual([0, 20, 40, 60, 80]);
    expect(s.ys[1]).toEqual([-0, -2, -4, -6, -8]);
    s.push(9, 90, -9);
    s.push(10, 100, -10);
    expect(s.x).toEqual([0, 2, 4, 6, 8, 10]);
  });

  it('never passes its maximum over a long run and keeps x ordered', () => {
    const s = new ThinSeries(1, 100);
    for (let i = 0; i < 100_000; i++) s.push(i, i);
    expect(s.length).toBeLessThanOrEqual(100);
    expect(s.length).toBeGreaterThan(40);
    for (let i = 1; i < s.length; i++) expect(s.x[i]!).toBeGreaterThan(s.x[i - 1]!);
  });

  it('starts afresh after clear', () => {
    const s = new ThinSeries(1, 4);
    for (let i = 0; i < 10; i++) s.push(i, i);
    s.clear();
    s.push(0, 1);
    s.push(1, 2);
    expect(s.x).toEqual([0, 1]);
    expect(s.ys[0]).toEqual([1, 2]);
  });
});
