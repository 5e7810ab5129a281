/**
 * The force layout's simulation (the same on both threads) and, for big
 * graphs, the layout worker: the messages between the graph view and the
 * worker, the worker's core (plain, so Node tests drive it without a
 * Worker), and the hand-off of positions back onto the
 * view's nodes. Positions travel as transferable Float64Arrays (x, y, vx, vy
 * per node, in the order of the last `graph` message): 320 kB at 10,000
 * nodes, and exactly what the main-thread simulation would hold.
 */
import {
  forceCollide,
  forceLink,
  forceManyBody,
  forceSimulation,
  forceX,
  forceY,
  type ForceLink,
  type Simulation,
  type SimulationLinkDatum,
  type SimulationNodeDatum,
} from 'd3-force';

/** Reheat while a node is dragged, so its neighbours follow. */
export const DRAG_ALPHA_TARGET = 0.15;

/** The forces' settings for one node set (see ForceLayout.update, which computes them). */
export interface LayoutParams {
  readonly linkDistance: number;
  readonly chargeStrength: number;
  readonly chargeDistanceMax: number;
  /** Collision on (small graphs only; needs the radius accessor given to createSimulation). */
  readonly collide: boolean;
  readonly alphaDecay: number;
  readonly alphaMin: number;
}

/** A simulation, its link force, and how to set its forces: the same on both threads. */
export interface SimulationParts<N extends SimulationNodeDatum> {
  readonly sim: Simulation<N, SimulationLinkDatum<N>>;
  readonly link: ForceLink<N, SimulationLinkDatum<N>>;
  configure(p: LayoutParams): void;
}

/** A stopped d3-force simulation (we tick it ourselves) with the lab's forces. */
export function createSimulation<N extends SimulationNodeDatum>(radius?: (n: N) => number): SimulationParts<N> {
  const link = forceLink<N, SimulationLinkDatum<N>>();
  const charge = forceManyBody<N>().theta(0.9);
  const collide = forceCollide<N>().iterations(1).strength(0.8);
  const sim = forceSimulation<N, SimulationLinkDatum<N>>()
    .stop()
    .velocityDecay(0.38)
    .force('link', link)
    .force('charge', charge)
    // Weak pulls to the origin keep disconnected pieces (and born nodes) in view.
    .force('x', forceX<N>(0).strength(0.045))
    .force('y', forceY<N>(0).strength(0.045));
  return {
    sim,
    link,
    configure(p) {
      link.distance(p.linkDistance);
      charge.strength(p.chargeStrength).distanceMax(p.chargeDistanceMax);
      if (radius) collide.radius(radius);
      sim.force('collide', p.collide && radius ? collide : null);
      sim.alphaDecay(p.alphaDecay).alphaMin(p.alphaMin);
    },
  };
}

/** Floats per node in a positions buffer: x, y, vx, vy. */
export const STRIDE = 4;

/** A node held by the pointer: its index in the graph message and where it is pinned. */
export interface LayoutPin {
  readonly index: number;
  readonly x: number;
  readonly y: number;
}

export type ToLayoutWorker =
  | {
      /** A new node set or new forces: replaces the worker's nodes and links, reheats by `alpha`. */
      readonly type: 'graph';
      /** Counts up with each graph or halt; positions of older versions are dropped. */
      readonly version: number;
      /** x, y, vx, vy per node (STRIDE floats each). */
      readonly state: Float64Array;
      /** Link ends as node indices, source then target per link. */
      readonly links: Uint32Array;
      readonly params: LayoutParams;
      readonly alpha: number;
      readonly pin: LayoutPin | null;
    }
  | { readonly type: 'drag'; readonly version: number; readonly phase: 'start' | 'move' | 'end'; readonly pin: LayoutPin }
  | { readonly type: 'halt'; readonly version: number };

export interface LayoutPositions {
  readonly type: 'positions';
  readonly version: number;
  /** x, y, vx, vy per node, in the order of that version's graph message. */
  readonly state: Float64Array;
  /** Ticks run for this batch (0: an answer to a message while cool). */
  readonly ticks: number;
  /** Still moving after this batch (alpha above its minimum, or a drag holds it warm). */
  readonly running: boolean;
}

export type FromLayoutWorker = LayoutPositions;

/** What the worker's shell and the tests drive: messages in, batches of ticks out. */
export class LayoutWorkerCore {
  private readonly parts: SimulationParts<SimulationNodeDatum> = createSimulation();
  private nodes: SimulationNodeDatum[] = [];
  private version = 0;
  /** A message changed something the main thread has not seen yet. */
  private unsent = false;

  get running(): boolean {
    const sim = this.parts.sim;
    return this.nodes.length > 0 && (sim.alpha() >= sim.alphaMin() || sim.alphaTarget() > 0);
  }

  /** True when a batch should be posted even if the layout is cool (an answer to the last message). */
  get pending(): boolean {
    return this.unsent || this.running;
  }

  handle(msg: ToLayoutWorker): void {
    const { sim, link } = this.parts;
    this.version = msg.version;
    this.unsent = true;
    switch (msg.type) {
      case 'graph': {
        const n = msg.state.length / STRIDE;
        const nodes: SimulationNodeDatum[] = [];
        for (let i = 0; i < n; i++) {
          const o = i * STRIDE;
          nodes.push({ x: msg.state[o], y: msg.state[o + 1], vx: msg.state[o + 2], vy: msg.state[o + 3] });
        }
        const links: { source: number; target: number }[] = [];
        for (let j = 0; j + 1 < msg.links.length; j += 2) links.push({ source: msg.links[j] as number, target: msg.links[j + 1] as number });
        this.nodes = nodes;
        this.parts.configure(msg.params);
        sim.nodes(nodes);
        link.links(links);
        if (msg.alpha > 0) sim.alpha(Math.max(sim.alpha(), msg.alpha));
        this.setPin(msg.pin);
        sim.alphaTarget(msg.pin ? DRAG_ALPHA_TARGET : 0);
        return;
      }
      case 'drag':
        if (msg.phase === 'end') {
          this.setPin(null);
          sim.alphaTarget(0);
          return;
        }
        this.setPin(msg.pin);
        if (msg.phase === 'start') {
          sim.alphaTarget(DRAG_ALPHA_TARGET);
          sim.alpha(Math.max(sim.alpha(), DRAG_ALPHA_TARGET));
        }
        return;
      case 'halt':
        this.nodes = [];
        sim.alpha(0).alphaTarget(0);
        sim.nodes([]);
        link.links([]);
        return;
      default: {
        const never: never = msg;
        throw new Error(`unknown layout message ${String(never)}`);
      }
    }
  }

  private setPin(pin: LayoutPin | null): void {
    for (const n of this.nodes) {
      if (n.fx != null) n.fx = n.fy = null;
    }
    const n = pin ? this.nodes[pin.index] : undefined;
    if (pin && n) {
      n.fx = pin.x;
      n.fy = pin.y;
    }
  }

  /**
   * Ticks while the layout runs, at least once and at most `maxTicks` times,
   * until `budgetMs` of `clock` has passed; then the batch to post (null when
   * nothing is pending).
   */
  step(maxTicks: number, budgetMs: number, clock: () => number = () => performance.now()): LayoutPositions | null {
    if (!this.pending) return null;
    const start = clock();
    let ticks = 0;
    while (this.running && ticks < maxTicks) {
      this.parts.sim.tick();
      ticks++;
      if (clock() - start >= budgetMs) break;
    }
    this.unsent = false;
    const state = new Float64Array(this.nodes.length * STRIDE);
    this.nodes.forEach((n, i) => {
      const o = i * STRIDE;
      state[o] = n.x ?? 0;
      state[o + 1] = n.y ?? 0;
      state[o + 2] = n.vx ?? 0;
      state[o + 3] = n.vy ?? 0;
    });
    return { type: 'positions', version: this.version, state, ticks, running: this.running };
  }
}

/** The part of a view node the hand-off writes. */
export interface PlacedNode {
  x: number;
  y: number;
  vx?: number | undefined;
  vy?: number | undefined;
  fx?: number | null | undefined;
  fy?: number | null | undefined;
}

/**
 * Copies a batch onto the nodes it was computed for (same order); a node the
 * pointer holds stays where the pointer put it. False when the batch is for
 * another node set (an older version or another length) and was dropped.
 */
export function applyPositions(nodes: readonly PlacedNode[], msg: LayoutPositions, version: number): boolean {
  if (msg.version !== version || msg.state.length !== nodes.length * STRIDE) return false;
  const s = msg.state;
  nodes.forEach((n, i) => {
    const o = i * STRIDE;
    if (n.fx != null && n.fy != null) {
      n.x = n.fx;
      n.y = n.fy;
    } else {
      n.x = s[o] as number;
      n.y = s[o + 1] as number;
    }
    n.vx = s[o + 2];
    n.vy = s[o + 3];
  });
  return true;
}

/** The graph message's state buffer for `nodes` (x, y, vx, vy each). */
export function packState(nodes: readonly PlacedNode[]): Float64Array {
  const state = new Float64Array(nodes.length * STRIDE);
  nodes.forEach((n, i) => {
    const o = i * STRIDE;
    state[o] = n.x;
    state[o + 1] = n.y;
    state[o + 2] = n.vx ?? 0;
    state[o + 3] = n.vy ?? 0;
  });
  return state;
}
