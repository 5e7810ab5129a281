import { describe, expect, it } from 'vitest';
import { hopEase, hopIndex, MIN_HOP_MS, nextFrameInterval, planPlayback, playbackProgress, trailAlpha, TrailRing } from './thread-trail';

describe('thread playback timing', () => {
  it('spreads a few ticks over the frame interval', () => {
    expect(planPlayback(2, 150)).toEqual({ firstTick: 0, hopMs: 75 });
    expect(planPlayback(3, 150)).toEqual({ firstTick: 0, hopMs: 50 });
  });

  it('never hops faster than the minimum; earlier ticks go straight to the trail', () => {
    const plan = planPlayback(16, 150);
    expect(plan.hopMs).toBe(MIN_HOP_MS);
    expect(plan.firstTick).toBe(13);
    expect(planPlayback(1, 150).firstTick).toBe(0);
    expect(planPlayback(0, 150).firstTick).toBe(0);
  });

  it('caps slow hops', () => {
    expect(planPlayback(1, 2000).hopMs).toBe(260);
  });

  it('tracks the frame interval and ignores pauses', () => {
    expect(nextFrameInterval(150, 200)).toBeCloseTo(165);
    expect(nextFrameInterval(150, 10_000)).toBe(150);
    expect(nextFrameInterval(150, 5)).toBe(150);
  });

  it('reports progress in hops and the hop under way', () => {
    expect(playbackProgress(0, 4, 50)).toBe(0);
    expect(playbackProgress(75, 4, 50)).toBe(1.5);
    expect(playbackProgress(1000, 4, 50)).toBe(4);
    expect(hopIndex(1.5, 4)).toBe(1);
    expect(hopIndex(4, 4)).toBe(3);
  });

  it('eases the head in and out and rests at the end of a hop', () => {
    expect(hopEase(0)).toBe(0);
    expect(hopEase(0.35)).toBeCloseTo(0.5);
    expect(hopEase(0.7)).toBe(1);
    expect(hopEase(0.9)).toBe(1);
    expect(hopEase(0.1)).toBeLessThan(0.1);
  });

  it('fades the trail with age', () => {
    expect(trailAlpha(0)).toBe(1);
    expect(trailAlpha(4)).toBeGreaterThan(trailAlpha(6));
    expect(trailAlpha(8)).toBe(0);
    expect(trailAlpha(-1)).toBe(0);
  });
});

describe('TrailRing', () => {
  it('keeps the newest positions first and drops the oldest', () => {
    const ring = new TrailRing<string>(3);
    expect(ring.at(0)).toBeNull();
    ring.push('a');
    ring.push('b');
    expect([ring.at(0), ring.at(1), ring.at(2)]).toEqual(['b', 'a', null]);
    ring.push('c');
    ring.push('d');
    expect(ring.length).toBe(3);
    expect([ring.at(0), ring.at(1), ring.at(2), ring.at(3)]).toEqual(['d', 'c', 'b', null]);
    ring.clear();
    expect(ring.length).toBe(0);
    expect(ring.at(0)).toBeNull();
  });
});
