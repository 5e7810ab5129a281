/**
 * A gated recurrent network as a graph: one node per input symbol, per hidden
 * unit and per output class; edges are its weights (input -> unit, unit ->
 * unit for the recurrent matrix, unit -> output). Ids are fixed by the sizes,
 * so the graph of an experiment is always the same.
 */
import type { Graph, GraphEdge, GraphNode } from '../graph';

export interface GatedSizes {
  /** Input symbols D. */
  readonly inputSize: number;
  /** Hidden units H. */
  readonly hidden: number;
  /** Output classes C. */
  readonly outputSize: number;
}

/** Node ids: inputs 0..D-1, units D..D+H-1, outputs D+H..D+H+C-1. Edge ids: input i -> unit a is i·H + a; unit b -> unit a is D·H + b·H + a; unit j -> output c is D·H + H·H + j·C + c. */
export function gatedGraph(s: GatedSizes): Graph {
  const { inputSize: D, hidden: H, outputSize: C } = s;
  const nodes: GraphNode[] = [];
  for (let i = 0; i < D; i++) nodes.push({ id: i, role: 'input' });
  for (let a = 0; a < H; a++) nodes.push({ id: D + a, role: 'hidden' });
  for (let c = 0; c < C; c++) nodes.push({ id: D + H + c, role: 'output' });
  const edges: GraphEdge[] = [];
  for (let i = 0; i < D; i++) for (let a = 0; a < H; a++) edges.push({ id: i * H + a, source: i, target: D + a });
  for (let b = 0; b < H; b++) for (let a = 0; a < H; a++) edges.push({ id: D * H + b * H + a, source: D + b, target: D + a });
  for (let j = 0; j < H; j++) for (let c = 0; c < C; c++) edges.push({ id: D * H + H * H + j * C + c, source: D + j, target: D + H + c });
  return { nodes, edges, nextNodeId: D + H + C, nextEdgeId: edges.length };
}

/** Why `graph` is not exactly the network of these sizes, or null. */
export function gatedGraphProblem(s: GatedSizes, graph: Graph): string | null {
  const want = gatedGraph(s);
  if (graph.nodes.length !== want.nodes.length || graph.edges.length !== want.edges.length) {
    return `a network of ${s.hidden} units on this task has ${want.nodes.length} nodes and ${want.edges.length} edges, the graph ${graph.nodes.length} and ${graph.edges.length}`;
  }
  const nodesSame = graph.nodes.every((n, i) => n.id === want.nodes[i]?.id && n.role === want.nodes[i]?.role);
  const edgesSame = graph.edges.every((e, i) => e.id === want.edges[i]?.id && e.source === want.edges[i]?.source && e.target === want.edges[i]?.target);
  return nodesSame && edgesSame ? null : 'the graph is not the network’s input -> units -> outputs wiring';
}

/**
 * The graph view's slot layout: every node's in-edges (inputs first, then
 * recurrent), padded to K = D + H slots with -1; positions in graph.nodes order.
 */
export function gatedSlots(s: GatedSizes): { readonly K: number; readonly slotEdge: Int32Array } {
  const { inputSize: D, hidden: H, outputSize: C } = s;
  const L = D + H + C;
  const K = D + H;
  const slotEdge = new Int32Array(L * K).fill(-1);
  for (let a = 0; a < H; a++) {
    const base = (D + a) * K;
    for (let i = 0; i < D; i++) slotEdge[base + i] = i * H + a;
    for (let b = 0; b < H; b++) slotEdge[base + D + b] = D * H + b * H + a;
  }
  for (let c = 0; c < C; c++) {
    const base = (D + H + c) * K;
    for (let j = 0; j < H; j++) slotEdge[base + j] = D * H + H * H + j * C + c;
  }
  return { K, slotEdge };
}
