import { describe, expect, it } from 'vitest';
import { cellBucket, cellDensityAlpha, cellStrokes, STRENGTH_BUCKETS, strengthBucket, strengthScale } from './cell-style';

describe('cell buckets', () => {
  it('put the strongest cell in the top bucket and a zero one in the bottom', () => {
    expect(strengthBucket(2, 2)).toBe(STRENGTH_BUCKETS - 1);
    expect(strengthBucket(0, 2)).toBe(0);
    expect(strengthBucket(1e-9, 2)).toBe(0);
  });

  it('grow with strength', () => {
    let last = -1;
    for (let v = 0; v <= 1; v += 0.05) {
      const b = strengthBucket(v, 1);
      expect(b).toBeGreaterThanOrEqual(last);
      last = b;
    }
  });

  it('survive a zero, NaN or infinite scale', () => {
    expect(strengthBucket(1, 0)).toBe(0);
    expect(strengthBucket(1, NaN)).toBe(0);
    expect(strengthBucket(NaN, 1)).toBe(0);
    expect(strengthBucket(5, 1)).toBe(STRENGTH_BUCKETS - 1);
  });

  it('split by the sign of w', () => {
    expect(cellBucket(-1, 1, 1)).toBe(STRENGTH_BUCKETS - 1);
    expect(cellBucket(1, 1, 1)).toBe(2 * STRENGTH_BUCKETS - 1);
    expect(cellBucket(0, 0, 1)).toBe(STRENGTH_BUCKETS);
    expect(cellBucket(-0.5, 0, 1)).toBe(0);
  });

  it('have one stroke each, wider and more opaque when stronger', () => {
    const s = cellStrokes(100);
    expect(s.length).toBe(2 * STRENGTH_BUCKETS);
    expect(s[STRENGTH_BUCKETS - 1]!.width).toBeGreaterThan(s[0]!.width);
    const alpha = (c: string): number => Number(/, ([\d.]+)\)$/.exec(c)![1]);
    expect(alpha(s[STRENGTH_BUCKETS - 1]!.colour)).toBeGreaterThan(alpha(s[0]!.colour));
    expect(s[0]!.colour).not.toBe(s[STRENGTH_BUCKETS]!.colour);
  });

  it('fade as cells crowd', () => {
    expect(cellDensityAlpha(10)).toBe(1);
    expect(cellDensityAlpha(7840)).toBeLessThan(0.3);
    expect(cellDensityAlpha(7840)).toBeGreaterThanOrEqual(0.15);
    expect(cellDensityAlpha(1e6)).toBe(0.15);
  });

  it('scale by a high quantile of the finite magnitudes', () => {
    expect(strengthScale(Float32Array.of(0.1, -3, 2, NaN, Infinity), 1)).toBe(3);
    expect(strengthScale(new Float32Array(0))).toBe(0);
    expect(strengthScale(Float32Array.of(NaN))).toBe(0);
    // One runaway cell among a thousand does not set the scale.
    const many = new Float32Array(1000).fill(0.5);
    many[7] = 100;
    expect(strengthScale(many)).toBe(0.5);
    const scratch = new Float32Array(2000);
    expect(strengthScale(many, 0.99, scratch)).toBe(0.5);
  });
});
