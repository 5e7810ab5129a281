import { describe, expect, it } from 'vitest';
import { birthScale, deathScale, lifecycleProgress, ringAlpha } from './lifecycle';

describe('lifecycle timing', () => {
  it('runs from 0 to 1 over the duration and is done when never started', () => {
    expect(lifecycleProgress(100, 100)).toBe(0);
    expect(lifecycleProgress(400, 100)).toBeCloseTo(0.5);
    expect(lifecycleProgress(5000, 100)).toBe(1);
    expect(lifecycleProgress(5000, -1)).toBe(1);
  });

  it('grows a birth from nothing to full size and shrinks a death to nothing', () => {
    expect(birthScale(0)).toBe(0);
    expect(birthScale(1)).toBe(1);
    expect(Math.max(...[0.6, 0.7, 0.8].map(birthScale))).toBeGreaterThan(1);
    expect(deathScale(0)).toBe(1);
    expect(deathScale(1)).toBe(0);
    expect(ringAlpha(0)).toBe(1);
    expect(ringAlpha(1)).toBe(0);
  });
});
