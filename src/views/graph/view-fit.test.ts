import { describe, expect, it } from 'vitest';
import { easeView, fitView, MAX_FIT_SCALE, type View } from './view-fit';

describe('fitView / easeView', () => {
  it('centres the bounds and fits the tighter side', () => {
    const v = fitView({ minX: -100, minY: -50, maxX: 100, maxY: 50 }, 440, 440, 20, { k: 0, x: 0, y: 0 });
    expect(v.k).toBeCloseTo(2);
    expect(v.x).toBeCloseTo(220);
    expect(v.y).toBeCloseTo(220);
  });

  it('does not blow a tiny graph up past the maximum', () => {
    expect(fitView({ minX: 0, minY: 0, maxX: 1, maxY: 1 }, 800, 600, 20, { k: 0, x: 0, y: 0 }).k).toBe(MAX_FIT_SCALE);
  });

  it('eases towards the target and snaps when close', () => {
    const cur: View = { k: 1, x: 0, y: 0 };
    const target: View = { k: 4, x: 100, y: -100 };
    expect(easeView(cur, target, 0.5)).toBe(false);
    expect(cur.k).toBeCloseTo(2);
    expect(cur.x).toBeCloseTo(50);
    let steps = 0;
    while (!easeView(cur, target, 0.5)) steps++;
    expect(steps).toBeLessThan(20);
    expect(cur).toEqual(target);
  });
});
