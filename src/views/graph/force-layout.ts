/**
 * The force layout: a d3-force simulation that we tick ourselves from the
 * graph's animation loop (never its own timer), so it costs nothing once it
 * has cooled down. Structure changes reheat it; colour, width and opacity
 * never do. Births reheat it only a little, so settled nodes barely move.
 * Big graphs (WORKER_MIN_NODES and up) run the same simulation in a layout
 * worker instead: the main thread only copies the latest positions it posted.
 */
import type { GraphModel, NodeView, TopologyChange } from './graph-model';
import {
  applyPositions,
  createSimulation,
  DRAG_ALPHA_TARGET,
  packState,
  type FromLayoutWorker,
  type LayoutParams,
  type LayoutPin,
  type LayoutPositions,
  type ToLayoutWorker,
} from './layout-worker-core';

/** Reheat after a birth or death: enough to make room, too little to reshuffle. */
export const GROW_ALPHA = 0.1;
/** Graphs above this size skip the collision force. */
const COLLIDE_MAX_NODES = 400;
/** Graphs above this size cool faster (see layoutParams). */
const FAST_COOL_NODES = 2000;
/**
 * Graphs of this many nodes and more lay out in a worker: a tick costs ~20 ms at 1,000 nodes and ~130 ms at
 * 10,000, more than a frame; smaller graphs tick on the main thread within the frame's budget. Above
 * COLLIDE_MAX_NODES, so the worker never needs the nodes' radii.
 */
export const WORKER_MIN_NODES = 500;

/**
 * How hot the layout should be after a topology change: a first or mostly new
 * graph lays out from scratch, a small replace (rollback, same-graph reset)
 * settles, a birth or death nudges, anything else leaves it alone (0).
 */
export function reheatAlpha(change: TopologyChange): number {
  if (!change.structural) return 0;
  if (change.kind === 'first' || change.newShare > 0.3) return 1;
  if (change.kind === 'replace') return 0.3;
  return GROW_ALPHA;
}

/** The forces for `nodes` nodes at size scale `s`: springs shorten and repulsion weakens as the graph grows, so density stays readable. */
export function layoutParams(nodes: number, s: number): LayoutParams {
  return {
    linkDistance: 22 + 30 * s,
    chargeStrength: -25 - 170 * s * s,
    chargeDistanceMax: 260 + 200 * s,
    // Big graphs have small nodes that repulsion alone keeps apart; collision would cost ~1 ms a tick.
    collide: nodes <= COLLIDE_MAX_NODES,
    // Thousands of nodes cost tens of ms a tick: cool in about 100 ticks instead of 230.
    alphaDecay: nodes > FAST_COOL_NODES ? 0.066 : 0.03,
    // Their last ticks move nothing visibly but cost a few ms each.
    alphaMin: nodes > COLLIDE_MAX_NODES ? 0.003 : 0.001,
  };
}

/** The main thread's end of a layout worker. */
export interface LayoutPort {
  post(msg: ToLayoutWorker, transfer: Transferable[]): void;
  close(): void;
}

/** Starts a layout worker that answers through `onMessage`; null where none can start. */
export type LayoutSpawner = (onMessage: (msg: FromLayoutWorker) => void, onError: () => void) => LayoutPort | null;

/** The browser's layout worker (none under Node). */
export const spawnLayoutWorker: LayoutSpawner = (onMessage, onError) => {
  if (typeof Worker === 'undefined') return null;
  try {
    const w = new Worker(new URL('./layout-worker.ts', import.meta.url), { type: 'module', name: 'loopy-lab-layout' });
    w.onmessage = (e: MessageEvent<FromLayoutWorker>) => onMessage(e.data);
    w.onerror = () => onError();
    return { post: (msg, transfer) => w.postMessage(msg, transfer), close: () => w.terminate() };
  } catch {
    return null;
  }
};

export interface ForceLayoutOptions {
  /** Graphs of this many nodes and more go to the worker (WORKER_MIN_NODES). */
  readonly workerMinNodes?: number;
  readonly spawn?: LayoutSpawner;
}

export class ForceLayout {
  private readonly parts = createSimulation<NodeView>((n) => (this.model.radius[n.slot] ?? 0) + 2 * this.model.sizeScale);
  private readonly workerMinNodes: number;
  private readonly spawn: LayoutSpawner;
  private port: LayoutPort | null = null;
  private workerFailed = false;
  /** The nodes the worker lays out, in the order it was sent them (null: the layout runs here). */
  private workerNodes: NodeView[] | null = null;
  private readonly workerIndex = new Map<NodeView, number>();
  /** Counts up with each node set sent or halt, so batches computed for an older one are dropped. */
  private version = 0;
  /** The newest batch not yet copied onto the nodes. */
  private latest: LayoutPositions | null = null;
  private workerRunning = false;
  /** A graph was sent and its first batch has not come back yet. */
  private awaiting = false;
  private dragged: NodeView | null = null;
  private moved: (() => void) | null = null;

  constructor(
    private readonly model: GraphModel,
    options: ForceLayoutOptions = {},
  ) {
    this.workerMinNodes = options.workerMinNodes ?? WORKER_MIN_NODES;
    this.spawn = options.spawn ?? spawnLayoutWorker;
  }

  /** Called when the worker's positions arrive (the view repaints then, not every frame). */
  onMove(fn: () => void): void {
    this.moved = fn;
  }

  /** True while the layout runs in the worker. */
  get offThread(): boolean {
    return this.workerNodes !== null;
  }

  /** Takes the model's current nodes and links (same objects, positions kept) and reheats by `alpha`. */
  update(alpha: number): void {
    const m = this.model;
    const params = layoutParams(m.nodes.length, m.sizeScale);
    const { sim, link } = this.parts;
    if (m.nodes.length >= this.workerMinNodes && this.ensurePort()) {
      if (!this.workerNodes && this.mainRunning) alpha = Math.max(alpha, sim.alpha());
      this.stopMain();
      this.sendGraph(params, alpha);
      return;
    }
    if (this.workerNodes) {
      // Shrunk below the threshold (or the worker failed): carry on here from the last positions.
      if (this.workerRunning || this.awaiting) alpha = Math.max(alpha, GROW_ALPHA);
      this.stopWorker();
    }
    this.parts.configure(params);
    sim.nodes(m.nodes);
    link.links(m.links);
    if (alpha > 0) sim.alpha(Math.max(sim.alpha(), alpha));
  }

  private get mainRunning(): boolean {
    const sim = this.parts.sim;
    return sim.alpha() >= sim.alphaMin() || sim.alphaTarget() > 0;
  }

  /** True while the layout still moves (alpha above its minimum, a drag holds it warm, or the worker's positions are still to come or to copy). */
  get running(): boolean {
    if (this.workerNodes) return this.awaiting || this.workerRunning || this.latest !== null;
    return this.mainRunning;
  }

  /** One tick here, or (off the main thread) copies the worker's newest positions; true when nodes moved. */
  tick(): boolean {
    if (!this.workerNodes) {
      this.parts.sim.tick();
      return true;
    }
    const msg = this.latest;
    this.latest = null;
    return msg !== null && applyPositions(this.workerNodes, msg, this.version);
  }

  /** Stops and forgets the nodes: a fixed layout places them instead. */
  halt(): void {
    this.stopMain();
    this.stopWorker();
  }

  /** Ends the worker (the view is gone). */
  dispose(): void {
    this.halt();
    this.port?.close();
    this.port = null;
  }

  dragStart(node: NodeView): void {
    node.fx = node.x;
    node.fy = node.y;
    this.dragged = node;
    if (this.workerNodes) {
      this.sendDrag('start', node);
      return;
    }
    this.parts.sim.alphaTarget(DRAG_ALPHA_TARGET);
    this.parts.sim.alpha(Math.max(this.parts.sim.alpha(), DRAG_ALPHA_TARGET));
  }

  dragMove(node: NodeView, x: number, y: number): void {
    node.fx = x;
    node.fy = y;
    if (!this.workerNodes) return;
    // The worker's next batch is a tick away: show the node under the pointer now.
    node.x = x;
    node.y = y;
    this.sendDrag('move', node);
  }

  /** Releasing unpins: the node rejoins the layout, which cools down again. */
  dragEnd(node: NodeView): void {
    node.fx = null;
    node.fy = null;
    this.dragged = null;
    if (this.workerNodes) this.sendDrag('end', node);
    else this.parts.sim.alphaTarget(0);
  }

  private ensurePort(): boolean {
    if (this.port) return true;
    if (this.workerFailed) return false;
    this.port = this.spawn(
      (msg) => this.receive(msg),
      () => this.fail(),
    );
    if (!this.port) this.workerFailed = true;
    return this.port !== null;
  }

  /** The worker could not run: lay out here from the last positions. */
  private fail(): void {
    this.workerFailed = true;
    this.port?.close();
    this.port = null;
    if (this.workerNodes) {
      this.workerNodes = null;
      this.update(GROW_ALPHA);
      this.moved?.();
    }
  }

  private receive(msg: FromLayoutWorker): void {
    if (msg.version !== this.version || !this.workerNodes) return;
    this.latest = msg;
    this.awaiting = false;
    this.workerRunning = msg.running;
    this.moved?.();
  }

  private sendGraph(params: LayoutParams, alpha: number): void {
    const m = this.model;
    const nodes = m.nodes.slice();
    this.workerNodes = nodes;
    this.workerIndex.clear();
    nodes.forEach((n, i) => this.workerIndex.set(n, i));
    const links = new Uint32Array(m.links.length * 2);
    let j = 0;
    for (const l of m.links) {
      const s = this.workerIndex.get(l.source);
      const t = this.workerIndex.get(l.target);
      if (s === undefined || t === undefined) continue;
      links[j++] = s;
      links[j++] = t;
    }
    const state = packState(nodes);
    const d = this.dragged;
    const pin = d && d.fx != null && d.fy != null ? this.pinOf(d) : null;
    this.version++;
    this.latest = null;
    this.awaiting = true;
    const shown = links.subarray(0, j).slice();
    this.port?.post({ type: 'graph', version: this.version, state, links: shown, params, alpha, pin }, [state.buffer, shown.buffer]);
  }

  private pinOf(n: NodeView): LayoutPin | null {
    const index = this.workerIndex.get(n);
    return index === undefined ? null : { index, x: n.fx ?? n.x, y: n.fy ?? n.y };
  }

  private sendDrag(phase: 'start' | 'move' | 'end', node: NodeView): void {
    const pin = this.pinOf(node);
    if (!pin) return;
    if (phase !== 'end') this.awaiting = true;
    this.port?.post({ type: 'drag', version: this.version, phase, pin }, []);
  }

  private stopMain(): void {
    const { sim, link } = this.parts;
    sim.alpha(0).alphaTarget(0);
    sim.nodes([]);
    link.links([]);
  }

  private stopWorker(): void {
    if (!this.workerNodes) return;
    this.workerNodes = null;
    this.workerIndex.clear();
    this.version++;
    this.latest = null;
    this.awaiting = false;
    this.workerRunning = false;
    this.port?.post({ type: 'halt', version: this.version }, []);
  }
}
