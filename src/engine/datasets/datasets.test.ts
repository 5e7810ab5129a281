import { describe, expect, it } from 'vitest';
import { DATASETS, gatherRows, loadDataset } from './classification-data';
import { PLAYGROUND_DATASETS } from './playground-datasets';

describe('classification datasets', () => {
  it.each(PLAYGROUND_DATASETS)('%s: 250/250 split, inputs in [-1.2, 1.2], both classes, seeded', async (id) => {
    const a = await loadDataset(id, 3);
    const b = await loadDataset(id, 3);
    const c = await loadDataset(id, 4);
    expect(a.train.n).toBe(250);
    expect(a.test.n).toBe(250);
    expect(a.train.x).toEqual(b.train.x);
    expect(a.train.x).not.toEqual(c.train.x);
    expect(Math.max(...a.train.x.map(Math.abs))).toBeLessThan(1.2);
    const ones = a.train.y.reduce((s, v) => s + v, 0);
    expect(ones).toBeGreaterThan(60);
    expect(ones).toBeLessThan(190);
  });

  it('labels follow the geometry: xor is the sign of x·y, circle the radius', async () => {
    const xor = await loadDataset('xor', 1);
    for (let i = 0; i < xor.train.n; i++) {
      const x = xor.train.x[2 * i] as number;
      const y = xor.train.x[2 * i + 1] as number;
      expect(xor.train.y[i]).toBe(x * y >= 0 ? 1 : 0);
    }
    const circle = await loadDataset('circle', 1);
    for (let i = 0; i < circle.train.n; i++) {
      const r = Math.hypot(circle.train.x[2 * i] as number, circle.train.x[2 * i + 1] as number) * 6;
      expect(circle.train.y[i]).toBe(r < 2.5 ? 1 : 0);
    }
  });

  it('MNIST: 8,000 train and 2,000 test images in [0, 1], 10 balanced classes, disjoint', async () => {
    const d = await loadDataset('mnist', 1);
    expect(d.info.inputSize).toBe(784);
    expect(d.train.n).toBe(8000);
    expect(d.test.n).toBe(2000);
    const counts = new Array<number>(10).fill(0);
    d.test.y.forEach((c) => counts[c]!++);
    expect(counts).toEqual(new Array(10).fill(200));
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of d.train.x) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBe(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(hi).toBeGreaterThan(0.9);
    // Ink covers roughly a fifth of an average digit.
    const ink = gatherRows(d.train, 784, [0, 1, 2]).x.reduce((s, v) => s + v, 0) / 3;
    expect(ink).toBeGreaterThan(40);
    expect(ink).toBeLessThan(250);
    expect(DATASETS.mnist.imageSide).toBe(28);
  });
});
