import { describe, expect, it } from 'vitest';
import { alignOnSteps, smooth, ThinnedSeries } from './chart-series';

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

  it('thins by halving when full, keeping first and evenly spaced points', () => {
    const s = new ThinnedSeries(1, 8);
    for (let i = 0; i < 40; i++) s.push(i, [i * 10]);
    expect(s.length).toBeLessThanOrEqual(8);
    expect(s.xs[0]).toBe(0);
    const gaps = s.xs.slice(1).map((x, i) => x - (s.xs[i] as number));
    expect(new Set(gaps).size).toBe(1);
    s.xs.forEach((x, i) => expect(s.ys[0]?.[i]).toBe(x * 10));
  });

  it('a copy is frozen: the live series can clear and grow without touching it', () => {
    const s = new ThinnedSeries(2);
    s.push(1, [0.5, 0.1]);
    const prev = s.copy();
    s.clear();
    s.push(7, [9, 9]);
    expect(prev.xs).toEqual([1]);
    expect(prev.ys).toEqual([[0.5], [0.1]]);
  });

  it('aligns series sampled at different steps on the union of steps, null where absent', () => {
    const data = alignOnSteps([
      { xs: [1, 2, 3], ys: [[10, 20, 30]] },
      { xs: [2, 5], ys: [[0.2, 0.5], [7, 8]] },
    ]);
    expect(data).toEqual([
      [1, 2, 3, 5],
      [10, 20, 30, null],
      [null, 0.2, null, 0.5],
      [null, 7, null, 8],
    ]);
  });
});
