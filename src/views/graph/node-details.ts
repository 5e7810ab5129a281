/**
 * What the node inspector shows for one node, computed from the topology and
 * the frame tick the graph is showing: plain data, so it is easy to test and
 * the React panel only formats it.
 */
import { gateRowOffset, type FrameMessage, type Graph, type GraphEdge, type GraphNode, type NodeRole } from '../../protocol/messages';

export interface IncomingGate {
  readonly edgeId: number;
  /** Node the host reads through this edge. */
  readonly sourceId: number;
  /** Gate on the tick shown, or null when the frame does not cover the edge yet. */
  readonly gate: number | null;
}

export interface NodeDetails {
  readonly id: number;
  readonly role: NodeRole;
  /** Mean state on the tick shown (null when the frame does not cover the node yet). */
  readonly activity: number | null;
  /** Share of thread visits (EMA), 0..1. */
  readonly visitShare: number | null;
  /** Whether the node computed on the tick shown. */
  readonly active: boolean | null;
  /**
   * Tick shown (0-based) within its symbol and the ticks that symbol took
   * (Think ticks, with fixed pacing); which of the frame's probe symbols it
   * is; the train step of the frame.
   */
  readonly tick: number;
  readonly ticks: number;
  readonly symbol: number;
  readonly symbols: number;
  readonly step: number;
  /** Threads sitting on this node on the tick shown. */
  readonly threadsHere: number;
  /** In-edges, most open gate first. */
  readonly gates: readonly IncomingGate[];
}

interface GraphIndex {
  readonly nodes: ReadonlyMap<number, GraphNode>;
  readonly inEdges: ReadonlyMap<number, readonly GraphEdge[]>;
}

const indexCache = new WeakMap<Graph, GraphIndex>();

/** Id lookups for a graph, built once per topology (the inspector asks up to ten times a second). */
function indexOf(graph: Graph): GraphIndex {
  let index = indexCache.get(graph);
  if (index) return index;
  const nodes = new Map<number, GraphNode>();
  for (const n of graph.nodes) nodes.set(n.id, n);
  const inEdges = new Map<number, GraphEdge[]>();
  for (const e of graph.edges) {
    const list = inEdges.get(e.target);
    if (list) list.push(e);
    else inEdges.set(e.target, [e]);
  }
  index = { nodes, inEdges };
  indexCache.set(graph, index);
  return index;
}

/** Details of node `id` on tick `tick` of `frame`, or null when the graph has no such node. */
export function describeNode(id: number, graph: Graph, frame: FrameMessage | null, tick: number): NodeDetails | null {
  const index = indexOf(graph);
  const node = index.nodes.get(id);
  if (!node) return null;
  const pos = frame ? frame.nodeIds.indexOf(id) : -1;
  const f = pos >= 0 && frame && tick >= 0 && tick < frame.ticks ? frame : null;
  const L = f ? f.nodeIds.length : 0;
  const K = f ? f.K : 0;

  const gateByEdge = new Map<number, number>();
  if (f) {
    for (let s = 0; s < K; s++) {
      const edgeId = f.slotEdge[pos * K + s] ?? -1;
      if (edgeId >= 0) gateByEdge.set(edgeId, f.gates[gateRowOffset(f, tick) + pos * K + s] ?? 0);
    }
  }
  const gates = (index.inEdges.get(id) ?? [])
    .map((e): IncomingGate => ({ edgeId: e.id, sourceId: e.source, gate: gateByEdge.get(e.id) ?? null }))
    .sort((a, b) => (b.gate ?? -1) - (a.gate ?? -1) || a.sourceId - b.sourceId);

  let threadsHere = 0;
  if (f && f.ticks > 0) {
    const th = Math.floor(f.threads.length / f.ticks);
    for (let i = 0; i < th; i++) if (f.threads[tick * th + i] === id) threadsHere++;
  }

  return {
    id,
    role: node.role,
    activity: f ? (f.activity[tick * L + pos] ?? null) : null,
    visitShare: f ? (f.visitShare[pos] ?? null) : null,
    active: f ? f.active[tick * L + pos] === 1 : null,
    ...(f ? tickPlace(f.reads, f.ticks, tick) : NO_PLACE),
    step: frame ? frame.step : 0,
    threadsHere,
    gates,
  };
}

/** Where a tick of a probe trace falls: the symbol it belongs to, and its place within it (all 0-based). */
export interface TickPlace {
  readonly tick: number;
  readonly ticks: number;
  readonly symbol: number;
  readonly symbols: number;
}

const NO_PLACE: TickPlace = { tick: 0, ticks: 0, symbol: 0, symbols: 0 };

/**
 * Tick `t` of a trace of `ticks` ticks, placed within its symbol: a symbol
 * ends on a tick its output is read (`reads`), so with fixed pacing every
 * symbol has Think ticks ticks; ticks after the last read are a symbol under way.
 */
export function tickPlace(reads: ArrayLike<number>, ticks: number, t: number): TickPlace {
  let symbol = 0;
  let start = 0;
  let found: { symbol: number; start: number; end: number } | null = null;
  for (let i = 0; i < ticks; i++) {
    if (reads[i] !== 1 && i < ticks - 1) continue;
    if (!found && t <= i) found = { symbol, start, end: i };
    symbol++;
    start = i + 1;
  }
  if (!found) return NO_PLACE;
  return { tick: t - found.start, ticks: found.end - found.start + 1, symbol: found.symbol, symbols: symbol };
}
