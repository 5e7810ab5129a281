/**
 * The activity graph's engine room, outside React: takes topology updates and
 * frames from the lab client, lays the graph out (the generator's fixed
 * layout where the graph has one, else the force layout), plays the thread
 * back, keeps the nodes' recent activity for the inspector, and paints
 * through a CanvasLoop only while something changes (a frame, a hop, the
 * layout, an animation, the view).
 */
import { CanvasLoop, type CanvasSize } from '../canvas-loop';
import type { ZoomTransform } from 'd3-zoom';
import { zoomIdentity } from 'd3-zoom';
import type { LabClient, TopologyUpdate } from '../../client/lab-client';
import { descriptorOf } from '../../protocol/experiment';
import { FAST_FRAME_FACTOR, FRAME_INTERVAL_MS, slowFrameMs, type FrameMessage } from '../../protocol/messages';
import { activityHistory } from './activity-history';
import { fixedPositions, layoutKindOf, type LayoutKind } from './fixed-layouts';
import { ForceLayout, reheatAlpha } from './force-layout';
import { GraphModel, RADIUS_MAX, type NodeView } from './graph-model';
import { createPaintState, GraphPainter } from './graph-painter';
import { attachInteraction, type Interaction } from './graph-interaction';
import { hoverStore } from './hover-store';
import { LIFECYCLE_MS } from './lifecycle';
import { graphPaintStats } from './paint-stats';
import {
  DEFAULT_FRAME_INTERVAL_MS,
  hopEase,
  hopIndex,
  nextFrameInterval,
  planPlayback,
  playbackProgress,
  TrailRing,
  type PlaybackPlan,
} from './thread-trail';
import { easeView, fitView, type Bounds, type View } from './view-fit';
import { drawLegend } from './legend-svg';
import { SvgContext } from './svg-context';
import { setViewPicture, svgToPng } from './view-picture';
import { rasteriserFromSearch } from './webgl-graph-buffers';
import { GlGraphLayer } from './webgl-graph-layer';

/** How the graph talks to assistive technology (plain text, written by the component). */
export interface GraphTextSink {
  /** A one-line description of what the graph shows now (at most once a second). */
  summary(text: string): void;
  /** A change worth announcing: births and deaths, a new graph. */
  announce(text: string): void;
  /** What the legend should show (called only when it changes). */
  legend?(legend: GraphLegend): void;
}

/** The legend items that apply to the running model. */
export interface GraphLegend {
  /** What edge brightness shows. */
  readonly edges: 'gate' | 'weight' | 'message';
  readonly threads: boolean;
  readonly inputs: boolean;
  readonly outputs: boolean;
  /** Nodes may be born and die (growth on), or some did. */
  readonly growth: boolean;
  /** The layout in use: the generator's, unless the person chose force. */
  readonly layout: LayoutKind;
  /** The layout the graph's generator offers ('force' when it offers none). */
  readonly offered: LayoutKind;
}

/** What the graph view shows now, for the test API. */
export interface GraphViewInfo {
  readonly layout: LayoutKind;
  readonly pinnedId: number | null;
  /** Screen position (CSS px, relative to the canvas) of a drawn node, or null. */
  screenOf(id: number): { readonly x: number; readonly y: number } | null;
  /** Label boxes of the last paint (screen px); null entries found no room. */
  labels(): readonly ({ readonly x: number; readonly y: number; readonly w: number; readonly h: number } | null)[];
  /** Paints so far, and how many of them redrew the cached edge lines (the rest blitted them). */
  paintCounts(): { readonly paints: number; readonly edgeRedraws: number };
}

let graphViewInfo: GraphViewInfo | null = null;

/** The lab's one graph view, as the test API sees it (null while none is mounted). */
export function currentGraphView(): GraphViewInfo | null {
  return graphViewInfo;
}

const FIT_PADDING_PX = 36;
/** Room kept clear under the graph for the legend. */
const FIT_LEGEND_PX = 30;
const FIT_RATE = 0.2;
const HOVER_SLOP_PX = 4;
const SUMMARY_EVERY_MS = 1000;
/** Graphs above this many nodes (laid out on the main thread) tick the force layout several times a frame, for up to LAYOUT_BUDGET_MS. */
const MULTI_TICK_NODES = 300;
const LAYOUT_BUDGET_MS = 8;

export class GraphController {
  private readonly model = new GraphModel();
  private readonly layout = new ForceLayout(this.model);
  private readonly painter = new GraphPainter();
  private readonly paintState = createPaintState();
  private readonly ctx: CanvasRenderingContext2D | null;
  private readonly loop: CanvasLoop;
  private readonly interaction: Interaction;

  // Playback of the current frame's ticks.
  private plan: PlaybackPlan = { firstTick: 0, hopMs: 0 };
  private playStart = 0;
  private appliedTick = -1;
  private playing = false;
  private frameInterval = DEFAULT_FRAME_INTERVAL_MS;
  private lastFrameAt = -1;
  private trails: TrailRing<NodeView>[] = [];

  // View: auto-fit follows the layout until the person zooms or pans.
  private view: View = { k: 1, x: 0, y: 0 };
  private readonly fitTarget: View = { k: 1, x: 0, y: 0 };
  private readonly bounds: Bounds = { minX: 0, minY: 0, maxX: 0, maxY: 0 };
  private autoFit = true;
  private fitPending = true;
  /** Jump straight to the fit (first graph, new graph) instead of easing from a stale view. */
  private snapFit = true;

  // Pointer and hover.
  private pointerX = 0;
  private pointerY = 0;
  private pointerIn = false;
  private hoverCheck = false;
  private dragged: NodeView | null = null;
  private dragMoved = false;
  private lastSummaryAt = -Infinity;
  private layoutKind: LayoutKind = 'force';
  private forceChosen = false;
  private legend: GraphLegend | null = null;
  private legendBase: Omit<GraphLegend, 'threads'> | null = null;
  private readonly onClick = (e: MouseEvent): void => this.click(e.offsetX, e.offsetY);
  private readonly onKey = (e: KeyboardEvent): void => {
    if (e.key === 'Escape' && hoverStore.getState().pinnedId !== null) {
      this.setPinned(null);
      e.stopPropagation();
    }
  };

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly client: LabClient,
    private readonly text: GraphTextSink,
  ) {
    this.ctx = canvas.getContext('2d', { alpha: false });
    this.loop = new CanvasLoop(canvas, {
      prepare: () => this.checkHover(),
      paint: (now) => this.paint(now),
      resize: (size) => this.resize(size),
    });
    this.interaction = attachInteraction(canvas, {
      nodeAt: (sx, sy) => this.nodeAt(sx, sy),
      onView: (t, byUser) => this.onView(t, byUser),
      onDragStart: (n) => {
        this.dragged = n;
        this.dragMoved = false;
        if (this.layoutKind === 'force') this.layout.dragStart(n);
        this.setHovered(n);
        this.canvas.style.cursor = 'grabbing';
        this.loop.markDirty();
      },
      onDrag: (n, x, y) => {
        this.dragMoved = true;
        // A fixed layout has no simulation: the node simply goes where it is put.
        if (this.layoutKind === 'force') this.layout.dragMove(n, x, y);
        else {
          n.x = x;
          n.y = y;
        }
        this.loop.markDirty();
      },
      onDragEnd: (n) => {
        this.dragged = null;
        if (this.layoutKind === 'force') this.layout.dragEnd(n);
        this.canvas.style.cursor = this.paintState.hovered ? 'grab' : '';
        this.hoverCheck = true;
        this.loop.markDirty();
      },
      // Pointer moves only ask for a hit test; a repaint follows when the hovered node changes.
      onPointer: (sx, sy) => {
        this.pointerX = sx;
        this.pointerY = sy;
        this.pointerIn = true;
        this.hoverCheck = true;
        this.loop.schedule();
      },
      onPointerLeave: () => {
        this.pointerIn = false;
        this.hoverCheck = true;
        this.loop.schedule();
      },
      onFit: () => {
        this.autoFit = true;
        this.fitPending = true;
        this.loop.markDirty();
      },
    });
    this.loop.own(() => this.interaction.detach());
    // Big graphs' lines and discs through WebGL2 where there is one (?painter=2d|webgl forces either, for benchmarks).
    const choice = rasteriserFromSearch(location.search);
    let gl = choice === '2d' ? null : GlGraphLayer.create(() => this.loop.markDirty());
    // 'auto' never draws with a software GL (Canvas 2D is faster there): no context is kept for it.
    if (gl && choice === 'auto' && gl.software) {
      gl.dispose();
      gl = null;
    }
    this.painter.useWebgl(gl, choice);
    if (gl) {
      const layer = gl;
      this.loop.own(() => layer.dispose());
    }
    // A big graph lays out in a worker: repaint when its positions arrive, and end it with the view.
    this.layout.onMove(() => this.loop.markDirty());
    this.loop.own(() => this.layout.dispose());
    canvas.addEventListener('click', this.onClick);
    canvas.addEventListener('keydown', this.onKey);
    this.loop.own(() => {
      canvas.removeEventListener('click', this.onClick);
      canvas.removeEventListener('keydown', this.onKey);
    });
    // Pins set elsewhere (the inspector's Unpin, Escape there) repaint the ring.
    this.loop.own(
      hoverStore.subscribe(() => {
        const id = hoverStore.getState().pinnedId;
        const n = id === null ? null : (this.model.byId.get(id) ?? null);
        if (n !== this.paintState.pinned) {
          this.paintState.pinned = n;
          this.loop.markDirty();
        }
      }),
    );
    graphViewInfo = {
      layout: 'force',
      pinnedId: null,
      screenOf: (id) => {
        const n = this.model.byId.get(id);
        return n ? { x: n.x * this.view.k + this.view.x, y: n.y * this.view.k + this.view.y } : null;
      },
      labels: () => this.painter.lastLabels,
      paintCounts: () => ({ paints: graphPaintStats.paints, edgeRedraws: this.painter.edgeRedraws }),
    };
    this.publishInfo();
    this.loop.own(setViewPicture({ view: 'graph', svg: () => this.toSvg(), png: () => this.toPng() }));
    this.loop.own(client.onTopology((u) => this.onTopology(u)));
    this.loop.own(client.onFrame((f) => this.onFrame(f)));
    if (client.topology) this.onTopology(client.topology);
    if (client.frame) this.onFrame(client.frame);
  }

  dispose(): void {
    this.loop.dispose();
    hoverStore.setHovered(null);
    hoverStore.setPinned(null);
    hoverStore.setShownTick(null, 0);
    graphViewInfo = null;
  }

  private publishInfo(): void {
    if (graphViewInfo) graphViewInfo = { ...graphViewInfo, layout: this.layoutKind, pinnedId: hoverStore.getState().pinnedId };
  }

  /** A click (not a drag) on a node pins it, on the pinned node or on empty space unpins. */
  private click(sx: number, sy: number): void {
    if (this.dragMoved) {
      this.dragMoved = false;
      return;
    }
    const n = this.nodeAt(sx, sy);
    this.setPinned(n && n !== this.paintState.pinned ? n : null);
  }

  private setPinned(n: NodeView | null): void {
    this.paintState.pinned = n;
    hoverStore.setPinned(n ? n.id : null);
    this.publishInfo();
    this.loop.markDirty();
  }

  private resize({ width, height, dpr }: CanvasSize): void {
    const s = this.paintState;
    s.width = width;
    s.height = height;
    s.dpr = dpr;
    this.fitPending = true;
  }

  private onTopology(u: TopologyUpdate): void {
    const now = performance.now();
    const change = this.model.applyTopology(u, now);
    const kind = this.kindFor(u.graph);
    // Only structure moves the layout; everything else is a repaint.
    if (change.structural || kind !== this.layoutKind) this.place(u, kind, reheatAlpha(change));
    if (change.kind !== 'grow') {
      // Reset, import or rollback: the thread restarts, old trails and values mean nothing now.
      for (const t of this.trails) t.clear();
      this.playing = false;
      this.model.clearFrame();
      activityHistory.clear();
      hoverStore.setShownTick(null, 0);
      if (change.kind === 'first' || change.newShare > 0.3) {
        this.autoFit = true;
        this.snapFit = true;
      }
    }
    const hovered = hoverStore.getState().hoveredId;
    if (hovered !== null && !this.model.byId.has(hovered)) this.setHovered(null);
    const pinned = hoverStore.getState().pinnedId;
    if (pinned !== null) this.setPinned(this.model.byId.get(pinned) ?? null);
    const spec = descriptorOf(u.experiment.model).graphView;
    this.legendBase = {
      edges: spec?.edges ?? 'gate',
      inputs: u.graph.nodes.some((n) => n.role === 'input'),
      outputs: u.graph.nodes.some((n) => n.role === 'output'),
      growth: (spec?.growth?.(u.experiment.params) ?? false) || u.events.length > 0,
      layout: this.layoutKind,
      offered: layoutKindOf(u.graph),
    };
    this.updateLegend();
    if (change.kind === 'grow') this.text.announce(describeGrowth(u));
    else if (change.structural) this.text.announce(`New graph: ${u.graph.nodes.length} nodes, ${u.graph.edges.length} edges.`);
    this.fitPending = true;
    this.summarise(now, true);
    this.loop.markDirty();
  }

  /**
   * Lays the graph out: the generator's fixed layout (every node placed at
   * once, no simulation) or the force layout, reheated by `alpha`.
   */
  private place(u: TopologyUpdate, kind: LayoutKind, alpha: number): void {
    const spacing = 2.4 * RADIUS_MAX * this.model.sizeScale;
    const positions = kind === 'force' ? null : fixedPositions(u.graph, spacing);
    if (!positions) {
      if (this.layoutKind !== 'force') alpha = 1; // leaving a fixed layout: lay out afresh
      this.layoutKind = 'force';
      this.layout.update(alpha);
    } else {
      this.layoutKind = kind;
      this.layout.halt();
      for (const n of this.model.nodes) {
        const p = positions.get(n.id);
        if (!p) continue;
        n.x = p.x;
        n.y = p.y;
        n.vx = n.vy = 0;
      }
    }
    this.canvas.dataset.layout = this.layoutKind;
    this.publishInfo();
  }

  /** The layout for a graph: its generator's, or force when the person chose it. */
  private kindFor(graph: TopologyUpdate['graph']): LayoutKind {
    return this.forceChosen ? 'force' : layoutKindOf(graph);
  }

  /** The person's layout choice: the generator's fixed layout (when it has one) or the force layout. */
  chooseLayout(choice: 'generator' | 'force'): void {
    this.forceChosen = choice === 'force';
    const u = this.client.topology;
    const base = this.legendBase;
    if (!u || !base) return;
    this.place(u, this.kindFor(u.graph), 1);
    this.legendBase = { ...base, layout: this.layoutKind };
    this.updateLegend();
    this.autoFit = true;
    this.fitPending = true;
    this.loop.markDirty();
  }

  private updateLegend(): void {
    const base = this.legendBase;
    if (!base) return;
    const next: GraphLegend = { ...base, threads: this.model.threadCount > 0 };
    const old = this.legend;
    if (old && (Object.keys(next) as (keyof GraphLegend)[]).every((k) => old[k] === next[k])) return;
    this.legend = next;
    this.text.legend?.(next);
  }

  private onFrame(f: FrameMessage): void {
    const now = performance.now();
    if (this.lastFrameAt >= 0) this.frameInterval = nextFrameInterval(this.frameInterval, now - this.lastFrameAt);
    this.lastFrameAt = now;
    this.finishPlayback();
    this.model.ingestFrame(f);
    activityHistory.push(f);
    this.updateLegend();
    const threads = this.model.threadCount;
    while (this.trails.length < threads) this.trails.push(new TrailRing<NodeView>());
    this.trails.length = threads;
    this.paintState.trails = this.trails;
    // Ticks that do not fit in the time until the next frame join the trail at once. Slow motion and fast
    // frames have intervals the worker keeps on purpose, not the measured display rate.
    const speed = this.client.store.getState().speed;
    const interval = speed === 'slow' ? slowFrameMs(f.ticks) : speed === 'fast' ? FRAME_INTERVAL_MS * FAST_FRAME_FACTOR : this.frameInterval;
    this.plan = planPlayback(f.ticks, interval);
    for (let t = 0; t < this.plan.firstTick; t++) this.pushThreads(t);
    this.appliedTick = this.plan.firstTick - 1;
    this.playStart = now;
    this.playing = f.ticks > 0;
    this.summarise(now, false);
    this.loop.markDirty();
  }

  /** A new frame came before the last one finished: its remaining hops become trail. */
  private finishPlayback(): void {
    const f = this.model.frame;
    if (!f || !this.playing) return;
    while (this.appliedTick < f.ticks - 1) this.pushThreads(++this.appliedTick);
    this.playing = false;
  }

  private pushThreads(tick: number): void {
    for (let th = 0; th < this.trails.length; th++) {
      const node = this.model.threadNode(tick, th);
      if (node) (this.trails[th] as TrailRing<NodeView>).push(node);
    }
    // A loopy network has no threads: its ticks show activity, not hops.
    if (this.trails.length > 0) graphPaintStats.hops++;
  }

  /**
   * Moves playback to `now`; true while hops are still under way. `appliedTick`
   * is the last tick pushed onto the trails and copied into the model.
   */
  private advancePlayback(now: number): boolean {
    const f = this.model.frame;
    if (!f || !this.playing) {
      this.paintState.headT = 1;
      return false;
    }
    const hops = f.ticks - this.plan.firstTick;
    const p = playbackProgress(now - this.playStart, hops, this.plan.hopMs);
    const hop = hopIndex(p, hops);
    const tick = this.plan.firstTick + hop;
    // A new hop: the thread moves on, and the graph shows that tick's activity and gates.
    if (tick > this.appliedTick) {
      while (this.appliedTick < tick) this.pushThreads(++this.appliedTick);
      this.model.applyTick(tick);
      hoverStore.setShownTick(f, tick);
    }
    this.paintState.headT = hopEase(p - hop);
    if (p >= hops) this.playing = false;
    return this.playing;
  }

  private onView(t: ZoomTransform, byUser: boolean): void {
    this.view.k = t.k;
    this.view.x = t.x;
    this.view.y = t.y;
    if (byUser) this.autoFit = false;
    this.hoverCheck = true;
    this.loop.markDirty();
  }

  /** One easing step of the auto-fit; true while still moving. */
  private stepFit(): boolean {
    const s = this.paintState;
    if (!this.autoFit || !this.fitPending || s.width <= 0 || this.model.nodes.length === 0) return false;
    const b = this.bounds;
    b.minX = b.minY = Infinity;
    b.maxX = b.maxY = -Infinity;
    for (const n of this.model.nodes) {
      const r = this.model.radius[n.slot] as number;
      if (n.x - r < b.minX) b.minX = n.x - r;
      if (n.x + r > b.maxX) b.maxX = n.x + r;
      if (n.y - r < b.minY) b.minY = n.y - r;
      if (n.y + r > b.maxY) b.maxY = n.y + r;
    }
    fitView(b, s.width, s.height, FIT_PADDING_PX, this.fitTarget, FIT_LEGEND_PX);
    const v = this.view;
    const { k, x, y } = v;
    const t = this.fitTarget;
    // Within half a pixel already: leave the view still (a big graph's cached edge lines stay valid while it does).
    const close = Math.abs(t.k / v.k - 1) < 0.002 && Math.abs(t.x - v.x) < 0.5 && Math.abs(t.y - v.y) < 0.5;
    const done = this.snapFit || close || easeView(v, t, FIT_RATE);
    if (this.snapFit) {
      Object.assign(v, this.fitTarget);
      this.snapFit = false;
    }
    // Through d3-zoom, so the next wheel or drag starts from the fitted view.
    if (v.k !== k || v.x !== x || v.y !== y) this.interaction.setView(zoomIdentity.translate(v.x, v.y).scale(v.k));
    if (done && !this.layout.running) this.fitPending = false;
    return !done;
  }

  private nodeAt(sx: number, sy: number): NodeView | null {
    const v = this.view;
    return this.model.nodeAt((sx - v.x) / v.k, (sy - v.y) / v.k, HOVER_SLOP_PX / v.k);
  }

  private setHovered(n: NodeView | null): void {
    if (this.paintState.hovered === n) return;
    this.paintState.hovered = n;
    this.loop.markDirty();
    hoverStore.setHovered(n ? n.id : null);
    if (!this.dragged) this.canvas.style.cursor = n ? 'grab' : '';
  }

  /** Every pass of the loop, dirty or not: a pointer move or a moved view may have changed the node under the pointer. */
  private checkHover(): void {
    if (!this.hoverCheck || this.dragged) return;
    this.hoverCheck = false;
    this.setHovered(this.pointerIn ? this.nodeAt(this.pointerX, this.pointerY) : null);
  }

  /** Steps the layout, playback, fades and fit, then paints; true while any of them still moves. */
  private paint(start: number): boolean {
    if (!this.ctx) return false;
    let more = false;
    if (this.layout.running) {
      const moved = this.layout.tick();
      if (!this.layout.offThread) {
        // A big graph would take hundreds of frames to cool, redrawing every edge each one: tick more while
        // this frame has time (not during a drag, where one tick per frame keeps the neighbours following).
        if (!this.dragged && this.model.nodes.length > MULTI_TICK_NODES) {
          while (this.layout.running && performance.now() - start < LAYOUT_BUDGET_MS) this.layout.tick();
        }
        more = true;
      }
      // Off the main thread a frame only copies the worker's newest positions; the next batch marks the loop dirty.
      if (moved) {
        this.fitPending = true;
        this.hoverCheck = true;
      }
    }
    if (this.advancePlayback(start)) more = true;
    if (this.model.settleAnimations(start, LIFECYCLE_MS)) more = true;
    if (this.stepFit()) more = true;
    const s = this.paintState;
    s.now = start;
    s.k = this.view.k;
    s.x = this.view.x;
    s.y = this.view.y;
    this.painter.paint(this.ctx, this.model, s);
    graphPaintStats.record(performance.now() - start);
    if (this.canvas.dataset.painter !== this.painter.rasteriser) this.canvas.dataset.painter = this.painter.rasteriser;
    // Edge strengths the painter held back (a big graph redraws its lines at most twice a second) still need a paint.
    return more || this.painter.edgesPending;
  }

  /**
   * The graph as it is on screen, legend included, as vector SVG: the same
   * painter draws the same model and view into a recording context (a fresh
   * painter, so the screen's scratch state is left alone).
   */
  toSvg(): string {
    const s = this.paintState;
    const width = s.width > 0 ? s.width : this.canvas.clientWidth;
    const height = s.height > 0 ? s.height : this.canvas.clientHeight;
    const svg = new SvgContext(width, height, s.dpr);
    new GraphPainter().paint(svg, this.model, s);
    drawLegend(svg, this.legend, width, height);
    const u = this.client.topology;
    const step = this.client.frame?.step ?? u?.step ?? 0;
    return svg.toSvg(u ? `Loopy Lab: ${u.experiment.model} on ${u.experiment.task}, step ${step}` : 'Loopy Lab graph');
  }

  /** The SVG picture rasterised at the device pixel ratio. */
  toPng(): Promise<Blob> {
    const s = this.paintState;
    return svgToPng(this.toSvg(), s.width, s.height, s.dpr);
  }

  private summarise(now: number, force: boolean): void {
    if (!force && now - this.lastSummaryAt < SUMMARY_EVERY_MS) return;
    this.lastSummaryAt = now;
    this.text.summary(describeGraph(this.model));
  }
}

/** "24 nodes, 96 edges. Thread on node 7. Most visited: node 3 (21%)." */
export function describeGraph(m: GraphModel): string {
  const parts = [`${m.nodes.length} nodes, ${m.edges.length} edges.`];
  const f = m.frame;
  const threads = m.threadCount;
  if (f && threads > 0) {
    const last = f.ticks - 1;
    const at: number[] = [];
    for (let th = 0; th < threads; th++) at.push(f.threads[last * threads + th] as number);
    parts.push(threads === 1 ? `Thread on node ${at[0]}.` : `Threads on nodes ${at.join(', ')}.`);
    let best = -1;
    let bestShare = 0;
    f.visitShare.forEach((v, p) => {
      if (v > bestShare) {
        bestShare = v;
        best = f.nodeIds[p] as number;
      }
    });
    if (best >= 0) parts.push(`Most visited: node ${best} (${Math.round(bestShare * 100)}%).`);
  }
  return parts.join(' ');
}

/** "Node 31 born (split of node 4). Node 9 died (starved)." */
export function describeGrowth(u: TopologyUpdate): string {
  const lines = u.events.map((e) =>
    e.kind === 'birth'
      ? `Node ${e.nodeId} born (${e.cause}${e.parentId !== undefined ? ` of node ${e.parentId}` : ''}).`
      : `Node ${e.nodeId} died (${e.cause}).`,
  );
  return `${lines.join(' ')} ${u.graph.nodes.length} nodes now.`;
}
