import { describe, expect, it } from 'vitest';
import { layersExecuted, meanLayersExecuted, samplePExecAt, thumbAt, thumbGrid, thumbOrigin } from './probe-samples';

// Three samples, two layers: [n, layers] row-major.
const pExec = Float32Array.of(0.9, 0.2, 0.5, 0.51, 0.1, 0.05);

describe('probe sample routes', () => {
  it('reads p_exec of sample i at layer l', () => {
    expect(samplePExecAt(pExec, 2, 1, 1)).toBeCloseTo(0.51);
    expect(samplePExecAt(pExec, 2, 9, 0)).toBeNaN();
  });

  it('counts the layers hard routing executes (strictly above 0.5)', () => {
    expect(layersExecuted(pExec, 2, 0)).toBe(1);
    expect(layersExecuted(pExec, 2, 1)).toBe(1);
    expect(layersExecuted(pExec, 2, 2)).toBe(0);
    expect(meanLayersExecuted(pExec, 2, 3)).toBeCloseTo(2 / 3);
    expect(meanLayersExecuted(pExec, 2, 0)).toBeNaN();
  });
});

describe('thumbnail grid', () => {
  it('lays 64 digits out 8 by 8 within the width', () => {
    const g = thumbGrid(64, 360);
    expect(g.cols).toBe(8);
    expect(g.rows).toBe(8);
    expect(g.width).toBeLessThanOrEqual(360);
    expect(g.thumb).toBeGreaterThanOrEqual(12);
    expect(thumbOrigin(g, 9)).toEqual({ x: g.thumb + g.gap, y: g.thumb + g.bar + 2 + g.gap });
  });

  it('caps the thumbnail size on wide boxes', () => {
    expect(thumbGrid(64, 5000, 48).thumb).toBe(48);
  });

  it('hit-tests thumbnails and their bars, not the gaps', () => {
    const g = thumbGrid(64, 360);
    const o = thumbOrigin(g, 10);
    expect(thumbAt(g, 64, o.x + 1, o.y + 1)).toBe(10);
    expect(thumbAt(g, 64, o.x + g.thumb - 1, o.y + g.thumb + g.bar)).toBe(10);
    expect(thumbAt(g, 64, o.x + g.thumb + g.gap / 2, o.y + 1)).toBeNull();
    expect(thumbAt(g, 64, -1, 5)).toBeNull();
    expect(thumbAt(g, 64, g.width + 50, 5)).toBeNull();
  });

  it('ignores cells past the last sample', () => {
    const g = thumbGrid(10, 300);
    expect(g.cols).toBe(4);
    expect(g.rows).toBe(3);
    const o = thumbOrigin(g, 11);
    expect(thumbAt(g, 10, o.x + 1, o.y + 1)).toBeNull();
  });
});
