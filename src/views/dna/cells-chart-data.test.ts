import { describe, expect, it } from 'vitest';
import { bandedRange, meanLoss } from './cells-chart-data';

describe('meanLoss', () => {
  it('is the mean of a frame’s finite losses', () => {
    expect(meanLoss(Float32Array.of(1, 2, 3))).toBe(2);
    expect(meanLoss([1, NaN, 3])).toBe(2);
  });

  it('is null, a gap uPlot skips, for a frame without steps (not NaN, which blanked the loss scale)', () => {
    expect(meanLoss(new Float32Array(0))).toBeNull();
    expect(meanLoss([NaN])).toBeNull();
  });
});

describe('bandedRange', () => {
  it('puts the data in the top share of the plot, above the turnover band', () => {
    const [lo, hi] = bandedRange(0.1, 0.7, 0.3);
    expect(hi).toBeGreaterThan(0.7);
    // The band's top (30% up from lo) lies below the data's minimum.
    expect(lo + (hi - lo) * 0.3).toBeLessThan(0.1);
    expect(lo + (hi - lo) * 0.3).toBeGreaterThan(0);
  });

  it('gives a flat count a span of whole cells', () => {
    const [lo, hi] = bandedRange(4, 4, 0.3, true);
    expect(hi).toBe(5);
    expect(lo + (hi - lo) * 0.3).toBeCloseTo(3);
    expect(lo + (hi - lo) * 0.3).toBeLessThan(4);
  });

  it('falls back to [0, 1] without data', () => {
    expect(bandedRange(NaN, NaN, 0.3)).toEqual([0, 1]);
  });
});
