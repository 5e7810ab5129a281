import { describe, expect, it } from 'vitest';
import { curveRows, formatLambda, lambdaLabel, niceTicks, scaleLinear, sweepDomain, tickDecimals } from './sweep-scale';

describe('sweep chart scales', () => {
  it('makes round ticks', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-0.013, 0.05, 4)).toEqual([0, 0.02, 0.04]);
    expect(niceTicks(-0.05, 0.1, 3)).toEqual([-0.05, 0, 0.05, 0.1]);
    expect(niceTicks(2, 2)).toEqual([2]);
    expect(niceTicks(NaN, 1)).toEqual([]);
  });

  it('picks decimals that tell ticks apart', () => {
    expect(tickDecimals([0, 0.2, 0.4], 100)).toBe(0);
    expect(tickDecimals([0, 0.005, 0.01], 100)).toBe(1);
    expect(tickDecimals([0], 100)).toBe(0);
  });

  it('keeps compute saved on [0, 1] and accuracy lost around 0 with room', () => {
    const rows = [
      { lambdaS: NaN, skippedFraction: 0, hardAccuracy: 0.98, accuracyLost: 0 },
      { lambdaS: 0.01, skippedFraction: 0.2, hardAccuracy: 0.985, accuracyLost: -0.005 },
      { lambdaS: 0.1, skippedFraction: 0.7, hardAccuracy: 0.9, accuracyLost: 0.08 },
    ];
    const d = sweepDomain(rows);
    expect(d.x).toEqual([0, 1]);
    expect(d.y[0]).toBeLessThan(-0.005);
    expect(d.y[1]).toBeGreaterThan(0.08);
    const empty = sweepDomain([]);
    expect(empty.y[0]).toBeLessThan(0);
    expect(empty.y[1]).toBeGreaterThan(0);
  });

  it('draws the curve through finite λs in order, leaving the baseline out', () => {
    const rows = [
      { lambdaS: 0.1, skippedFraction: 0.7, hardAccuracy: 0.9, accuracyLost: 0.08 },
      { lambdaS: NaN, skippedFraction: 0, hardAccuracy: 0.98, accuracyLost: 0 },
      { lambdaS: 0.01, skippedFraction: 0.2, hardAccuracy: 0.98, accuracyLost: 0 },
    ];
    expect(curveRows(rows).map((r) => r.lambdaS)).toEqual([0.01, 0.1]);
  });

  it('labels λs compactly', () => {
    expect(lambdaLabel(0.05)).toBe('λs 0.05');
    expect(lambdaLabel(NaN)).toBe('baseline');
    expect(formatLambda(0)).toBe('0');
    expect(formatLambda(0.0001)).toBe('1e-4');
    expect(formatLambda(0.123456)).toBe('0.123');
  });

  it('maps linearly, y flipped when the range is', () => {
    expect(scaleLinear(0.5, [0, 1], [10, 110])).toBe(60);
    expect(scaleLinear(0, [-1, 1], [200, 0])).toBe(100);
    expect(scaleLinear(3, [2, 2], [0, 10])).toBe(5);
  });
});
