import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import type { TopologyUpdate } from '../../client/lab-client';
import { DEFAULT_EXPERIMENT } from '../../protocol/experiment';
import { GraphModel } from './graph-model';
import { createPaintState, GraphPainter } from './graph-painter';
import { drawLegend } from './legend-svg';
import { ACTIVITY_RAMP, BACKGROUND, INPUT_COLOUR, OUTPUT_COLOUR } from './palette';
import { SvgContext, svgPaint } from './svg-context';

function parse(svg: string) {
  const errors: string[] = [];
  const doc = new DOMParser({ errorHandler: { error: (msg: string) => void errors.push(msg), fatalError: (msg: string) => void errors.push(msg) } }).parseFromString(svg, 'image/svg+xml');
  expect(errors).toEqual([]);
  return doc;
}

describe('SvgContext', () => {
  it('writes a whole circle as two arcs around the transformed centre', () => {
    const svg = new SvgContext(100, 50, 2);
    // The painters' device transform (dpr 2, zoom 3, offset 10, 4 CSS px): the SVG is in CSS pixels.
    svg.setTransform(2 * 3, 0, 0, 2 * 3, 2 * 10, 2 * 4);
    svg.beginPath();
    svg.moveTo(2 + 1, 5);
    svg.arc(2, 5, 1, 0, Math.PI * 2);
    svg.fillStyle = 'rgba(10, 20, 30, 0.5)';
    svg.fill();
    const path = parse(svg.toSvg('t')).getElementsByTagName('path')[0]!;
    // Centre (2, 5) -> (16, 19), radius 3.
    expect(path.getAttribute('d')).toBe('M19 19L19 19A3 3 0 1 1 13 19A3 3 0 1 1 19 19');
    expect(path.getAttribute('fill')).toBe('#0a141e');
    expect(path.getAttribute('fill-opacity')).toBe('0.5');
  });

  it('scales line widths and text by the transform and escapes text', () => {
    const svg = new SvgContext(100, 50, 1);
    svg.setTransform(2, 0, 0, 2, 0, 0);
    svg.beginPath();
    svg.moveTo(0, 0);
    svg.lineTo(10, 0);
    svg.lineWidth = 1.5;
    svg.globalAlpha = 0.5;
    svg.strokeStyle = '#ffffff';
    svg.stroke();
    svg.font = '600 10px ui-sans-serif, sans-serif';
    svg.fillStyle = '#ff0000';
    svg.fillText('a<b & c', 1, 2);
    const doc = parse(svg.toSvg('t'));
    const path = doc.getElementsByTagName('path')[0]!;
    expect(path.getAttribute('stroke-width')).toBe('3');
    expect(path.getAttribute('stroke-opacity')).toBe('0.5');
    const text = doc.getElementsByTagName('text')[0]!;
    expect(text.textContent).toBe('a<b & c');
    expect(text.getAttribute('font-size')).toBe('20');
    expect(text.getAttribute('font-weight')).toBe('600');
    expect([text.getAttribute('x'), text.getAttribute('y')]).toEqual(['2', '4']);
  });

  it('refuses bitmaps', () => {
    expect(() => new SvgContext(1, 1).drawImage()).toThrow(/not a vector/);
  });

  it('records the graph painter: background, nodes in their ramp colours, role labels, the legend', () => {
    const m = new GraphModel();
    const u: TopologyUpdate = {
      graph: {
        nodes: [
          { id: 0, role: 'input' },
          { id: 1, role: 'hidden' },
          { id: 2, role: 'output' },
        ],
        edges: [
          { id: 0, source: 0, target: 1 },
          { id: 1, source: 1, target: 2 },
        ],
        nextNodeId: 3,
        nextEdgeId: 2,
      },
      events: [],
      experiment: DEFAULT_EXPERIMENT,
      step: 0,
    };
    m.applyTopology(u, 0);
    m.nodes.forEach((n, i) => {
      n.x = 40 + 60 * i;
      n.y = 60;
    });
    const s = createPaintState();
    Object.assign(s, { width: 240, height: 160, dpr: 2, now: 10_000 });
    const svg = new SvgContext(240, 160, 2);
    new GraphPainter().paint(svg, m, s);
    drawLegend(svg, { edges: 'gate', threads: false, inputs: true, outputs: true, growth: true, layout: 'force', offered: 'force' }, 240, 160);
    const doc = parse(svg.toSvg('graph'));
    const root = doc.documentElement;
    expect([root.getAttribute('width'), root.getAttribute('height')]).toEqual(['240', '160']);
    expect(doc.getElementsByTagName('rect')[0]!.getAttribute('fill')).toBe(BACKGROUND);
    const fills = Array.from(doc.getElementsByTagName('path'), (p) => p.getAttribute('fill'));
    // Nodes are filled with the activity ramp's colours (as #rrggbb).
    expect(fills.some((f) => ACTIVITY_RAMP.map((c) => svgPaint(c).paint).includes(f ?? ''))).toBe(true);
    const strokes = Array.from(doc.getElementsByTagName('path'), (p) => p.getAttribute('stroke'));
    expect(strokes).toContain(INPUT_COLOUR);
    expect(strokes).toContain(OUTPUT_COLOUR);
    const texts = Array.from(doc.getElementsByTagName('text'), (t) => t.textContent);
    expect(texts).toEqual(expect.arrayContaining(['in', 'out', 'activity (log)', 'gate strength', 'born', 'died', 'force layout']));
    expect(doc.getElementsByTagName('image')).toHaveLength(0);
  });
});
