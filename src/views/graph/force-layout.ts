/**
 * The force layout: a d3-force simulation that we tick ourselves from the
 * graph's animation loop (never its own timer), so it costs nothing once it
 * has cooled down. Structure changes reheat it; colour, width and opacity
 * never do. Births reheat it only a little, so settled nodes barely move.
 */
import {
  forceCollide,
  forceLink,
  forceManyBody,
  forceSimulation,
  forceX,
  forceY,
  type ForceCollide,
  type ForceLink,
  type ForceManyBody,
  type Simulation,
} from 'd3-force';
import type { GraphModel, LayoutLink, NodeView, TopologyChange } from './graph-model';

/** Reheat after a birth or death: enough to make room, too little to reshuffle. */
export const GROW_ALPHA = 0.1;
/** Graphs above this size skip the collision force. */
const COLLIDE_MAX_NODES = 400;
/** Graphs above this size cool faster (see update). */
const FAST_COOL_NODES = 2000;
/** Reheat while a node is dragged, so its neighbours follow. */
const DRAG_ALPHA_TARGET = 0.15;

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

export class ForceLayout {
  private readonly sim: Simulation<NodeView, LayoutLink>;
  private readonly link: ForceLink<NodeView, LayoutLink>;
  private readonly charge: ForceManyBody<NodeView>;
  private readonly collide: ForceCollide<NodeView>;

  constructor(private readonly model: GraphModel) {
    this.link = forceLink<NodeView, LayoutLink>();
    this.charge = forceManyBody<NodeView>().theta(0.9);
    this.collide = forceCollide<NodeView>().iterations(1).strength(0.8);
    this.sim = forceSimulation<NodeView, LayoutLink>()
      .stop()
      .velocityDecay(0.38)
      .force('link', this.link)
      .force('charge', this.charge)
      // Weak pulls to the origin keep disconnected pieces (and born nodes) in view.
      .force('x', forceX<NodeView>(0).strength(0.045))
      .force('y', forceY<NodeView>(0).strength(0.045));
  }

  /** Takes the model's current nodes and links (same objects, positions kept) and reheats by `alpha`. */
  update(alpha: number): void {
    const s = this.model.sizeScale;
    const m = this.model;
    // Springs shorten and repulsion weakens as the graph grows, so density stays readable.
    this.link.distance(22 + 30 * s);
    this.charge.strength(-25 - 170 * s * s).distanceMax(260 + 200 * s);
    this.collide.radius((n) => (m.radius[n.slot] ?? 0) + 2 * s);
    // Big graphs have small nodes that repulsion alone keeps apart; collision would cost ~1 ms a tick.
    this.sim.force('collide', m.nodes.length <= COLLIDE_MAX_NODES ? this.collide : null);
    // Thousands of nodes cost tens of ms a tick: cool in about 100 ticks instead of 230.
    this.sim.alphaDecay(m.nodes.length > FAST_COOL_NODES ? 0.066 : 0.03);
    // Their last ticks move nothing visibly but cost a few ms each.
    this.sim.alphaMin(m.nodes.length > COLLIDE_MAX_NODES ? 0.003 : 0.001);
    this.sim.nodes(m.nodes);
    this.link.links(m.links);
    if (alpha > 0) this.sim.alpha(Math.max(this.sim.alpha(), alpha));
  }

  /** True while the layout still moves (alpha above its minimum, or a drag holds it warm). */
  get running(): boolean {
    return this.sim.alpha() >= this.sim.alphaMin() || this.sim.alphaTarget() > 0;
  }

  tick(): void {
    this.sim.tick();
  }

  /** Stops and forgets the nodes: a fixed layout places them instead. */
  halt(): void {
    this.sim.alpha(0).alphaTarget(0);
    this.sim.nodes([]);
    this.link.links([]);
  }

  dragStart(node: NodeView): void {
    node.fx = node.x;
    node.fy = node.y;
    this.sim.alphaTarget(DRAG_ALPHA_TARGET);
    this.sim.alpha(Math.max(this.sim.alpha(), DRAG_ALPHA_TARGET));
  }

  dragMove(node: NodeView, x: number, y: number): void {
    node.fx = x;
    node.fy = y;
  }

  /** Releasing unpins: the node rejoins the layout, which cools down again. */
  dragEnd(node: NodeView): void {
    node.fx = null;
    node.fy = null;
    this.sim.alphaTarget(0);
  }
}
