/**
 * Fixed layouts for generated graphs (Graph.layout): computed once per
 * topology, so a 1,000-node ring or Waxman graph costs no simulation at all.
 * 'ring': the hint's order around a circle; 'layers': columns by depth from
 * the inputs; 'plane': the generator's unit-square positions. Inputs sit on
 * the left and outputs on the right of whatever the hint places.
 */
import type { Graph, GraphLayoutHint } from '../../protocol/messages';

/** What the view draws with: a fixed layout from the hint, or the force simulation. */
export type LayoutKind = 'force' | GraphLayoutHint['kind'];

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** The layout a graph gets: its hint's kind, else force. */
export function layoutKindOf(graph: Graph): LayoutKind {
  return graph.layout?.kind ?? 'force';
}

/** Target width / height of the layered layout (a landscape canvas). */
const LAYERS_ASPECT = 1.6;
/** Gap between layers, in node spacings (room to see the edges between them). */
const LAYER_GAP = 6;

/**
 * World positions by node id for a hinted graph, nodes `spacing` world units
 * apart where the layout packs them; null when the graph has no hint.
 */
export function fixedPositions(graph: Graph, spacing: number): Map<number, Point> | null {
  const hint = graph.layout;
  if (!hint) return null;
  switch (hint.kind) {
    case 'ring':
      return ringPositions(graph, hint.order, spacing);
    case 'layers':
      return layerPositions(graph, 1.3 * spacing); // a little air between the nodes of a block
    case 'plane':
      return planePositions(graph, hint.positions, spacing);
  }
}

/** `order` clockwise from the top of a circle; inputs in a column left of the centre, outputs right of it. */
export function ringPositions(graph: Graph, order: readonly number[], spacing: number): Map<number, Point> {
  const out = new Map<number, Point>();
  const ids = new Set(graph.nodes.map((n) => n.id));
  const ring = order.filter((id) => ids.has(id));
  const sides = sideNodes(graph, new Set(ring));
  const tallest = Math.max(sides.inputs.length, sides.outputs.length, sides.rest.length);
  const r = Math.max((ring.length * spacing) / (2 * Math.PI), tallest * spacing * 1.2, 2 * spacing);
  ring.forEach((id, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / ring.length;
    out.set(id, { x: r * Math.cos(a), y: r * Math.sin(a) });
  });
  // Columns a tenth of the radius apart per node at most, so their tags have room at any size.
  column(out, sides.inputs, -0.45 * r, 0, Math.min(0.12 * r, (1.4 * r) / Math.max(1, sides.inputs.length)));
  column(out, sides.outputs, 0.45 * r, 0, Math.min(0.12 * r, (1.4 * r) / Math.max(1, sides.outputs.length)));
  column(out, sides.rest, 0, 0, spacing);
  return out;
}

/**
 * Unit-square positions scaled to a square of side ~2.2 sqrt(n) spacings
 * (uniform random points clump: room between them keeps their local links
 * visible); inputs and outputs in columns beside it.
 */
export function planePositions(graph: Graph, positions: readonly { id: number; x: number; y: number }[], spacing: number): Map<number, Point> {
  const out = new Map<number, Point>();
  const ids = new Set(graph.nodes.map((n) => n.id));
  const placed = positions.filter((p) => ids.has(p.id));
  const side = Math.max(4 * spacing, 2.2 * spacing * Math.sqrt(placed.length));
  for (const p of placed) out.set(p.id, { x: (p.x - 0.5) * side, y: (p.y - 0.5) * side });
  const sides = sideNodes(graph, new Set(placed.map((p) => p.id)));
  const gap = side / 2 + 4 * spacing;
  column(out, sides.inputs, -gap, 0, Math.min(0.08 * side, side / Math.max(1, sides.inputs.length)));
  column(out, sides.outputs, gap, 0, Math.min(0.08 * side, side / Math.max(1, sides.outputs.length)));
  column(out, sides.rest, 0, side / 2 + 3 * spacing, spacing);
  return out;
}

/**
 * Depth of every node: the longest path from an input node along the edges
 * (source -> target, the way signals flow), self-loops ignored. Inputs are 0.
 * Nodes on a cycle (not a DAG) take their breadth-first depth instead; nodes
 * no input reaches take 0.
 */
export function depthOf(graph: Graph): Map<number, number> {
  const readers = new Map<number, number[]>();
  const indeg = new Map<number, number>();
  for (const n of graph.nodes) {
    readers.set(n.id, []);
    indeg.set(n.id, 0);
  }
  for (const e of graph.edges) {
    if (e.source === e.target || !readers.has(e.source) || !indeg.has(e.target)) continue;
    readers.get(e.source)?.push(e.target);
    indeg.set(e.target, (indeg.get(e.target) ?? 0) + 1);
  }
  const depth = new Map<number, number>();
  const queue: number[] = [];
  for (const n of graph.nodes) {
    if ((indeg.get(n.id) ?? 0) === 0) {
      depth.set(n.id, 0);
      queue.push(n.id);
    }
  }
  // Kahn's order: a node's depth is final once every source of it has been taken.
  for (let head = 0; head < queue.length; head++) {
    const a = queue[head] as number;
    const da = depth.get(a) ?? 0;
    for (const b of readers.get(a) ?? []) {
      depth.set(b, Math.max(depth.get(b) ?? 0, da + 1));
      const left = (indeg.get(b) ?? 0) - 1;
      indeg.set(b, left);
      if (left === 0) queue.push(b);
    }
  }
  if (queue.length < graph.nodes.length) {
    // A cycle: breadth-first depth from the inputs for the nodes Kahn's order never took.
    const taken = new Set(queue);
    const bfs = new Map<number, number>();
    const q = graph.nodes.filter((n) => n.role === 'input').map((n) => n.id);
    for (const id of q) bfs.set(id, 0);
    for (let head = 0; head < q.length; head++) {
      const a = q[head] as number;
      for (const b of readers.get(a) ?? []) {
        if (bfs.has(b)) continue;
        bfs.set(b, (bfs.get(a) ?? 0) + 1);
        q.push(b);
      }
    }
    for (const n of graph.nodes) if (!taken.has(n.id)) depth.set(n.id, bfs.get(n.id) ?? 0);
  }
  return depth;
}

/**
 * Columns left to right by depth (outputs in the last column, inputs in the
 * first); a column of many nodes becomes a block of sub-columns, with the
 * block height chosen so that the whole is about LAYERS_ASPECT wide.
 */
export function layerPositions(graph: Graph, spacing: number): Map<number, Point> {
  const depth = depthOf(graph);
  let deepest = 0;
  for (const n of graph.nodes) if (n.role !== 'output') deepest = Math.max(deepest, depth.get(n.id) ?? 0);
  const layers: number[][] = Array.from({ length: deepest + 2 }, () => []);
  for (const n of graph.nodes) {
    const d = n.role === 'input' ? 0 : n.role === 'output' ? deepest + 1 : Math.min(deepest, Math.max(1, depth.get(n.id) ?? 0));
    layers[d]?.push(n.id);
  }
  const used = layers.filter((l) => l.length > 0).map((l) => l.sort((a, b) => a - b));
  const widthFor = (rows: number): number => used.reduce((w, l) => w + Math.ceil(l.length / rows), 0) + LAYER_GAP * (used.length - 1);
  const biggest = Math.max(1, ...used.map((l) => l.length));
  let rows = biggest;
  let best = Infinity;
  for (let r = 1; r <= biggest; r++) {
    const miss = Math.abs(Math.log(widthFor(r) / r / LAYERS_ASPECT));
    if (miss < best) {
      best = miss;
      rows = r;
    }
  }
  const out = new Map<number, Point>();
  const height = (rows - 1) * spacing;
  let x = -(widthFor(rows) * spacing) / 2;
  for (const layer of used) {
    const cols = Math.ceil(layer.length / rows);
    const perCol = Math.ceil(layer.length / cols);
    // A short column spreads over the height (at most 3 spacings apart), centred.
    const step = perCol > 1 ? Math.min(3 * spacing, height / (perCol - 1)) : 0;
    layer.forEach((id, i) => {
      const c = Math.floor(i / perCol);
      const r = i % perCol;
      const inCol = Math.min(perCol, layer.length - c * perCol);
      out.set(id, { x: x + c * spacing, y: (r - (inCol - 1) / 2) * step });
    });
    x += (cols + LAYER_GAP) * spacing;
  }
  return out;
}

interface Sides {
  readonly inputs: number[];
  readonly outputs: number[];
  /** Nodes neither placed by the hint nor input or output. */
  readonly rest: number[];
}

function sideNodes(graph: Graph, placed: ReadonlySet<number>): Sides {
  const sides: Sides = { inputs: [], outputs: [], rest: [] };
  for (const n of graph.nodes) {
    if (placed.has(n.id)) continue;
    if (n.role === 'input') sides.inputs.push(n.id);
    else if (n.role === 'output') sides.outputs.push(n.id);
    else sides.rest.push(n.id);
  }
  return sides;
}

/** `ids` in a vertical column centred on (x, y), `step` apart. */
function column(out: Map<number, Point>, ids: readonly number[], x: number, y: number, step: number): void {
  ids.forEach((id, i) => out.set(id, { x, y: y + (i - (ids.length - 1) / 2) * step }));
}
