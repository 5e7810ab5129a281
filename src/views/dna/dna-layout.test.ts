import { describe, expect, it } from 'vitest';
import { dnaLayout, imageSideFor, LAYOUT_PADDING, parallelBends } from './dna-layout';

describe('dnaLayout', () => {
  it('puts 784 MNIST inputs on a 28×28 grid, row-major from the top-left, at pixel centres', () => {
    const L = dnaLayout(1000, 500, 784, 10, 28);
    expect(L.image).not.toBeNull();
    const img = L.image!;
    expect(img.side).toBe(28);
    const px = img.size / 28;
    expect(L.inputX[0]).toBeCloseTo(img.x + px / 2, 4);
    expect(L.inputY[0]).toBeCloseTo(img.y + px / 2, 4);
    // Index 29 is row 1, column 1.
    expect(L.inputX[29]).toBeCloseTo(img.x + 1.5 * px, 4);
    expect(L.inputY[29]).toBeCloseTo(img.y + 1.5 * px, 4);
    expect(L.inputX[783]).toBeCloseTo(img.x + img.size - px / 2, 4);
    expect(L.inputY[783]).toBeCloseTo(img.y + img.size - px / 2, 4);
    expect(L.inputR).toBeCloseTo(px / 2, 6);
    expect(img.x).toBe(LAYOUT_PADDING);
  });

  it('keeps the image inside the box and left of the outputs', () => {
    for (const [w, h] of [
      [1000, 500],
      [400, 900],
      [300, 200],
    ] as const) {
      const L = dnaLayout(w, h, 784, 10, 28);
      const img = L.image!;
      expect(img.y).toBeGreaterThanOrEqual(0);
      expect(img.y + img.size).toBeLessThanOrEqual(h);
      expect(img.x + img.size).toBeLessThan(L.outputX[0]! - L.outputR);
    }
  });

  it('stacks the outputs evenly in one column on the right, top to bottom', () => {
    const L = dnaLayout(800, 400, 784, 10, 28);
    expect(L.outputX.length).toBe(10);
    const gaps = Array.from({ length: 9 }, (_, j) => L.outputY[j + 1]! - L.outputY[j]!);
    for (const g of gaps) expect(g).toBeCloseTo(gaps[0]!, 4);
    expect(gaps[0]).toBeGreaterThan(2 * L.outputR);
    expect(new Set(L.outputX).size).toBe(1);
    expect(L.outputX[0]).toBeGreaterThan(400);
    expect(L.outputY[9]! + L.outputR).toBeLessThanOrEqual(400);
  });

  it('draws 2-D inputs as a column of nodes, not an image', () => {
    const L = dnaLayout(600, 300, 2, 2, 0);
    expect(L.image).toBeNull();
    expect(L.inputX[0]).toBe(L.inputX[1]);
    expect(L.inputY[0]).toBeLessThan(L.inputY[1]!);
    expect(L.inputX[0]).toBeLessThan(L.outputX[0]!);
  });

  it('falls back to nodes when the image side does not match the inputs', () => {
    expect(dnaLayout(600, 300, 2, 2, 28).image).toBeNull();
  });
});

describe('imageSideFor', () => {
  it('uses the dataset side only when side² is the input size', () => {
    expect(imageSideFor(784, 28)).toBe(28);
    expect(imageSideFor(2, 28)).toBe(0);
    expect(imageSideFor(784, undefined)).toBe(0);
    expect(imageSideFor(2, undefined)).toBe(0);
  });
});

describe('parallelBends', () => {
  it('leaves lone cells straight and fans parallel ones symmetrically', () => {
    // Cells: (0→1), (0→1), (1→0), (0→1), (1→1)
    const input = Int32Array.of(0, 0, 1, 0, 1);
    const output = Int32Array.of(1, 1, 0, 1, 1);
    expect(Array.from(parallelBends(input, output, 2, 10))).toEqual([-10, 0, 0, 10, 0]);
    expect(Array.from(parallelBends(Int32Array.of(3, 3), Int32Array.of(0, 0), 2, 8))).toEqual([-4, 4]);
  });
});
