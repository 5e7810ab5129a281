/** The recent step-time median the page publishes for slider warnings. */
import { describe, expect, it } from 'vitest';
import { RecentStepTimes } from './recent-step-times';

describe('RecentStepTimes', () => {
  it('skips the warm-up steps, waits for three, then gives the median of the last 16', () => {
    const t = new RecentStepTimes();
    expect(t.add([900, 800])).toBeNull(); // warm-up
    expect(t.add([100, 120])).toBeNull(); // two timed
    expect(t.add([110])).toBe(110);
    const r = new RecentStepTimes();
    r.add([1, 1]);
    r.add(Array.from({ length: 30 }, (_, i) => i)); // keeps 14..29
    r.reset();
    r.add([5, 5, 40, 50]);
    expect(r.add([60, NaN, -1])).toBe(50);
  });
  it('publishes again only when the median moves by more than 10%', () => {
    const t = new RecentStepTimes();
    t.add([0, 0]);
    expect(t.add([100, 100, 100])).toBe(100);
    expect(t.add([105, 108])).toBeNull();
    expect(t.add(Array.from({ length: 16 }, () => 200))).toBe(200);
    t.reset();
    t.add([0, 0]);
    expect(t.add([200, 200, 200])).toBe(200); // after a reset the first median is published even when unchanged
  });
});
