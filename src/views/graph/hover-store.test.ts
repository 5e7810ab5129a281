import { describe, expect, it, vi } from 'vitest';
import { createHoverStore, throttle } from './hover-store';

describe('hover store', () => {
  it('notifies only on change', () => {
    const store = createHoverStore();
    const listener = vi.fn();
    const stop = store.subscribe(listener);
    store.setHovered(3);
    store.setHovered(3);
    store.setShownTick(null, 0);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(store.getState().hoveredId).toBe(3);
    stop();
    store.setHovered(null);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('throttles to leading + trailing calls', () => {
    vi.useFakeTimers();
    try {
      let t = 0;
      const listener = vi.fn();
      const th = throttle(listener, 100, () => t);
      th.call();
      expect(listener).toHaveBeenCalledTimes(1);
      t = 30;
      th.call();
      th.call();
      expect(listener).toHaveBeenCalledTimes(1);
      t = 100;
      vi.advanceTimersByTime(70);
      expect(listener).toHaveBeenCalledTimes(2);
      th.call();
      th.cancel();
      vi.advanceTimersByTime(200);
      expect(listener).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
