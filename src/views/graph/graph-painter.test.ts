import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import type { GraphModel } from './graph-model';
import { createPaintState, GraphPainter } from './graph-painter';
import { GATE_STYLES } from './palette';
import { ringModel, strokedPaths } from './ring-model-fixture';
import { SvgContext } from './svg-context';

/** Paints `m` into SVG at zoom 1, dpr 1, and returns each stroked path's colour and width. */
function strokes(m: GraphModel): { stroke: string; width: number }[] {
  return strokedPaths(m).map((p) => ({ stroke: p.getAttribute('stroke') ?? '', width: Number(p.getAttribute('stroke-width')) }));
}

const strongest = GATE_STYLES[GATE_STYLES.length - 1]!;
const strongPaint = (() => {
  const c = /rgba\((\d+), (\d+), (\d+)/.exec(strongest.colour)!;
  return `#${[c[1], c[2], c[3]].map((v) => Number(v).toString(16).padStart(2, '0')).join('')}`;
})();

describe('GraphPainter edge widths', () => {
  it('keeps the strongest lines wide while they are few', () => {
    const m = ringModel(100, 2);
    // 20 of the 200 lines fully open.
    for (const e of m.edges) m.gate[e.slot] = e.target.id < 10 ? 1 : 0;
    const wide = strokes(m).filter((p) => p.stroke === strongPaint);
    expect(wide).toHaveLength(1);
    expect(wide[0]!.width).toBeCloseTo(strongest.width, 5);
  });

  it('draws strong lines as hairlines once more than a few hundred would be wide', () => {
    // 400 nodes x 2 = 800 fully open lines: past the wide-line budget a 2 px stroke costs a software rasteriser too much.
    const m = ringModel(400, 2);
    for (const e of m.edges) m.gate[e.slot] = 1;
    const strong = strokes(m).filter((p) => p.stroke === strongPaint);
    expect(strong).toHaveLength(1);
    expect(strong[0]!.width).toBeLessThanOrEqual(1);
  });

  it('keeps tiny nodes round in a vector export', () => {
    const m = ringModel(400, 1);
    const s = createPaintState();
    // Zoomed far out: every node is at the 2 px minimum on screen.
    Object.assign(s, { width: 400, height: 400, dpr: 1, k: 0.2, now: 10_000 });
    const svg = new SvgContext(400, 400, 1);
    new GraphPainter().paint(svg, m, s);
    const doc = new DOMParser().parseFromString(svg.toSvg('t'), 'image/svg+xml');
    const filled = Array.from(doc.getElementsByTagName('path')).filter((p) => p.getAttribute('fill') !== null && p.getAttribute('fill') !== 'none');
    expect(filled.length).toBeGreaterThan(0);
    for (const p of filled) expect(p.getAttribute('d')).toMatch(/A/);
  });
});
