import { describe, expect, it } from 'vitest';
import { bucketOf, decadesBetween, maxAbs, normalise, quantileAbs, smoothScale, sortByBucket } from './activity-scale';

describe('activity scale', () => {
  it('takes a quantile of magnitudes without being thrown by one outlier', () => {
    const values = Float32Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? -1 : 1) * (i + 1));
    values[7] = 1e9;
    const scratch = new Float32Array(4096);
    expect(quantileAbs(values, 100, 0.5, scratch)).toBeCloseTo(50.5, -1);
    expect(quantileAbs(values, 100, 0.95, scratch)).toBeLessThan(100);
    expect(quantileAbs(values, 0, 0.95, scratch)).toBe(0);
  });

  it('subsamples long inputs into the scratch buffer', () => {
    const values = Float32Array.from({ length: 10_000 }, (_, i) => i);
    const q = quantileAbs(values, values.length, 0.9, new Float32Array(256));
    expect(q).toBeGreaterThan(8500);
    expect(q).toBeLessThan(9500);
  });

  it('can skip zeros (the quiet end of sparse activity)', () => {
    const values = [0, 0, 0, 0, 0, 0, 0.001, 0.01, 0.1, 1];
    expect(quantileAbs(values, values.length, 0, new Float32Array(16), true)).toBeCloseTo(0.001);
    expect(quantileAbs([0, 0], 2, 0.5, new Float32Array(4), true)).toBe(0);
  });

  it('spans one to three decades of colour, by the spread of the values', () => {
    expect(decadesBetween(0.001, 2)).toBe(3);
    expect(decadesBetween(0.02, 2)).toBeCloseTo(2);
    expect(decadesBetween(0.5, 2)).toBe(1);
    expect(decadesBetween(0, 2)).toBe(1);
  });

  it('ignores non-finite values', () => {
    expect(quantileAbs([NaN, Infinity, 2, 2], 4, 1, new Float32Array(8))).toBe(2);
  });

  it('smooths the scale: rises fast, falls slowly, keeps it on a bad measurement', () => {
    expect(smoothScale(0, 4)).toBe(4);
    expect(smoothScale(1, 2)).toBeCloseTo(1.6);
    expect(smoothScale(1, 0.5)).toBeCloseTo(0.925);
    expect(smoothScale(1, NaN)).toBe(1);
    expect(smoothScale(1, 0)).toBe(1);
  });

  it('normalises magnitudes into [0, 1] on a log scale, three decades deep', () => {
    expect(normalise(2, 2)).toBe(1);
    expect(normalise(0.2, 2)).toBeCloseTo(2 / 3);
    expect(normalise(-0.2, 2)).toBeCloseTo(2 / 3);
    expect(normalise(0.02, 2)).toBeCloseTo(1 / 3);
    expect(normalise(0.001, 2)).toBe(0);
    expect(normalise(0, 2)).toBe(0);
    expect(normalise(5, 2)).toBe(1);
    expect(normalise(1, 0)).toBe(0);
    expect(normalise(NaN, 1)).toBe(0);
    expect(normalise(0.2, 2, 1)).toBe(0);
    expect(normalise(1, 2, 1)).toBeCloseTo(0.699);
  });

  it('finds the largest magnitude, skipping non-finite values', () => {
    expect(maxAbs([0, -3, 2, Infinity, NaN], 5)).toBe(3);
    expect(maxAbs([], 0)).toBe(0);
  });

  it('buckets intensities with both ends included', () => {
    expect(bucketOf(0, 8)).toBe(0);
    expect(bucketOf(0.124, 8)).toBe(0);
    expect(bucketOf(0.125, 8)).toBe(1);
    expect(bucketOf(1, 8)).toBe(7);
    expect(bucketOf(NaN, 8)).toBe(0);
  });

  it('counting-sorts indices by bucket, stable within a bucket', () => {
    const bucket = Uint8Array.from([2, 0, 2, 1, 0, 3]);
    const starts = new Int32Array(5);
    const order = new Int32Array(6);
    sortByBucket(bucket, 6, 4, starts, order);
    expect(Array.from(starts)).toEqual([0, 2, 3, 5, 6]);
    expect(Array.from(order)).toEqual([1, 4, 3, 0, 2, 5]);
  });
});
