/** Test fixtures shared by the painter tests: a ring graph laid out on a circle, and its stroked paths as painted into SVG. */
import { DOMParser } from '@xmldom/xmldom';
import type { TopologyUpdate } from '../../client/lab-client';
import { DEFAULT_EXPERIMENT } from '../../protocol/experiment';
import { GraphModel } from './graph-model';
import { createPaintState, GraphPainter } from './graph-painter';
import { SvgContext } from './svg-context';

/** A ring of `nodes` nodes where node i reads nodes i+1..i+fanIn (no symmetric pairs; with `loop`, node 0 also reads itself), on a circle. */
export function ringModel(nodes: number, fanIn: number, loop = false): GraphModel {
  const edges: { id: number; source: number; target: number }[] = loop ? [{ id: 0, source: 0, target: 0 }] : [];
  for (let i = 0; i < nodes; i++) for (let d = 1; d <= fanIn; d++) edges.push({ id: edges.length, source: (i + d) % nodes, target: i });
  const u: TopologyUpdate = {
    graph: { nodes: Array.from({ length: nodes }, (_, id) => ({ id, role: 'hidden' as const })), edges, nextNodeId: nodes, nextEdgeId: edges.length },
    events: [],
    experiment: DEFAULT_EXPERIMENT,
    step: 0,
  };
  const m = new GraphModel();
  m.applyTopology(u, 0);
  m.nodes.forEach((n, i) => {
    n.x = 200 + 150 * Math.cos((i / nodes) * 2 * Math.PI);
    n.y = 200 + 150 * Math.sin((i / nodes) * 2 * Math.PI);
  });
  return m;
}

/** The stroked paths of `m` as the 2D painter draws it into SVG (400 x 400, zoom 1, dpr 1). */
export function strokedPaths(m: GraphModel): Element[] {
  const s = createPaintState();
  Object.assign(s, { width: 400, height: 400, dpr: 1, now: 10_000 });
  const svg = new SvgContext(400, 400, 1);
  new GraphPainter().paint(svg, m, s);
  const doc = new DOMParser().parseFromString(svg.toSvg('t'), 'image/svg+xml');
  return Array.from(doc.getElementsByTagName('path')).filter((p) => p.getAttribute('stroke') !== null);
}
