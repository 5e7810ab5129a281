/**
 * Paints the graph onto a 2D canvas in one pass per layer, batched so that
 * 1,000 nodes and 4,000 edges stay well inside a frame: one path per gate
 * bucket and per colour bucket (no per-edge strokeStyle), no shadowBlur, and
 * scratch arrays reused across paints (nothing is allocated per paint).
 * Given a WebGL2 layer (useWebgl), big graphs' straight lines and node discs
 * are rasterised there from the same buckets and blitted in their place;
 * everything else stays 2D, and 2D takes over whenever the context is lost.
 */
import { bucketOf, sortByBucket } from './activity-scale';
import type { EdgeView, GraphModel, NodeView } from './graph-model';
import { birthScale, deathScale, lifecycleProgress, ringAlpha } from './lifecycle';
import {
  ACTIVE_GLOW,
  ACTIVE_GLOW_CORE,
  ACTIVITY_BUCKETS,
  ACTIVITY_RAMP,
  BACKGROUND,
  BIRTH_COLOUR,
  DEATH_COLOUR,
  edgeBucket,
  edgeBucketAlpha,
  GATE_BUCKETS,
  GATE_STYLES,
  HOVER_COLOUR,
  PIN_COLOUR,
  INPUT_COLOUR,
  LABEL_FONT,
  NODE_OUTLINE,
  OUTPUT_COLOUR,
  threadColour,
} from './palette';
import { LabelPlacer, type LabelBox, type LabelRequest } from './label-placement';
import { isSvgContext, type Paint2D } from './svg-context';
import { lerp, TRAIL_HOPS, trailAlpha, type TrailRing } from './thread-trail';
import {
  edgeBucketColours,
  fillLineSegments,
  fillNodeInstances,
  NODE_FLOATS,
  SEGMENT_FLOATS,
  webglWanted,
  type RasteriserChoice,
} from './webgl-graph-buffers';
import type { GlGraphLayer, GlView } from './webgl-graph-layer';

const TAU = Math.PI * 2;
/** Line count above which every edge is a hairline (see setBucketWidths). */
const HAIRLINE_EDGES_ABOVE = 1500;
/** At most this many lines keep a width over 1 px, strongest first (see setBucketWidths). */
const WIDE_LINES_MAX = 300;
/** A big graph's cached lines are redrawn once a node has moved this far on screen (device px): the line ends hide under the discs. */
const LAYER_SLOP_PX = 1;
/** A big graph's lines follow a moving view as a bitmap, redrawn sharp at most this often (ms). */
const VIEW_REFRESH_MS = 150;
/** Above HAIRLINE_EDGES_ABOVE lines, changed edge strengths alone redraw the lines at most this often (ms). */
const EDGE_REFRESH_MS = 500;
/** ...and tens of thousands of lines less often still: each redraw of 50,000 costs a software rasteriser about 100 ms. */
const EDGE_REFRESH_MS_PER_LINE = 1 / 16;
/** Node discs under this radius on screen (CSS px) are filled as squares of the same area, unoutlined: alike at that size, several times cheaper. */
const SQUARE_NODE_PX = 2.5;
/** Half the side of the square with a unit disc's area (sqrt(pi) / 2). */
const HALF_SQUARE = Math.sqrt(Math.PI) / 2;
/** Smallest node radius on screen (CSS px), so big graphs zoomed out still show their nodes. */
const MIN_NODE_PX = 2;

/** Everything a paint needs besides the model; one instance, updated in place. */
export interface PaintState {
  /** Canvas size in CSS pixels and the device pixel ratio. */
  width: number;
  height: number;
  dpr: number;
  /** View transform (d3-zoom): screen = world * k + (x, y). */
  k: number;
  x: number;
  y: number;
  now: number;
  hovered: NodeView | null;
  /** The node pinned by a click (its edges stay lit, it wears an amber ring), or null. */
  pinned: NodeView | null;
  /** Per thread: its last positions, newest first. */
  trails: TrailRing<NodeView>[];
  /** How far the heads have moved along the hop under way (eased, 0..1). */
  headT: number;
}

export function createPaintState(): PaintState {
  return { width: 0, height: 0, dpr: 1, k: 1, x: 0, y: 0, now: 0, hovered: null, pinned: null, trails: [], headT: 1 };
}

export class GraphPainter {
  private edgeBucket = new Uint8Array(0);
  private edgeOrder = new Int32Array(0);
  private readonly edgeStarts = new Int32Array(GATE_BUCKETS + 2);
  private nodeBucket = new Uint8Array(0);
  private nodeOrder = new Int32Array(0);
  private readonly nodeStarts = new Int32Array(ACTIVITY_BUCKETS + 1);
  private readonly headSprites = new Map<string, HTMLCanvasElement>();
  private readonly bucketWidth = new Float32Array(GATE_BUCKETS);
  // The cached lines and what they were drawn from.
  private layer: CanvasRenderingContext2D | null = null;
  private layerEdges: readonly EdgeView[] | null = null;
  private layerNodes: readonly NodeView[] | null = null;
  private readonly layerView = new Float64Array(4);
  private layerBucket = new Uint8Array(0);
  private layerPos = new Float64Array(0);
  private layerDrawnAt = -Infinity;
  /** Times the cached lines were redrawn (the test API and benchmarks read it). */
  edgeRedraws = 0;
  /** True when the last paint kept showing edge strengths that have changed since: paint again within EDGE_REFRESH_MS. */
  edgesPending = false;
  /** What rasterised the last paint's lines and node discs. */
  rasteriser: '2d' | 'webgl' = '2d';
  // The WebGL2 pass (null: Canvas 2D only) and its upload scratch.
  private gl: GlGraphLayer | null = null;
  private glChoice: RasteriserChoice = 'auto';
  private glOn = false;
  private glSoftware = false;
  private segments = new Float32Array(0);
  private nodeInstances = new Float32Array(0);
  private readonly bucketFirst = new Int32Array(GATE_BUCKETS);
  private readonly bucketCount = new Int32Array(GATE_BUCKETS);
  private readonly bucketRgba = new Float32Array(4 * GATE_BUCKETS);
  private readonly glView = { width: 1, height: 1, dpr: 1, k: 1, x: 0, y: 0 };

  /** Rasterise lines and discs with `gl` where `choice` says (see webglWanted); null: Canvas 2D only. The caller owns and disposes `gl`. */
  useWebgl(gl: GlGraphLayer | null, choice: RasteriserChoice = 'auto'): void {
    this.gl = gl;
    this.glChoice = choice;
    this.glSoftware = gl?.software ?? false;
  }

  paint(ctx: Paint2D, m: GraphModel, s: PaintState): void {
    this.ensureScratch(m);
    const gl = this.gl;
    const glOn = !isSvgContext(ctx) && gl !== null && gl.usable && webglWanted(m.nodes.length, m.edges.length, this.glChoice, this.glSoftware);
    // The cached lines came from the other rasteriser: draw them afresh.
    if (glOn !== this.glOn) this.layerEdges = null;
    this.glOn = glOn;
    this.rasteriser = glOn ? 'webgl' : '2d';
    const px = 1 / s.k;
    ctx.setTransform(s.dpr, 0, 0, s.dpr, 0, 0);
    ctx.globalAlpha = 1;
    // A solid fill: a full-canvas gradient costs a software rasteriser milliseconds every paint.
    ctx.fillStyle = BACKGROUND;
    ctx.fillRect(0, 0, s.width, s.height);
    ctx.setTransform(s.dpr * s.k, 0, 0, s.dpr * s.k, s.dpr * s.x, s.dpr * s.y);
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';

    this.paintEdges(ctx, m, s, px);
    this.paintGhostEdges(ctx, m, s, px);
    this.paintActiveGlow(ctx, m, s, px);
    this.paintTrails(ctx, s, px);
    this.paintNodes(ctx, m, s, px);
    this.paintGhosts(ctx, m, s, px);
    this.paintRoles(ctx, m, px);
    if (m.reading) this.paintReadFlash(ctx, m, px);
    this.paintHeads(ctx, m, s, px);
    this.paintHover(ctx, m, s, px);
    ctx.setTransform(s.dpr, 0, 0, s.dpr, 0, 0);
    this.paintLabels(ctx, m, s);
  }

  private ensureScratch(m: GraphModel): void {
    const ne = m.edges.length;
    if (this.edgeBucket.length < ne) {
      this.edgeBucket = new Uint8Array(ne * 2);
      this.edgeOrder = new Int32Array(ne * 2);
    }
    const nn = m.nodes.length;
    if (this.nodeBucket.length < nn) {
      this.nodeBucket = new Uint8Array(nn * 2);
      this.nodeOrder = new Int32Array(nn * 2);
    }
  }

  /** Drawn radius of a live node in world units: at least MIN_NODE_PX on screen, grown in on birth. */
  private nodeRadius(m: GraphModel, n: NodeView, s: PaintState, px: number): number {
    let r = m.radius[n.slot] as number;
    if (n.bornAt >= 0) r *= birthScale(lifecycleProgress(s.now, n.bornAt));
    return r < MIN_NODE_PX * px ? MIN_NODE_PX * px : r;
  }

  private paintEdges(ctx: Paint2D, m: GraphModel, s: PaintState, px: number): void {
    const edges = m.edges;
    const n = edges.length;
    // One line per connected pair (a symmetric pair is one edge), bucketed by the pair's strength:
    // bucket 0 is the faint structure, stronger ones brighter and wider. Second edges of a pair
    // go to an extra bucket that is never drawn.
    let lines = 0;
    let loops = 0;
    for (let i = 0; i < n; i++) {
      const e = edges[i] as EdgeView;
      const loop = e.source === e.target;
      if (loop) loops++;
      if (e.drawBase || loop) lines++;
      this.edgeBucket[i] = e.drawBase || loop ? edgeBucket(m.pairStrength(e)) : GATE_BUCKETS;
    }
    sortByBucket(this.edgeBucket, n, GATE_BUCKETS + 1, this.edgeStarts, this.edgeOrder);
    this.setBucketWidths(lines);
    const layer = isSvgContext(ctx) ? null : this.edgeLayer(s);
    this.edgesPending = false;
    if (!layer) this.strokeEdges(ctx, m, px, lines, 'all');
    else {
      // The lines change only when nodes move, the view moves or a pair changes bucket: between
      // those they are one cached bitmap, blitted (a loopy network's weights change once a step).
      const stale = this.layerStale(m, s, n, lines);
      this.edgesPending = stale === 'later' || stale === 'warp';
      if (stale === 'now') {
        layer.setTransform(1, 0, 0, 1, 0, 0);
        layer.clearRect(0, 0, layer.canvas.width, layer.canvas.height);
        layer.setTransform(s.dpr * s.k, 0, 0, s.dpr * s.k, s.dpr * s.x, s.dpr * s.y);
        layer.lineCap = 'round';
        layer.lineJoin = 'round';
        if (!this.glLines(layer, m, s, lines)) this.strokeEdges(layer, m, px, lines, 'lines');
        this.keepLayerKey(m, s, n);
        this.layerDrawnAt = s.now;
        this.edgeRedraws++;
      }
      // A view that moved since the lines were drawn: the bitmap is moved and scaled with it until the next redraw.
      const v = this.layerView;
      const r = s.k / (v[0] as number);
      ctx.setTransform(r, 0, 0, r, s.dpr * (s.x - (v[1] as number) * r), s.dpr * (s.y - (v[2] as number) * r));
      ctx.drawImage(layer.canvas, 0, 0);
      ctx.setTransform(s.dpr * s.k, 0, 0, s.dpr * s.k, s.dpr * s.x, s.dpr * s.y);
      // Self-loops follow their node's radius, which changes with every frame: drawn live (they are few).
      if (loops > 0) this.strokeEdges(ctx, m, px, lines, 'loops');
    }
    ctx.globalAlpha = 1;

    // The pinned and the hovered node's edges stand out over everything else.
    if (s.pinned) this.litEdges(ctx, m, s.pinned, px);
    if (s.hovered && s.hovered !== s.pinned) this.litEdges(ctx, m, s.hovered, px);
  }

  /**
   * Each bucket's stroke width (CSS px): its style's width while the wide
   * lines, strongest bucket first, stay within WIDE_LINES_MAX (and above
   * HAIRLINE_EDGES_ABOVE lines, only the three strongest buckets); the rest
   * are hairlines. A software rasteriser draws a 2 px stroke 15 to 30 times
   * slower than a hairline, so a few thousand wide lines cost tens of ms.
   */
  private setBucketWidths(lines: number): void {
    let wide = 0;
    for (let b = GATE_BUCKETS - 1; b >= 0; b--) {
      const style = GATE_STYLES[b] as (typeof GATE_STYLES)[number];
      const count = (this.edgeStarts[b + 1] as number) - (this.edgeStarts[b] as number);
      wide += style.width > 1 ? count : 0;
      const keep = (lines <= HAIRLINE_EDGES_ABOVE || b >= GATE_BUCKETS - 3) && wide <= WIDE_LINES_MAX;
      this.bucketWidth[b] = keep ? style.width : Math.min(1, style.width);
    }
  }

  /** Strokes the buckets' lines: all of them, only the straight ones, or only the self-loops. */
  private strokeEdges(ctx: Paint2D, m: GraphModel, px: number, lines: number, which: 'all' | 'lines' | 'loops'): void {
    const edges = m.edges;
    for (let b = 0; b < GATE_BUCKETS; b++) {
      const from = this.edgeStarts[b] as number;
      const to = this.edgeStarts[b + 1] as number;
      if (from === to) continue;
      ctx.beginPath();
      let any = false;
      for (let j = from; j < to; j++) {
        const e = edges[this.edgeOrder[j] as number] as EdgeView;
        if (which !== 'all' && (e.source === e.target) !== (which === 'loops')) continue;
        this.edgeLine(ctx, m, e, px);
        any = true;
      }
      if (!any) continue;
      const style = GATE_STYLES[b] as (typeof GATE_STYLES)[number];
      ctx.globalAlpha = edgeBucketAlpha(b, lines);
      ctx.strokeStyle = style.colour;
      ctx.lineWidth = (this.bucketWidth[b] as number) * px;
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  }

  /** Rasterises the straight lines with WebGL into the cleared `layer` (its transform left as it was); false: draw them in 2D. */
  private glLines(layer: CanvasRenderingContext2D, m: GraphModel, s: PaintState, lines: number): boolean {
    const gl = this.gl;
    if (!this.glOn || !gl) return false;
    const edges = m.edges;
    if (this.segments.length < edges.length * SEGMENT_FLOATS) this.segments = new Float32Array(2 * edges.length * SEGMENT_FLOATS);
    let at = 0;
    for (let b = 0; b < GATE_BUCKETS; b++) {
      this.bucketFirst[b] = at;
      at = fillLineSegments(edges, this.edgeOrder, this.edgeStarts[b] as number, this.edgeStarts[b + 1] as number, this.segments, at);
      this.bucketCount[b] = at - (this.bucketFirst[b] as number);
    }
    edgeBucketColours(lines, this.bucketRgba);
    const v = this.viewFor(layer.canvas, s);
    if (!gl.drawLines(this.segments, at, this.bucketFirst, this.bucketCount, this.bucketRgba, this.bucketWidth, v)) return false;
    layer.setTransform(1, 0, 0, 1, 0, 0);
    layer.drawImage(gl.canvas, 0, 0);
    layer.setTransform(s.dpr * s.k, 0, 0, s.dpr * s.k, s.dpr * s.x, s.dpr * s.y);
    return true;
  }

  private viewFor(target: { readonly width: number; readonly height: number }, s: PaintState): GlView {
    const v = this.glView;
    v.width = target.width;
    v.height = target.height;
    v.dpr = s.dpr;
    v.k = s.k;
    v.x = s.x;
    v.y = s.y;
    return v;
  }

  /** Rasterises the node discs (outlines, fills) with WebGL and draws them onto `ctx`; false: paint them in 2D. */
  private glNodes(ctx: Paint2D, m: GraphModel, s: PaintState, px: number, n: number): boolean {
    const gl = this.gl;
    if (!this.glOn || !gl || !(ctx instanceof CanvasRenderingContext2D)) return false;
    if (this.nodeInstances.length < n * NODE_FLOATS) this.nodeInstances = new Float32Array(2 * n * NODE_FLOATS);
    fillNodeInstances(m.nodes, this.nodeOrder, this.nodeBucket, n, (node) => this.nodeRadius(m, node, s, px), this.nodeInstances);
    if (!gl.drawNodes(this.nodeInstances, n, SQUARE_NODE_PX, this.viewFor(ctx.canvas, s))) return false;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(gl.canvas, 0, 0);
    ctx.setTransform(s.dpr * s.k, 0, 0, s.dpr * s.k, s.dpr * s.x, s.dpr * s.y);
    return true;
  }

  /** The offscreen canvas the lines are cached in, sized to the screen's backing store (null outside a browser). */
  private edgeLayer(s: PaintState): CanvasRenderingContext2D | null {
    if (typeof document === 'undefined') return null;
    const w = Math.max(1, Math.round(s.width * s.dpr));
    const h = Math.max(1, Math.round(s.height * s.dpr));
    if (!this.layer) {
      const canvas = document.createElement('canvas');
      this.layer = canvas.getContext('2d');
      if (!this.layer) return null;
    }
    const canvas = this.layer.canvas;
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
      this.layerEdges = null;
    }
    return this.layer;
  }

  /**
   * Whether the cached lines must be redrawn 'now', or not yet: 'warp' (the
   * view moved: the bitmap follows it, redrawn sharp within VIEW_REFRESH_MS),
   * 'later' (strengths changed: redrawn within EDGE_REFRESH_MS), 'no'. A
   * small graph redraws at once on any change; a big one (over
   * HAIRLINE_EDGES_ABOVE lines) waits, except for other edges or nodes that
   * moved more than LAYER_SLOP_PX on screen.
   */
  private layerStale(m: GraphModel, s: PaintState, n: number, lines: number): 'now' | 'warp' | 'later' | 'no' {
    if (this.layerEdges !== m.edges || this.layerNodes !== m.nodes) return 'now';
    const v = this.layerView;
    if (v[3] !== s.dpr) return 'now';
    const big = lines > HAIRLINE_EDGES_ABOVE;
    const slop = (big ? LAYER_SLOP_PX : 0) / (s.k * s.dpr);
    const pos = this.layerPos;
    const nodes = m.nodes;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i] as NodeView;
      if (Math.abs(node.x - (pos[2 * i] as number)) > slop || Math.abs(node.y - (pos[2 * i + 1] as number)) > slop) return 'now';
    }
    const since = s.now - this.layerDrawnAt;
    if (v[0] !== s.k || v[1] !== s.x || v[2] !== s.y) return !big || since >= VIEW_REFRESH_MS ? 'now' : 'warp';
    let changed = false;
    for (let i = 0; i < n && !changed; i++) changed = this.layerBucket[i] !== this.edgeBucket[i];
    if (!changed) return 'no';
    // A big graph's weights change with every train step: redrawing thousands of lines each frame would cost the frame rate.
    return !big || since >= Math.max(EDGE_REFRESH_MS, lines * EDGE_REFRESH_MS_PER_LINE) ? 'now' : 'later';
  }

  private keepLayerKey(m: GraphModel, s: PaintState, n: number): void {
    this.layerEdges = m.edges;
    this.layerNodes = m.nodes;
    const v = this.layerView;
    v[0] = s.k;
    v[1] = s.x;
    v[2] = s.y;
    v[3] = s.dpr;
    if (this.layerBucket.length < n) this.layerBucket = new Uint8Array(this.edgeBucket.length);
    this.layerBucket.set(this.edgeBucket.subarray(0, n));
    const nodes = m.nodes;
    if (this.layerPos.length < 2 * nodes.length) this.layerPos = new Float64Array(4 * nodes.length);
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i] as NodeView;
      this.layerPos[2 * i] = node.x;
      this.layerPos[2 * i + 1] = node.y;
    }
  }

  /** Node `h`'s edges over the rest: what it reads brighter than what reads it. */
  private litEdges(ctx: Paint2D, m: GraphModel, h: NodeView, px: number): void {
    const edges = m.edges;
    for (const reads of LIT_KINDS) {
      ctx.beginPath();
      for (let i = 0; i < edges.length; i++) {
        const e = edges[i] as EdgeView;
        if ((reads ? e.target : e.source) === h) this.edgeLine(ctx, m, e, px);
      }
      ctx.strokeStyle = reads ? 'rgba(248, 250, 252, 0.7)' : 'rgba(248, 250, 252, 0.3)';
      ctx.lineWidth = (reads ? 1.5 : 1.1) * px;
      ctx.stroke();
    }
  }

  /** The edge's whole line (a self-loop: its loop). */
  private edgeLine(ctx: Paint2D, m: GraphModel, e: EdgeView, px: number): void {
    if (e.source === e.target) {
      this.selfLoop(ctx, m, e.target, px);
      return;
    }
    ctx.moveTo(e.source.x, e.source.y);
    ctx.lineTo(e.target.x, e.target.y);
  }

  /** A small loop growing out of the node's upper right edge: the node reading itself. */
  private selfLoop(ctx: Paint2D, m: GraphModel, n: NodeView, px: number): void {
    const r = Math.max(m.radius[n.slot] as number, MIN_NODE_PX * px);
    const lr = r * 0.42;
    const d = r * 1.08;
    const cx = n.x + d * 0.7071;
    const cy = n.y - d * 0.7071;
    ctx.moveTo(cx + lr, cy);
    ctx.arc(cx, cy, lr, 0, TAU);
  }

  private paintGhostEdges(ctx: Paint2D, m: GraphModel, s: PaintState, px: number): void {
    if (m.ghostEdges.length === 0) return;
    ctx.strokeStyle = DEATH_COLOUR;
    ctx.lineWidth = 1.2 * px;
    for (const e of m.ghostEdges) {
      const t = lifecycleProgress(s.now, e.diedAt);
      ctx.globalAlpha = 0.6 * (1 - t);
      ctx.beginPath();
      ctx.moveTo(e.source.x, e.source.y);
      ctx.lineTo(e.target.x, e.target.y);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  }

  /** A soft two-step halo (no shadowBlur) around every node that computed on this tick. */
  private paintActiveGlow(ctx: Paint2D, m: GraphModel, s: PaintState, px: number): void {
    // The glow marks the active set; when every node computes (a loopy network) it says nothing and costs a large fill.
    if (m.nodes.every((n) => m.active[n.slot] === 1)) return;
    for (const [grow, style] of GLOW_LAYERS) {
      ctx.beginPath();
      let any = false;
      for (const n of m.nodes) {
        if (m.active[n.slot] !== 1) continue;
        const r = this.nodeRadius(m, n, s, px) * grow + 3 * px;
        ctx.moveTo(n.x + r, n.y);
        ctx.arc(n.x, n.y, r, 0, TAU);
        any = true;
      }
      if (!any) return;
      ctx.fillStyle = style;
      ctx.fill();
    }
  }

  private paintNodes(ctx: Paint2D, m: GraphModel, s: PaintState, px: number): void {
    const nodes = m.nodes;
    const n = nodes.length;
    for (let i = 0; i < n; i++) this.nodeBucket[i] = bucketOf(m.intensity[(nodes[i] as NodeView).slot] as number, ACTIVITY_BUCKETS);
    sortByBucket(this.nodeBucket, n, ACTIVITY_BUCKETS, this.nodeStarts, this.nodeOrder);
    if (this.glNodes(ctx, m, s, px, n)) {
      this.birthRings(ctx, m, s, px);
      return;
    }
    // A vector export keeps every disc round: the squares only save raster time.
    const svg = isSvgContext(ctx);
    const squareBelow = svg ? 0 : SQUARE_NODE_PX;
    // Squares get their outline as a slightly larger square under them (a fill: far cheaper than a stroke).
    ctx.beginPath();
    let squares = false;
    for (let i = 0; i < n; i++) {
      const node = nodes[i] as NodeView;
      const r = this.nodeRadius(m, node, s, px);
      if (r * s.k >= squareBelow) continue;
      const h = r * HALF_SQUARE + 0.375 * px;
      ctx.rect(node.x - h, node.y - h, 2 * h, 2 * h);
      squares = true;
    }
    if (squares) {
      ctx.fillStyle = NODE_OUTLINE;
      ctx.fill();
    }
    for (let b = 0; b < ACTIVITY_BUCKETS; b++) {
      const from = this.nodeStarts[b] as number;
      const to = this.nodeStarts[b + 1] as number;
      if (from === to) continue;
      ctx.beginPath();
      for (let j = from; j < to; j++) {
        const node = nodes[this.nodeOrder[j] as number] as NodeView;
        const r = this.nodeRadius(m, node, s, px);
        if (r * s.k < squareBelow) {
          const h = r * HALF_SQUARE;
          ctx.rect(node.x - h, node.y - h, 2 * h, 2 * h);
          continue;
        }
        ctx.moveTo(node.x + r, node.y);
        ctx.arc(node.x, node.y, r, 0, TAU);
      }
      ctx.fillStyle = ACTIVITY_RAMP[b] as string;
      ctx.fill();
    }
    // One outline path for all, so dark (quiet) nodes still read against the background.
    ctx.beginPath();
    let outlined = false;
    for (let i = 0; i < n; i++) {
      const node = nodes[i] as NodeView;
      const r = this.nodeRadius(m, node, s, px);
      if (r * s.k < squareBelow) continue;
      ctx.moveTo(node.x + r, node.y);
      ctx.arc(node.x, node.y, r, 0, TAU);
      outlined = true;
    }
    if (outlined) {
      ctx.strokeStyle = NODE_OUTLINE;
      ctx.lineWidth = 0.75 * px;
      ctx.stroke();
    }

    this.birthRings(ctx, m, s, px);
  }

  /** Birth highlights: a ring that widens and fades (few at a time, drawn one by one). */
  private birthRings(ctx: Paint2D, m: GraphModel, s: PaintState, px: number): void {
    for (const node of m.nodes) {
      if (node.bornAt < 0) continue;
      const t = lifecycleProgress(s.now, node.bornAt);
      this.ring(ctx, node, (m.radius[node.slot] as number) + (4 + 14 * t) * px, BIRTH_COLOUR, ringAlpha(t), 2 * px);
    }
  }

  private paintGhosts(ctx: Paint2D, m: GraphModel, s: PaintState, px: number): void {
    for (const node of m.ghosts) {
      const t = lifecycleProgress(s.now, node.diedAt);
      const r = (m.radius[node.slot] as number) * deathScale(t);
      ctx.globalAlpha = 1 - t;
      ctx.beginPath();
      ctx.arc(node.x, node.y, Math.max(r, 0.01), 0, TAU);
      ctx.fillStyle = ACTIVITY_RAMP[bucketOf(m.intensity[node.slot] as number, ACTIVITY_BUCKETS)] as string;
      ctx.fill();
      ctx.globalAlpha = 1;
      this.ring(ctx, node, r + (4 + 10 * t) * px, DEATH_COLOUR, ringAlpha(t), 2 * px);
    }
  }

  private ring(ctx: Paint2D, n: NodeView, r: number, colour: string, alpha: number, width: number): void {
    if (alpha <= 0) return;
    ctx.globalAlpha = alpha;
    ctx.beginPath();
    ctx.arc(n.x, n.y, r, 0, TAU);
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.stroke();
    ctx.globalAlpha = 1;
  }

  /** On a read tick the output nodes (a loopy network's read node among them) flash: a wide bright ring. */
  private paintReadFlash(ctx: Paint2D, m: GraphModel, px: number): void {
    ctx.beginPath();
    for (const n of m.nodes) {
      if (n.role !== 'output') continue;
      const r = Math.max(m.radius[n.slot] as number, MIN_NODE_PX * px) + 6 * px;
      ctx.moveTo(n.x + r, n.y);
      ctx.arc(n.x, n.y, r, 0, TAU);
    }
    ctx.strokeStyle = READ_FLASH_COLOUR;
    ctx.lineWidth = 3.5 * px;
    ctx.stroke();
  }

  /** Input and output nodes wear a coloured ring (their "in"/"out" labels come with the screen-space text). */
  private paintRoles(ctx: Paint2D, m: GraphModel, px: number): void {
    for (const [role, colour] of ROLE_RINGS) {
      ctx.beginPath();
      let any = false;
      for (const n of m.nodes) {
        if (n.role !== role) continue;
        const r = Math.max(m.radius[n.slot] as number, MIN_NODE_PX * px) + 2.5 * px;
        ctx.moveTo(n.x + r, n.y);
        ctx.arc(n.x, n.y, r, 0, TAU);
        any = true;
      }
      if (!any) continue;
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2 * px;
      ctx.stroke();
    }
  }

  /** The comet: the last hops as segments along the edges, fading and thinning with age. */
  private paintTrails(ctx: Paint2D, s: PaintState, px: number): void {
    const headT = s.headT;
    for (let th = 0; th < s.trails.length; th++) {
      const trail = s.trails[th] as TrailRing<NodeView>;
      const to = trail.at(0);
      const from = trail.at(1);
      if (!to || !from) continue;
      ctx.strokeStyle = threadColour(th);
      // Age a >= 1: the segment from at(a+1) to at(a); it fades continuously as the head moves on.
      for (let a = TRAIL_HOPS - 1; a >= 0; a--) {
        const b = trail.at(a + 1);
        const c = trail.at(a);
        if (!b || !c || b === c) continue;
        const alpha = a === 0 ? 1 : trailAlpha(a - 1 + headT);
        if (alpha <= 0.01) continue;
        const ex = a === 0 ? lerp(b.x, c.x, headT) : c.x;
        const ey = a === 0 ? lerp(b.y, c.y, headT) : c.y;
        ctx.beginPath();
        ctx.moveTo(b.x, b.y);
        ctx.lineTo(ex, ey);
        ctx.globalAlpha = alpha * 0.22;
        ctx.lineWidth = (5 + 7 * alpha) * px;
        ctx.stroke();
        ctx.globalAlpha = alpha;
        ctx.lineWidth = (1 + 2.6 * alpha) * px;
        ctx.stroke();
      }
    }
    ctx.globalAlpha = 1;
  }

  private paintHeads(ctx: Paint2D, m: GraphModel, s: PaintState, px: number): void {
    const headT = s.headT;
    for (let th = 0; th < s.trails.length; th++) {
      const trail = s.trails[th] as TrailRing<NodeView>;
      const to = trail.at(0);
      if (!to) continue;
      const from = trail.at(1) ?? to;
      const x = lerp(from.x, to.x, headT);
      const y = lerp(from.y, to.y, headT);
      const colour = threadColour(th);
      // Arrived: a ring on the node the thread sits on.
      if (headT >= 1) this.ring(ctx, to, Math.max(m.radius[to.slot] as number, MIN_NODE_PX * px) + 4.5 * px, colour, 0.95, 2.2 * px);
      const glow = 40 * px;
      if (isSvgContext(ctx)) ctx.radialGlow(x, y, glow / 2, colour);
      else ctx.drawImage(this.headSprite(colour), x - glow / 2, y - glow / 2, glow, glow);
      ctx.beginPath();
      ctx.arc(x, y, 4 * px, 0, TAU);
      ctx.fillStyle = '#ffffff';
      ctx.fill();
      ctx.strokeStyle = colour;
      ctx.lineWidth = 1.5 * px;
      ctx.stroke();
    }
  }

  /** A radial glow, rendered once per colour and stamped with drawImage (cheaper than shadowBlur). */
  private headSprite(colour: string): HTMLCanvasElement {
    let sprite = this.headSprites.get(colour);
    if (sprite) return sprite;
    sprite = document.createElement('canvas');
    sprite.width = sprite.height = 64;
    const c = sprite.getContext('2d');
    if (c) {
      const g = c.createRadialGradient(32, 32, 0, 32, 32, 32);
      g.addColorStop(0, colour);
      g.addColorStop(0.35, withAlpha(colour, 0.45));
      g.addColorStop(1, withAlpha(colour, 0));
      c.fillStyle = g;
      c.fillRect(0, 0, 64, 64);
    }
    this.headSprites.set(colour, sprite);
    return sprite;
  }

  private paintHover(ctx: Paint2D, m: GraphModel, s: PaintState, px: number): void {
    const p = s.pinned;
    if (p) this.ring(ctx, p, Math.max(m.radius[p.slot] as number, MIN_NODE_PX * px) + 4 * px, PIN_COLOUR, 1, 2.2 * px);
    const h = s.hovered;
    if (h) this.ring(ctx, h, Math.max(m.radius[h.slot] as number, MIN_NODE_PX * px) + 3 * px, HOVER_COLOUR, 1, 1.5 * px);
  }

  /**
   * Text in screen space, so it stays 10 px whatever the zoom: the pinned and
   * hovered ids first, then the role tags, each placed clear of the other
   * labels and of every node (a tag with no free spot is left out).
   */
  private paintLabels(ctx: Paint2D, m: GraphModel, s: PaintState): void {
    ctx.font = LABEL_FONT;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    const req = this.labelRequests;
    const texts = this.labelTexts;
    const colours = this.labelColours;
    req.length = texts.length = colours.length = 0;
    const add = (n: NodeView, text: string, colour: string): void => {
      req.push({ x: n.x * s.k + s.x, y: n.y * s.k + s.y, r: this.screenRadius(m, n, s), w: this.textWidth(ctx, text), h: LABEL_HEIGHT });
      texts.push(text);
      colours.push(colour);
    };
    if (s.pinned) add(s.pinned, `#${s.pinned.id}`, PIN_COLOUR);
    if (s.hovered && s.hovered !== s.pinned) add(s.hovered, `#${s.hovered.id}`, HOVER_COLOUR);
    for (const n of m.nodes) if (n.role !== 'hidden') add(n, n.role === 'input' ? 'in' : 'out', n.role === 'input' ? INPUT_COLOUR : OUTPUT_COLOUR);
    if (req.length === 0) {
      this.lastLabels = [];
      return;
    }
    const nodes = m.nodes;
    const boxes = this.placer.place(
      req,
      nodes.length,
      (i, out) => {
        const n = nodes[i] as NodeView;
        out.x = n.x * s.k + s.x;
        out.y = n.y * s.k + s.y;
        out.r = this.screenRadius(m, n, s);
      },
      s.width,
      s.height,
    );
    boxes.forEach((b, i) => {
      if (!b) return;
      ctx.fillStyle = colours[i] as string;
      ctx.fillText(texts[i] as string, b.x + LABEL_PAD, b.y + b.h / 2);
    });
    this.lastLabels = boxes;
  }

  /** The label boxes of the last paint (null where a label found no room), for tests. */
  lastLabels: readonly (LabelBox | null)[] = [];
  private readonly placer = new LabelPlacer();
  private readonly labelRequests: LabelRequest[] = [];
  private readonly labelTexts: string[] = [];
  private readonly labelColours: string[] = [];
  private readonly textWidths = new Map<string, number>();

  /** A node's disc on screen with its role ring, CSS px. */
  private screenRadius(m: GraphModel, n: NodeView, s: PaintState): number {
    return Math.max((m.radius[n.slot] as number) * s.k, MIN_NODE_PX) + (n.role === 'hidden' ? 1 : 3.5);
  }

  private textWidth(ctx: Paint2D, text: string): number {
    let w = this.textWidths.get(text);
    if (w === undefined) {
      w = ctx.measureText(text).width + 2 * LABEL_PAD;
      this.textWidths.set(text, w);
    }
    return w;
  }
}

/** Label box height and inner padding, CSS px (10 px text). */
const LABEL_HEIGHT = 12;
const LABEL_PAD = 1;

/** In-edges (what a node reads), then out-edges. */
const LIT_KINDS = [true, false] as const;

const GLOW_LAYERS: readonly (readonly [number, string])[] = [
  [1.8, ACTIVE_GLOW],
  [1.3, ACTIVE_GLOW_CORE],
];

/** Output read: near-white, brighter than any activity colour. */
const READ_FLASH_COLOUR = '#fff6c8';

const ROLE_RINGS: readonly (readonly ['input' | 'output', string])[] = [
  ['input', INPUT_COLOUR],
  ['output', OUTPUT_COLOUR],
];

/** `#rrggbb` with an alpha, as rgba(). */
function withAlpha(hex: string, alpha: number): string {
  const v = parseInt(hex.slice(1), 16);
  return `rgba(${(v >> 16) & 255}, ${(v >> 8) & 255}, ${v & 255}, ${alpha})`;
}
