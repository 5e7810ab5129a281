import { describe, expect, it } from 'vitest';
import { alignOnSteps, smooth, ThinSeries } from './chart-series';

describe('loss chart data', () => {
  it('smooths like TensorBoard: debiased, so a constant stays constant from the first point', () => {
    expect(smooth([2, 2, 2], 0.9)).toEqual([2, 2, 2].map(() => expect.closeTo(2, 12)));
    // Reference: the loop written out for weight 0.5.
    const w = 0.5;
    const ys = [4, 0, 2];
    const l1 = (1 - w) * 4;
    const l2 = l1 * w + (1 - w) * 0;
    const l3 = l2 * w + (1 - w) * 2;
    const ref = [l1 / (1 - w), l2 / (1 - w ** 2), l3 / (1 - w ** 3)];
    smooth(ys, w).forEach((v, i) => expect(v).toBeCloseTo(ref[i] as number, 12));
    expect(smooth(ys, 0)).toEqual(ys);
  });

  it('a non-finite value passes through without poisoning the average', () => {
    const out = smooth([1, Number.NaN, 1], 0.6);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBeCloseTo(1, 12);
  });

  it('drops the points from a rollback step on, keeping the earlier ones', () => {
    const s = new ThinSeries(2);
    for (let i = 1; i <= 5; i++) s.push(i, i * 10, i / 10);
    s.dropFrom(3);
    expect(s.x).toEqual([1, 2]);
    expect(s.ys).toEqual([[10, 20], [0.1, 0.2]]);
  });

  it('a copy is frozen: the live series can clear and grow without touching it', () => {
    const s = new ThinSeries(2);
    s.push(1, 0.5, 0.1);
    const prev = s.copy();
    s.clear();
    s.push(7, 9, 9);
    expect(prev.x).toEqual([1]);
    expect(prev.ys).toEqual([[0.5], [0.1]]);
  });

  it('aligns series sampled at different steps on the union of steps, null where absent', () => {
    const data = alignOnSteps([
      { x: [1, 2, 3], ys: [[10, 20, 30]] },
      { x: [2, 5], ys: [[0.2, 0.5], [7, 8]] },
    ]);
    expect(data).toEqual([
      [1, 2, 3, 5],
      [10, 20, 30, null],
      [null, 0.2, null, 0.5],
      [null, 7, null, 8],
    ]);
  });
});

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
