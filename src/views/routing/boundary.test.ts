import { describe, expect, it } from 'vitest';
import { boundaryImageRect, boundaryRgb, cellRgb, class1Share, CLASS0_RGB, CLASS1_RGB, CLASS_RGBS, classColour, fillBoundary, MID_RGB, multiClassRgb, sampleAt, toCanvasX, toCanvasY } from './boundary';

const dist = (a: readonly number[], b: readonly number[]): number => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);

describe('boundary colours', () => {
  it('are the neutral mid at p = 0.5 and lean to class 1 blue or class 0 orange', () => {
    expect(boundaryRgb(0.5)).toEqual([...MID_RGB]);
    expect(dist(boundaryRgb(1), CLASS1_RGB)).toBeLessThan(dist(boundaryRgb(1), CLASS0_RGB));
    expect(dist(boundaryRgb(0), CLASS0_RGB)).toBeLessThan(dist(boundaryRgb(0), CLASS1_RGB));
  });

  it('move monotonically away from the mid as confidence grows', () => {
    let last = -1;
    for (let p = 0.5; p <= 1.0001; p += 0.05) {
      const d = dist(boundaryRgb(p), MID_RGB);
      expect(d).toBeGreaterThanOrEqual(last);
      last = d;
    }
    last = -1;
    for (let p = 0.5; p >= -0.0001; p -= 0.05) {
      const d = dist(boundaryRgb(p), MID_RGB);
      expect(d).toBeGreaterThanOrEqual(last);
      last = d;
    }
  });

  it('stay short of full class colour so dots show, and clamp odd inputs', () => {
    expect(boundaryRgb(1)).not.toEqual([...CLASS1_RGB]);
    expect(boundaryRgb(2)).toEqual(boundaryRgb(1));
    expect(boundaryRgb(-1)).toEqual(boundaryRgb(0));
    expect(boundaryRgb(NaN)).toEqual([...MID_RGB]);
  });

  it('colour dots by class as Playground does', () => {
    expect(classColour(1)).toBe(`rgb(${CLASS1_RGB.join(', ')})`);
    expect(classColour(0)).toBe(`rgb(${CLASS0_RGB.join(', ')})`);
  });

  it('fill an RGBA image in grid order', () => {
    const out = new Uint8ClampedArray(4 * 4);
    fillBoundary(out, Float32Array.of(0, 0.5, 1, 0.5), 2);
    expect(Array.from(out.slice(0, 3))).toEqual([...boundaryRgb(0)]);
    expect(Array.from(out.slice(8, 11))).toEqual([...boundaryRgb(1)]);
    expect(out[3]).toBe(255);
    expect(out[15]).toBe(255);
  });

  it('measure the share of the plane class 1 wins', () => {
    expect(class1Share(Float32Array.of(0.9, 0.1, 0.6, 0.4))).toBe(0.5);
    expect(class1Share(new Float32Array(0))).toBeNaN();
  });
});

describe('plot geometry', () => {
  it('maps [-1, 1]² onto the square with y up', () => {
    expect(toCanvasX(-1, 200)).toBe(0);
    expect(toCanvasX(1, 200)).toBe(200);
    expect(toCanvasX(0, 200)).toBe(100);
    expect(toCanvasY(1, 200)).toBe(0);
    expect(toCanvasY(-1, 200)).toBe(200);
  });

  it('keeps outlying noisy samples just inside the edge', () => {
    expect(toCanvasX(5, 200)).toBeLessThanOrEqual(204.01);
    expect(toCanvasX(-5, 200)).toBeGreaterThanOrEqual(-4.01);
  });

  it('centres the boundary image’s pixels on the grid points', () => {
    const G = 40;
    const size = 390;
    const r = boundaryImageRect(G, size);
    const px = r.w / G;
    for (const c of [0, 13, G - 1]) {
      const centre = r.x + (c + 0.5) * px;
      const gridX = -1 + (2 * c) / (G - 1);
      expect(centre).toBeCloseTo(toCanvasX(gridX, size), 6);
      // Row r is data y = 1 - 2r/(G-1): the top row is y = 1.
      const centreY = r.y + (c + 0.5) * (r.h / G);
      expect(centreY).toBeCloseTo(toCanvasY(1 - (2 * c) / (G - 1), size), 6);
    }
  });
});

describe('sampleAt', () => {
  const xy = Float32Array.of(-1, 1, 0, 0, 0.05, 0.0, 1, -1);
  it('finds the nearest sample within the radius', () => {
    expect(sampleAt(0, 0, xy, 4, 200, 8)).toBe(0);
    expect(sampleAt(200, 200, xy, 4, 200, 8)).toBe(3);
    // (100, 100) is sample 1 exactly; sample 2 is 5 px right of it.
    expect(sampleAt(101, 100, xy, 4, 200, 8)).toBe(1);
    expect(sampleAt(104, 100, xy, 4, 200, 8)).toBe(2);
  });

  it('finds nothing away from every dot, and ignores samples past n', () => {
    expect(sampleAt(50, 150, xy, 4, 200, 8)).toBeNull();
    expect(sampleAt(200, 200, xy, 3, 200, 8)).toBeNull();
  });
  it('colours three or more classes by the winner, dark where the winner is no surer than a uniform guess', () => {
    expect(multiClassRgb(2, 1 / 3, 3)).toEqual([...MID_RGB]);
    const sure = multiClassRgb(2, 1, 3);
    expect(dist(sure, CLASS_RGBS[2]!)).toBeLessThan(dist(sure, CLASS_RGBS[0]!));
    expect(dist(sure, CLASS_RGBS[2]!)).toBeLessThan(dist(sure, CLASS_RGBS[1]!));
    expect(dist(multiClassRgb(2, 0.6, 3), MID_RGB)).toBeLessThan(dist(sure, MID_RGB));
    expect(classColour(2)).toBe(`rgb(${CLASS_RGBS[2]!.join(', ')})`);
    // Two classes keep Playground's probability map; more read the winners.
    const p = Float32Array.of(0.9, 0.9);
    expect(cellRgb(p, new Int32Array(0), 2, 0)).toEqual(boundaryRgb(0.9));
    expect(cellRgb(p, Int32Array.of(0, 2), 3, 1)).toEqual(multiClassRgb(2, 0.9, 3));
    const out = new Uint8ClampedArray(8);
    fillBoundary(out, p, 1, Int32Array.of(2), 3);
    expect(Array.from(out.slice(0, 3))).toEqual([...multiClassRgb(2, 0.9, 3)]);
  });
});
