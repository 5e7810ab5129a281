/**
 * The graph every model runs on: nodes with stable ids and directed edges
 * `source -> target` (the target, or host, reads the source). Ids are never
 * reused, so births and deaths can be followed across the whole run.
 */
import { createRng, randInt, shuffle, type Rng } from './random';

export type NodeRole = 'input' | 'output' | 'hidden';

/** The largest node or edge id, and next id: frames carry ids in Int32Array (-1 pads a slot), so every id stays below 2^31. */
export const MAX_GRAPH_ID = 2 ** 31 - 1;

export interface GraphNode {
  /** Stable id, unique for the life of the experiment. */
  readonly id: number;
  readonly role: NodeRole;
}

export interface GraphEdge {
  /** Stable id, unique for the life of the experiment. */
  readonly id: number;
  /** Node whose state is read. */
  readonly source: number;
  /** Host node that reads `source` (and may route the thread to it). */
  readonly target: number;
}

export interface Graph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  /** Next id to hand out for a born node. */
  readonly nextNodeId: number;
  /** Next id to hand out for a new edge. */
  readonly nextEdgeId: number;
  /** How a generated graph is best drawn (the graph view reads it; no model does); absent: a force layout. */
  readonly layout?: GraphLayoutHint;
}

/** A node's place in the unit square. */
export interface NodePosition {
  readonly id: number;
  readonly x: number;
  readonly y: number;
}

/**
 * The generator's own geometry, for the view. 'ring': `order` (hidden node
 * ids) around a circle, as a ring lattice or Watts-Strogatz is built;
 * 'layers': columns by depth from the inputs (a feed-forward DAG); 'plane':
 * the nodes at these unit-square positions (Waxman, a 2-D lattice). Nodes
 * the hint does not place (inputs, outputs) the view puts beside them.
 */
export type GraphLayoutHint =
  | { readonly kind: 'ring'; readonly order: readonly number[] }
  | { readonly kind: 'layers' }
  | { readonly kind: 'plane'; readonly positions: readonly NodePosition[] };

export interface LoopyGraphOptions {
  nodes: number;
  /** In-degree of every node, self-loop included when `selfLoops`. */
  degree: number;
  selfLoops: boolean;
  seed: number;
  /** Hops from the input node to the output node (default 2). */
  outputDistance?: number;
}

/**
 * A random loopy graph: a ring (so it is connected and has cycles) plus random
 * chords until every node reads `degree` neighbours. Links are symmetric, so
 * the thread, which walks from a host to one of its sources, can always walk
 * back. Node 0 is the input; the output is a node two hops away, so the input
 * must travel through at least one routed node to reach it.
 */
export function randomLoopyGraph(opts: LoopyGraphOptions): Graph {
  const n = Math.max(3, Math.floor(opts.nodes));
  const rng = createRng(opts.seed, 101);
  const selfSlots = opts.selfLoops ? 1 : 0;
  const want = Math.max(2, Math.min(n - 1, opts.degree - selfSlots));
  const adj: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  const link = (a: number, b: number): void => {
    adj[a]?.add(b);
    adj[b]?.add(a);
  };
  for (let i = 0; i < n; i++) link(i, (i + 1) % n);
  addChords(rng, adj, want);
  repairDegrees(rng, adj, want);

  const outputIndex = pickOutput(adj, 0, opts.outputDistance ?? 2);
  const nodes: GraphNode[] = [];
  for (let i = 0; i < n; i++) {
    nodes.push({ id: i, role: i === 0 ? 'input' : i === outputIndex ? 'output' : 'hidden' });
  }
  const edges: GraphEdge[] = [];
  for (let target = 0; target < n; target++) {
    if (opts.selfLoops) edges.push({ id: edges.length, source: target, target });
    const sources = [...(adj[target] ?? [])].sort((x, y) => x - y);
    for (const source of sources) edges.push({ id: edges.length, source, target });
  }
  return { nodes, edges, nextNodeId: n, nextEdgeId: edges.length };
}

/** Random symmetric chords between nodes that still have room, no duplicates. */
function addChords(rng: Rng, adj: Set<number>[], want: number): void {
  const n = adj.length;
  for (let round = 0; round < 4; round++) {
    const open = shuffle(
      rng,
      Array.from({ length: n }, (_, i) => i).filter((i) => (adj[i]?.size ?? 0) < want),
    );
    for (const a of open) {
      let tries = 0;
      while ((adj[a]?.size ?? 0) < want && tries < 4 * n) {
        tries++;
        const b = randInt(rng, n);
        if (b === a || adj[a]?.has(b) || (adj[b]?.size ?? 0) >= want) continue;
        adj[a]?.add(b);
        adj[b]?.add(a);
      }
    }
  }
}

/**
 * Greedy chords can stall with open nodes that already link each other; swap
 * an existing chord c-d for a-c (and d to the other open node) until every
 * node has `want` links. When nodes x want is odd one node keeps one fewer.
 * Ring links are never swapped, so the graph stays connected.
 */
function repairDegrees(rng: Rng, adj: Set<number>[], want: number): void {
  const n = adj.length;
  const ring = (a: number, b: number): boolean => Math.abs(a - b) === 1 || Math.abs(a - b) === n - 1;
  const deficit = (a: number): number => want - (adj[a]?.size ?? 0);
  for (let tries = 0; tries < 200 * n; tries++) {
    const open = Array.from({ length: n }, (_, i) => i).filter((i) => deficit(i) > 0);
    const a = open[0];
    if (a === undefined || (open.length === 1 && deficit(a) === 1)) return;
    const b = deficit(a) >= 2 ? a : (open[1] as number);
    const c = randInt(rng, n);
    const others = [...(adj[c] ?? [])];
    const d = others[randInt(rng, others.length)];
    if (d === undefined || ring(c, d) || [a, b].includes(c) || [a, b].includes(d)) continue;
    if (adj[a]?.has(c) || adj[b]?.has(d)) continue;
    adj[c]?.delete(d);
    adj[d]?.delete(c);
    adj[a]?.add(c);
    adj[c]?.add(a);
    adj[b]?.add(d);
    adj[d]?.add(b);
  }
}

/** First node found at undirected distance `distance` from `from` (or the farthest one). */
function pickOutput(adj: Set<number>[], from: number, distance: number): number {
  const dist = new Array<number>(adj.length).fill(-1);
  dist[from] = 0;
  const queue = [from];
  let last = from;
  while (queue.length > 0) {
    const a = queue.shift() as number;
    last = a;
    if (dist[a] === distance) return a;
    for (const b of [...(adj[a] ?? [])].sort((x, y) => x - y)) {
      if (dist[b] === -1) {
        dist[b] = (dist[a] ?? 0) + 1;
        queue.push(b);
      }
    }
  }
  return last === from ? (from + 1) % adj.length : last;
}

/** In-edges of every node, in edge order; index = position in `graph.nodes`. */
export function inEdgesByNode(graph: Graph): GraphEdge[][] {
  const index = nodeIndex(graph);
  const lists: GraphEdge[][] = graph.nodes.map(() => []);
  for (const e of graph.edges) lists[index.get(e.target) ?? -1]?.push(e);
  return lists;
}

/** Map from node id to its position in `graph.nodes`. */
export function nodeIndex(graph: Graph): Map<number, number> {
  return new Map(graph.nodes.map((n, i) => [n.id, i]));
}

/** Largest in-degree (the packed slot count K), at least 1. */
export function maxInDegree(graph: Graph): number {
  let k = 1;
  for (const list of inEdgesByNode(graph)) k = Math.max(k, list.length);
  return k;
}

/** Positions (in `graph.nodes`) of the nodes with a role. */
export function rolePositions(graph: Graph, role: NodeRole): number[] {
  const out: number[] = [];
  graph.nodes.forEach((n, i) => {
    if (n.role === role) out.push(i);
  });
  return out;
}

/** Checks the invariants every graph must keep; returns a reason or null. */
/** `parallelEdges`: DNA cells split into parallel cells i -> j; every other graph has one edge per pair. */
export function graphProblem(graph: Graph, options: { readonly parallelEdges?: boolean } = {}): string | null {
  if (graph.nextNodeId > MAX_GRAPH_ID || graph.nextEdgeId > MAX_GRAPH_ID) return `ids must stay at most ${MAX_GRAPH_ID} (frames carry them as 32-bit integers)`;
  const ids = new Set<number>();
  for (const n of graph.nodes) {
    if (ids.has(n.id)) return `node id ${n.id} appears twice`;
    if (n.id >= graph.nextNodeId) return `node id ${n.id} is not below nextNodeId`;
    ids.add(n.id);
  }
  if (rolePositions(graph, 'input').length === 0) return 'the graph has no input node';
  if (rolePositions(graph, 'output').length === 0) return 'the graph has no output node';
  const edgeIds = new Set<number>();
  const pairs = new Set<string>();
  for (const e of graph.edges) {
    if (edgeIds.has(e.id)) return `edge id ${e.id} appears twice`;
    if (e.id >= graph.nextEdgeId) return `edge id ${e.id} is not below nextEdgeId`;
    edgeIds.add(e.id);
    if (!ids.has(e.source) || !ids.has(e.target)) return `edge ${e.id} names a missing node`;
    const key = `${e.source}>${e.target}`;
    if (!options.parallelEdges && pairs.has(key)) return `edge ${e.source} -> ${e.target} appears twice`;
    pairs.add(key);
  }
  return null;
}
