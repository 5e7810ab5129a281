import { describe, expect, it } from 'vitest';
import { interpolateInferno as d3Inferno } from 'd3-scale-chromatic';
import { ACTIVITY_BUCKETS, ACTIVITY_RAMP, edgeAlpha, edgeBucket, edgeDensityAlpha, GATE_BUCKETS, GATE_STYLES, gateLevel, interpolateInferno, threadColour } from './palette';

describe('palette', () => {
  it('has one colour per bucket', () => {
    expect(ACTIVITY_RAMP).toHaveLength(ACTIVITY_BUCKETS);
    expect(GATE_STYLES).toHaveLength(GATE_BUCKETS);
    expect(new Set(ACTIVITY_RAMP).size).toBe(ACTIVITY_BUCKETS);
  });

  it('spreads mostly-open gates apart and clamps the ends', () => {
    expect(gateLevel(1)).toBe(1);
    expect(gateLevel(0.8)).toBeCloseTo(0.64);
    expect(gateLevel(0)).toBe(0);
    expect(gateLevel(-1)).toBe(0);
    expect(gateLevel(NaN)).toBe(0);
    expect(gateLevel(2)).toBe(1);
  });

  it('dims the gate layer as edges multiply', () => {
    expect(edgeDensityAlpha(96)).toBe(1);
    expect(edgeDensityAlpha(1600)).toBeCloseTo(0.5);
    expect(edgeDensityAlpha(40_000)).toBe(0.4);
  });

  it('fades edges by strength: alpha and width never fall as the weight (or gate) grows', () => {
    for (const edges of [40, 1600, 5000]) {
      let last = -1;
      for (let k = 0; k <= 200; k++) {
        const a = edgeAlpha(k / 200, edges);
        expect(a).toBeGreaterThanOrEqual(last);
        last = a;
      }
      // Strong connections stand out: the strongest edge is several times as opaque as a weak one.
      expect(edgeAlpha(1, edges)).toBeGreaterThan(3 * edgeAlpha(0.1, edges));
      // Density dims the weak edges of a big graph, not the strongest.
      expect(edgeAlpha(1, edges)).toBeCloseTo(GATE_STYLES[GATE_BUCKETS - 1]?.alpha ?? 0);
    }
    for (let b = 1; b < GATE_BUCKETS; b++) expect(GATE_STYLES[b]?.width ?? 0).toBeGreaterThan(GATE_STYLES[b - 1]?.width ?? 0);
    expect(edgeBucket(0)).toBe(0);
    expect(edgeBucket(1)).toBe(GATE_BUCKETS - 1);
  });

  it('gives threads distinct colours', () => {
    expect(new Set([0, 1, 2, 3].map(threadColour)).size).toBe(4);
  });

  it('follows d3’s inferno within 5/255 per channel', () => {
    const rgb = (c: string): number[] => (c.startsWith('#') ? [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16)) : (c.match(/\d+/g) ?? []).map(Number));
    for (let k = 0; k <= 100; k++) {
      const ours = rgb(interpolateInferno(k / 100));
      const theirs = rgb(d3Inferno(k / 100));
      expect(ours).toHaveLength(3);
      ours.forEach((v, j) => expect(Math.abs(v - (theirs[j] as number))).toBeLessThanOrEqual(5));
    }
  });
});
