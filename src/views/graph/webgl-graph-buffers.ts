/**
 * What the WebGL2 pass of the graph painter uploads, built in plain TS from
 * the same inputs the Canvas 2D painter strokes and fills (its bucket order,
 * the palette's colours, its radii), so the two draw the same picture and
 * the buffers can be tested without a GPU. Nothing here touches WebGL.
 */
import type { EdgeView, NodeView } from './graph-model';
import { ACTIVITY_RAMP, edgeBucketAlpha, GATE_BUCKETS, GATE_STYLES, NODE_OUTLINE } from './palette';

/** A colour as straight (not premultiplied) r, g, b, a in [0, 1]. */
export type Rgba = readonly [number, number, number, number];

/** Floats per line segment in the line buffer: x0, y0, x1, y1 (world units). */
export const SEGMENT_FLOATS = 4;
/** Floats per node in the node buffer: x, y, radius (world units), activity bucket. */
export const NODE_FLOATS = 4;

/** A CSS colour of the forms the palette uses (#rrggbb, rgb(), rgba()) as straight rgba in [0, 1]. */
export function parseCssColour(css: string): Rgba {
  const s = css.trim();
  if (s.startsWith('#') && s.length === 7) {
    const v = parseInt(s.slice(1), 16);
    return [((v >> 16) & 255) / 255, ((v >> 8) & 255) / 255, (v & 255) / 255, 1];
  }
  const m = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$/.exec(s);
  if (!m) throw new Error(`not a palette colour: ${css}`);
  return [Number(m[1]) / 255, Number(m[2]) / 255, Number(m[3]) / 255, m[4] === undefined ? 1 : Number(m[4])];
}

/** `c` drawn at globalAlpha `alpha`, premultiplied (what source-over blending with ONE, ONE_MINUS_SRC_ALPHA expects), into out[at..at+4]. */
export function premultiplied(c: Rgba, alpha: number, out: Float32Array, at: number): void {
  const a = c[3] * alpha;
  out[at] = c[0] * a;
  out[at + 1] = c[1] * a;
  out[at + 2] = c[2] * a;
  out[at + 3] = a;
}

const GATE_RGBA: readonly Rgba[] = GATE_STYLES.map((g) => parseCssColour(g.colour));

/**
 * Each strength bucket's line colour among `lines` lines, premultiplied, as
 * the 2D painter strokes it: the style's colour (its own alpha) at
 * globalAlpha edgeBucketAlpha(b, lines).
 */
export function edgeBucketColours(lines: number, out: Float32Array = new Float32Array(4 * GATE_BUCKETS)): Float32Array {
  for (let b = 0; b < GATE_BUCKETS; b++) premultiplied(GATE_RGBA[b] as Rgba, edgeBucketAlpha(b, lines), out, 4 * b);
  return out;
}

/** The activity ramp's bucket colours as rgb triples in [0, 1] (opaque fills). */
export const ACTIVITY_RAMP_RGB: Float32Array = Float32Array.from(
  ACTIVITY_RAMP.flatMap((c) => {
    const [r, g, b] = parseCssColour(c);
    return [r, g, b];
  }),
);

/** The node outline colour, premultiplied. */
export const NODE_OUTLINE_PREMULTIPLIED: Float32Array = (() => {
  const out = new Float32Array(4);
  premultiplied(parseCssColour(NODE_OUTLINE), 1, out, 0);
  return out;
})();

/**
 * Writes the straight lines of edges order[from..to) into `out` from segment
 * `at` on (self-loops are left to the 2D painter: they are arcs) and returns
 * the next free segment. `out` must hold at + (to - from) segments.
 */
export function fillLineSegments(edges: readonly EdgeView[], order: Int32Array, from: number, to: number, out: Float32Array, at: number): number {
  let k = at * SEGMENT_FLOATS;
  for (let j = from; j < to; j++) {
    const e = edges[order[j] as number] as EdgeView;
    if (e.source === e.target) continue;
    out[k] = e.source.x;
    out[k + 1] = e.source.y;
    out[k + 2] = e.target.x;
    out[k + 3] = e.target.y;
    k += SEGMENT_FLOATS;
  }
  return k / SEGMENT_FLOATS;
}

/**
 * Writes nodes order[0..n) (the 2D painter's bucket order, so brighter
 * buckets land on top as its per-bucket fills do) into `out`: position,
 * drawn radius `radiusOf(node)` and activity bucket.
 */
export function fillNodeInstances(
  nodes: readonly NodeView[],
  order: Int32Array,
  bucket: Uint8Array,
  n: number,
  radiusOf: (node: NodeView) => number,
  out: Float32Array,
): void {
  for (let j = 0; j < n; j++) {
    const i = order[j] as number;
    const node = nodes[i] as NodeView;
    const k = j * NODE_FLOATS;
    out[k] = node.x;
    out[k + 1] = node.y;
    out[k + 2] = radiusOf(node);
    out[k + 3] = bucket[i] as number;
  }
}

/** Which rasteriser the person (or a benchmark) asked for: WebGL2 above the thresholds, or always one of the two. */
export type RasteriserChoice = 'auto' | 'webgl' | '2d';

/** 'auto' uses WebGL2 from this many nodes... */
export const WEBGL_NODES_MIN = 500;
/** ...or this many edges: below both, Canvas 2D is cheap and the picture is the 2D one exactly. */
export const WEBGL_EDGES_MIN = 3000;

/**
 * Whether a paint of `nodes` nodes and `edges` edges goes through WebGL2
 * (when a context is there). 'auto' never picks a software GL rasteriser:
 * SwiftShader drew 50,000 lines 1.8x slower than Canvas 2D and instanced
 * quads far slower still (src/views/graph/webgl-graph-layer.ts; measured in
 * headless Chromium, see the bench).
 */
export function webglWanted(nodes: number, edges: number, choice: RasteriserChoice, software = false): boolean {
  if (choice !== 'auto') return choice === 'webgl';
  return !software && (nodes >= WEBGL_NODES_MIN || edges >= WEBGL_EDGES_MIN);
}

/** Whether a WebGL renderer name (WEBGL_debug_renderer_info) is a software rasteriser. */
export function isSoftwareRenderer(name: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(name);
}

/** The rasteriser a page asks for with `?painter=webgl` or `?painter=2d` (benchmarks compare the two side by side); 'auto' otherwise. */
export function rasteriserFromSearch(search: string): RasteriserChoice {
  const v = new URLSearchParams(search).get('painter');
  return v === 'webgl' || v === '2d' ? v : 'auto';
}
