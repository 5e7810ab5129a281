import { describe, expect, it } from 'vitest';
import { boxesOverlap, LabelPlacer, type LabelRequest } from './label-placement';

interface Disc {
  x: number;
  y: number;
  r: number;
}

function overlapsDisc(b: { x: number; y: number; w: number; h: number }, d: Disc): boolean {
  const px = Math.min(Math.max(d.x, b.x), b.x + b.w);
  const py = Math.min(Math.max(d.y, b.y), b.y + b.h);
  return (d.x - px) ** 2 + (d.y - py) ** 2 < d.r * d.r;
}

function place(labels: LabelRequest[], discs: Disc[], w = 800, h = 600) {
  return new LabelPlacer().place(
    labels,
    discs.length,
    (i, out) => Object.assign(out, discs[i]),
    w,
    h,
  );
}

describe('label placement', () => {
  it('keeps labels clear of each other and of every node, crowded or not', () => {
    // A column of eight labelled input nodes 8 px apart (closer than a label is tall), inside a ring of 1,000 small nodes.
    const discs: Disc[] = [];
    for (let i = 0; i < 1000; i++) {
      const a = (2 * Math.PI * i) / 1000;
      discs.push({ x: 400 + 250 * Math.cos(a), y: 300 + 250 * Math.sin(a), r: 2 });
    }
    const labels: LabelRequest[] = [];
    for (let i = 0; i < 8; i++) {
      const d = { x: 300, y: 270 + 8 * i, r: 3.5 };
      discs.push(d);
      labels.push({ ...d, w: 12, h: 12 });
    }
    // And labels on ring nodes, where the ring itself is in the way.
    for (const i of [0, 1, 2, 250, 500]) labels.push({ ...(discs[i] as Disc), w: 18, h: 12 });
    const boxes = place(labels, discs);
    const placed = boxes.filter((b) => b !== null);
    expect(placed.length).toBeGreaterThanOrEqual(8);
    for (let i = 0; i < placed.length; i++) {
      for (let j = i + 1; j < placed.length; j++) expect(boxesOverlap(placed[i] as never, placed[j] as never)).toBe(false);
      for (const d of discs) expect(overlapsDisc(placed[i] as never, d)).toBe(false);
    }
  });

  it('puts a label next to its own node, on the side away from the others', () => {
    const left: Disc = { x: 100, y: 300, r: 4 };
    const right: Disc = { x: 700, y: 300, r: 4 };
    const mid: Disc = { x: 400, y: 300, r: 4 };
    const boxes = place(
      [left, right, mid].map((d) => ({ ...d, w: 14, h: 12 })),
      [left, right, mid],
    );
    const [bl, br] = boxes;
    expect(bl && bl.x + bl.w).toBeLessThanOrEqual(left.x);
    expect(br && br.x).toBeGreaterThanOrEqual(right.x);
    for (const [b, d] of [
      [bl, left],
      [br, right],
    ] as const) {
      expect(b).not.toBeNull();
      expect(Math.hypot((b?.x ?? 0) + (b?.w ?? 0) / 2 - d.x, (b?.y ?? 0) + (b?.h ?? 0) / 2 - d.y)).toBeLessThan(30);
    }
  });

  it('leaves a label out when there is no free spot', () => {
    // A node buried in a dense block of nodes.
    const discs: Disc[] = [];
    for (let x = 0; x < 200; x += 4) for (let y = 0; y < 200; y += 4) discs.push({ x, y, r: 3 });
    const boxes = place([{ x: 100, y: 100, r: 3, w: 12, h: 12 }], discs, 200, 200);
    expect(boxes).toEqual([null]);
  });
});
