/**
 * The drawn graph: one object per node and edge, kept across topology updates
 * (the layout's positions live on them), each with a stable slot into typed
 * arrays of per-frame values (activity, gates, visit share). Frames arrive in
 * packed positions; `ingestFrame` maps them to slots once per frame so that
 * showing a tick is a few array copies.
 */
import type { SimulationLinkDatum, SimulationNodeDatum } from 'd3-force';
import type { TopologyUpdate } from '../../client/lab-client';
import { gateRowOffset, type FrameMessage, type NodeRole } from '../../protocol/messages';
import { ACTIVITY_FLOOR_QUANTILE, ACTIVITY_QUANTILE, decadesBetween, MAX_DECADES, maxAbs, normalise, quantileAbs, smoothScale } from './activity-scale';

export interface NodeView extends SimulationNodeDatum {
  readonly id: number;
  readonly role: NodeRole;
  /** Stable index into the model's per-node arrays while the node is drawn. */
  readonly slot: number;
  x: number;
  y: number;
  /** performance.now() of its birth while the birth animation may run, else -1. */
  bornAt: number;
  /** performance.now() of its death while it fades out, else -1. */
  diedAt: number;
}

export interface EdgeView {
  readonly id: number;
  /** Stable index into the model's per-edge arrays while the edge is drawn. */
  readonly slot: number;
  /** Node that is read. */
  readonly source: NodeView;
  /** Host node that reads `source`; the thread walks from here to `source`. */
  readonly target: NodeView;
  /** Draws the pair's one line (false for the second edge of a symmetric pair, drawn by the first). */
  drawBase: boolean;
  /** The edge the other way (target -> source) of a symmetric pair, or null: the pair is drawn as one line. */
  reverse: EdgeView | null;
  /** performance.now() of its removal while it fades out, else -1. */
  diedAt: number;
}

/** One layout spring per connected pair (symmetric pairs and self-loops do not pull twice). */
export interface LayoutLink extends SimulationLinkDatum<NodeView> {
  source: NodeView;
  target: NodeView;
}

/** What a topology update changed, for the layout's reheat policy. */
export interface TopologyChange {
  /** 'replace': reset, import or rollback (no events); 'grow': births/deaths with events. */
  readonly kind: 'first' | 'replace' | 'grow';
  /** Whether any node or edge was added or removed. */
  readonly structural: boolean;
  /** Share of the new graph's nodes, or of its edges if more, that were not drawn before. */
  readonly newShare: number;
  /** Nodes drawn for the first time, and nodes gone. */
  readonly added: number;
  readonly removed: number;
}

/** Hands out small integer slots and takes them back, so typed arrays stay dense. */
class SlotPool {
  private free: number[] = [];
  private next = 0;
  get capacity(): number {
    return this.next;
  }
  take(): number {
    return this.free.pop() ?? this.next++;
  }
  give(slot: number): void {
    this.free.push(slot);
  }
}

function grown<T extends Float32Array | Uint8Array | Int32Array>(a: T, need: number, make: (n: number) => T): T {
  if (need <= a.length) return a;
  const b = make(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/** A small deterministic offset (golden-angle spiral by id), so births do not overlap their parent. */
function jitter(id: number, radius: number): readonly [number, number] {
  const angle = id * 2.399963;
  return [Math.cos(angle) * radius, Math.sin(angle) * radius];
}

function share(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}

/** Node radius range (world units) before the size scale. */
export const RADIUS_MIN = 4;
export const RADIUS_MAX = 14;

export class GraphModel {
  /** Live nodes (the layout's node array). */
  nodes: NodeView[] = [];
  /** Nodes fading out after a death. */
  ghosts: NodeView[] = [];
  /** Live edges. */
  edges: EdgeView[] = [];
  /** Edges fading out after their node died. */
  ghostEdges: EdgeView[] = [];
  links: LayoutLink[] = [];
  readonly byId = new Map<number, NodeView>();
  readonly edgeById = new Map<number, EdgeView>();
  /** Radii shrink as the graph grows, so 1,000 nodes still fit (1 at <= 48 nodes). */
  sizeScale = 1;

  private readonly nodeSlots = new SlotPool();
  private readonly edgeSlots = new SlotPool();
  /** Per node slot: activity intensity in [0,1] of the tick on screen. */
  intensity = new Float32Array(64);
  /** Per node slot: 1 where the node computed on the tick on screen. */
  active = new Uint8Array(64);
  /** Per node slot: visit share (EMA) from the latest frame. */
  share = new Float32Array(64);
  /** Per node slot: radius in world units. */
  radius = new Float32Array(64);
  /** Per edge slot: gate in [0,1] on the tick on screen. */
  gate = new Float32Array(256);

  /** The frame being shown, and its packed positions mapped to slots. */
  frame: FrameMessage | null = null;
  private posSlot = new Int32Array(64);
  private slotEdgeSlot = new Int32Array(256);
  /** Smoothed activity magnitude drawn at full colour, and the decades of colour below it. */
  activityScale = 0;
  activityDecades = MAX_DECADES;
  private shareScale = 0;
  private readonly quantileScratch = new Float32Array(4096);

  /** Threads in the current frame (0 before any frame). */
  get threadCount(): number {
    const f = this.frame;
    return f && f.ticks > 0 ? Math.floor(f.threads.length / f.ticks) : 0;
  }

  /** The node where thread `thread` sat on tick `tick` of the current frame. */
  threadNode(tick: number, thread: number): NodeView | null {
    const f = this.frame;
    if (!f) return null;
    const id = f.threads[tick * this.threadCount + thread];
    return id === undefined ? null : (this.byId.get(id) ?? null);
  }

  /** Applies a topology update, keeping the objects (and positions) of nodes that stay. */
  applyTopology(update: TopologyUpdate, now: number): TopologyChange {
    const { graph, events } = update;
    const first = this.nodes.length === 0 && this.ghosts.length === 0;
    const grow = !first && events.length > 0;
    const keepIds = new Set<number>();
    for (const n of graph.nodes) keepIds.add(n.id);
    // An edge stays only with the same id and the same ends (a new seed can reuse ids for other pairs).
    const keepEdges = new Map<number, { readonly source: number; readonly target: number }>();
    for (const e of graph.edges) keepEdges.set(e.id, e);

    // Removed nodes and edges: fade out on a death event, vanish on a replace.
    let deaths = 0;
    for (const n of this.nodes) {
      if (keepIds.has(n.id)) continue;
      deaths++;
      this.byId.delete(n.id);
      if (grow) {
        n.diedAt = now;
        this.ghosts.push(n);
      } else this.freeNode(n);
    }
    let removedEdges = 0;
    for (const e of this.edges) {
      const kept = keepEdges.get(e.id);
      if (!kept || kept.source !== e.source.id || kept.target !== e.target.id || !this.byId.has(e.source.id) || !this.byId.has(e.target.id)) {
        removedEdges++;
        this.edgeById.delete(e.id);
        if (grow) {
          e.diedAt = now;
          this.ghostEdges.push(e);
        } else this.edgeSlots.give(e.slot);
      }
    }

    // New nodes: next to their parent (births), else next to a drawn neighbour, else on a spiral.
    const parentOf = new Map<number, number>();
    for (const ev of events) if (ev.kind === 'birth' && ev.parentId !== undefined) parentOf.set(ev.nodeId, ev.parentId);
    const fresh = graph.nodes.filter((n) => !this.byId.has(n.id));
    const neighbours = new Map<number, number[]>();
    if (fresh.length > 0) {
      for (const e of graph.edges) {
        if (!neighbours.has(e.source)) neighbours.set(e.source, []);
        if (!neighbours.has(e.target)) neighbours.set(e.target, []);
        neighbours.get(e.source)?.push(e.target);
        neighbours.get(e.target)?.push(e.source);
      }
    }
    const scale = this.sizeScaleFor(graph.nodes.length);
    const placed: NodeView[] = [];
    const pending: { id: number; role: NodeRole }[] = [];
    for (const n of fresh) {
      const parent = this.byId.get(parentOf.get(n.id) ?? -1);
      if (parent) placed.push(this.addNode(n.id, n.role, parent.x, parent.y, 3 * scale, grow ? now : -1));
      else pending.push(n);
    }
    // Neighbour placement, repeated so chains of new nodes attach to each other.
    for (let round = 0; round < 4 && pending.length > 0; round++) {
      for (let i = pending.length - 1; i >= 0; i--) {
        const n = pending[i] as { id: number; role: NodeRole };
        const anchor = (neighbours.get(n.id) ?? []).map((id) => this.byId.get(id)).find((v) => v !== undefined);
        if (!anchor) continue;
        placed.push(this.addNode(n.id, n.role, anchor.x, anchor.y, 12 * scale, grow ? now : -1));
        pending.splice(i, 1);
      }
    }
    pending.forEach((n, i) => {
      // d3-force's own phyllotaxis start: even density, no two nodes at one point.
      const r = 10 * Math.sqrt(0.5 + i);
      const a = i * Math.PI * (3 - Math.sqrt(5));
      placed.push(this.addNode(n.id, n.role, r * Math.cos(a), r * Math.sin(a), 0, grow ? now : -1));
    });
    this.nodes = graph.nodes.map((n) => this.byId.get(n.id)).filter((n): n is NodeView => n !== undefined);

    // Edges: objects for new ids; one base line and one spring per connected pair.
    let addedEdges = 0;
    for (const e of graph.edges) {
      if (this.edgeById.has(e.id)) continue;
      const source = this.byId.get(e.source);
      const target = this.byId.get(e.target);
      if (!source || !target) continue;
      const slot = this.edgeSlots.take();
      this.gate = grown(this.gate, slot + 1, (n) => new Float32Array(n));
      this.gate[slot] = 0;
      this.edgeById.set(e.id, { id: e.id, slot, source, target, drawBase: true, reverse: null, diedAt: -1 });
      addedEdges++;
    }
    this.edges = graph.edges.map((e) => this.edgeById.get(e.id)).filter((e): e is EdgeView => e !== undefined);
    const pairs = new Map<string, EdgeView>();
    this.links = [];
    for (const e of this.edges) {
      const a = Math.min(e.source.id, e.target.id);
      const b = Math.max(e.source.id, e.target.id);
      const key = `${a}:${b}`;
      const first = pairs.get(key);
      e.drawBase = a !== b && !first;
      e.reverse = first ?? null;
      if (first) first.reverse = e;
      if (!e.drawBase) continue;
      pairs.set(key, e);
      this.links.push({ source: e.source, target: e.target });
    }

    this.sizeScale = scale;
    if (!grow) {
      // A new experiment's activity may live on another scale entirely.
      this.activityScale = 0;
      this.activityDecades = MAX_DECADES;
      this.shareScale = 0;
    }
    if (this.frame) this.remapFrame(this.frame);
    this.updateRadii();
    return {
      kind: first ? 'first' : grow ? 'grow' : 'replace',
      structural: placed.length > 0 || deaths > 0 || addedEdges > 0 || removedEdges > 0,
      newShare: Math.max(share(placed.length, graph.nodes.length), share(addedEdges, graph.edges.length)),
      added: placed.length,
      removed: deaths,
    };
  }

  private sizeScaleFor(n: number): number {
    return Math.min(1, Math.max(0.4, Math.sqrt(48 / Math.max(1, n))));
  }

  private addNode(id: number, role: NodeRole, x: number, y: number, spread: number, bornAt: number): NodeView {
    const slot = this.nodeSlots.take();
    const need = slot + 1;
    this.intensity = grown(this.intensity, need, (n) => new Float32Array(n));
    this.active = grown(this.active, need, (n) => new Uint8Array(n));
    this.share = grown(this.share, need, (n) => new Float32Array(n));
    this.radius = grown(this.radius, need, (n) => new Float32Array(n));
    this.intensity[slot] = 0;
    this.active[slot] = 0;
    this.share[slot] = 0;
    const [dx, dy] = jitter(id, spread);
    const node: NodeView = { id, role, slot, x: x + dx, y: y + dy, vx: 0, vy: 0, bornAt, diedAt: -1 };
    this.byId.set(id, node);
    return node;
  }

  private freeNode(n: NodeView): void {
    this.nodeSlots.give(n.slot);
  }

  /**
   * Ends birth animations older than `durationMs` and drops ghosts whose
   * fade-out ended (their slots return to the pool). True while any runs.
   */
  settleAnimations(now: number, durationMs: number): boolean {
    let running = false;
    for (const n of this.nodes) {
      if (n.bornAt < 0) continue;
      if (now - n.bornAt >= durationMs) n.bornAt = -1;
      else running = true;
    }
    if (this.ghosts.length === 0 && this.ghostEdges.length === 0) return running;
    const fading = (t: number): boolean => now - t < durationMs;
    this.ghosts = this.ghosts.filter((n) => fading(n.diedAt) || (this.freeNode(n), false));
    this.ghostEdges = this.ghostEdges.filter((e) => fading(e.diedAt) || (this.edgeSlots.give(e.slot), false));
    return running || this.ghosts.length > 0 || this.ghostEdges.length > 0;
  }

  /** Takes a new frame: maps its packed positions and slots to ours, updates scales and radii. */
  ingestFrame(f: FrameMessage): void {
    this.frame = f;
    this.remapFrame(f);
    // When fewer than 5% of the values are non-zero the quantile is 0: fall back to the largest.
    const n = f.activity.length;
    const measured = quantileAbs(f.activity, n, ACTIVITY_QUANTILE, this.quantileScratch) || maxAbs(f.activity, n);
    this.activityScale = smoothScale(this.activityScale, measured);
    const floor = quantileAbs(f.activity, n, ACTIVITY_FLOOR_QUANTILE, this.quantileScratch, true);
    this.activityDecades = smoothScale(this.activityDecades, decadesBetween(floor, this.activityScale), 0.3, 0.3);
    let maxShare = 0;
    const L = f.nodeIds.length;
    for (let p = 0; p < L; p++) {
      const s = this.posSlot[p] as number;
      const v = f.visitShare[p] ?? 0;
      if (s >= 0) this.share[s] = v;
      if (v > maxShare) maxShare = v;
    }
    this.shareScale = smoothScale(this.shareScale, maxShare, 0.5, 0.2);
    this.updateRadii();
  }

  private remapFrame(f: FrameMessage): void {
    const L = f.nodeIds.length;
    const LK = f.slotEdge.length;
    this.posSlot = grown(this.posSlot, L, (n) => new Int32Array(n));
    this.slotEdgeSlot = grown(this.slotEdgeSlot, LK, (n) => new Int32Array(n));
    for (let p = 0; p < L; p++) this.posSlot[p] = this.byId.get(f.nodeIds[p] as number)?.slot ?? -1;
    for (let j = 0; j < LK; j++) {
      const e = f.slotEdge[j] as number;
      this.slotEdgeSlot[j] = e >= 0 ? (this.edgeById.get(e)?.slot ?? -1) : -1;
    }
  }

  /** Radius grows with the square root of visit share (area ~ share); mid-size before any frame. */
  private updateRadii(): void {
    const lo = RADIUS_MIN * this.sizeScale;
    const hi = RADIUS_MAX * this.sizeScale;
    const ref = this.shareScale;
    for (const n of this.nodes) {
      const t = ref > 0 ? Math.min(1, Math.sqrt((this.share[n.slot] as number) / ref)) : 0.35;
      this.radius[n.slot] = lo + (hi - lo) * t;
    }
  }

  /** Forgets the current frame (a new experiment): every node quiet, every gate closed. */
  clearFrame(): void {
    this.frame = null;
    this.intensity.fill(0);
    this.active.fill(0);
    this.gate.fill(0);
  }

  /** Whether the output is read on the tick on screen (output nodes flash). */
  reading = false;

  /** Shows tick `tick` of the current frame: activity, active set and gates. */
  applyTick(tick: number): void {
    const f = this.frame;
    if (!f || tick < 0 || tick >= f.ticks) return;
    this.reading = f.reads[tick] === 1;
    const L = f.nodeIds.length;
    const LK = f.slotEdge.length;
    const scale = this.activityScale;
    const decades = this.activityDecades;
    for (let p = 0, base = tick * L; p < L; p++) {
      const s = this.posSlot[p] as number;
      if (s < 0) continue;
      this.intensity[s] = normalise(f.activity[base + p] as number, scale, decades);
      this.active[s] = f.active[base + p] as number;
    }
    for (let j = 0, base = gateRowOffset(f, tick); j < LK; j++) {
      const e = this.slotEdgeSlot[j] as number;
      if (e >= 0) this.gate[e] = f.gates[base + j] as number;
    }
  }

  /**
   * Strength of edge `e`'s pair on the tick shown: the larger of its two
   * directions' gates (or weights, or messages), so a symmetric pair reads as
   * one edge with one strength.
   */
  pairStrength(e: EdgeView): number {
    const g = this.gate[e.slot] as number;
    const r = e.reverse ? (this.gate[e.reverse.slot] as number) : 0;
    return g > r ? g : r;
  }

  /**
   * The drawn node under world point (x, y), within its radius plus `slop`.
   * A linear scan: ~1,000 distance checks with no allocation cost a few
   * microseconds, cheaper than keeping a quadtree current while nodes move.
   */
  nodeAt(x: number, y: number, slop: number): NodeView | null {
    let best: NodeView | null = null;
    let bestD = Infinity;
    for (const n of this.nodes) {
      const dx = n.x - x;
      const dy = n.y - y;
      const d2 = dx * dx + dy * dy;
      const r = (this.radius[n.slot] ?? 0) + slop;
      if (d2 <= r * r && d2 < bestD) {
        best = n;
        bestD = d2;
      }
    }
    return best;
  }

  /** Node slots in use (the length per-node arrays must cover). */
  get nodeCapacity(): number {
    return this.nodeSlots.capacity;
  }
  get edgeCapacity(): number {
    return this.edgeSlots.capacity;
  }
}
