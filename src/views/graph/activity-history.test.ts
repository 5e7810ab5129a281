import { describe, expect, it } from 'vitest';
import type { FrameMessage } from '../../protocol/messages';
import { ActivityHistory } from './activity-history';

function frame(nodeIds: number[], ticks: number, value: (tick: number, pos: number) => number): FrameMessage {
  const L = nodeIds.length;
  const activity = new Float32Array(ticks * L);
  for (let t = 0; t < ticks; t++) for (let p = 0; p < L; p++) activity[t * L + p] = value(t, p);
  return { nodeIds: Int32Array.from(nodeIds), ticks, activity } as unknown as FrameMessage;
}

describe('activity history', () => {
  it('joins the last frames’ ticks into one trace per node, oldest first, and marks the tick on screen', () => {
    const h = new ActivityHistory(3);
    let t0 = 0;
    for (let f = 0; f < 5; f++) {
      const base = t0;
      h.push(frame([7, 3], 3, (t, p) => (p === 1 ? base + t : -1)));
      t0 += 3;
    }
    // Three frames kept: ticks 6..14 of node 3.
    const tr = h.trace(3, 100, 1);
    expect(Array.from(tr.values)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(tr.values[tr.shown]).toBe(13);
    expect(Array.from(h.trace(3, 4, 2).values)).toEqual([11, 12, 13, 14]);
    expect(h.trace(99, 10, 0).values).toHaveLength(0);
    h.clear();
    expect(h.trace(3, 10, 0).values).toHaveLength(0);
  });

  it('starts a node’s trace at its birth', () => {
    const h = new ActivityHistory();
    h.push(frame([1], 2, () => 5));
    h.push(frame([1, 2], 2, (t, p) => (p === 1 ? 9 : 5)));
    expect(Array.from(h.trace(2, 10, 0).values)).toEqual([9, 9]);
    expect(h.trace(1, 10, 0).values).toHaveLength(4);
  });
});
