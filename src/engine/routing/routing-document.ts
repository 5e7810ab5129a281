/** The routing stack's shape rules: its chain graph and the tensors its export holds (no tfjs: import checks them on the page, the trainer builds on them). */
import { datasetInfo } from '../datasets/own-data';
import type { Graph } from '../graph';
import type { RoutingExperiment } from './routing-params';
import { stackShapes, type StackDims } from './routing-shapes';

export function routingDims(experiment: RoutingExperiment): StackDims {
  const info = datasetInfo(experiment.task);
  return { inputSize: info.inputSize, width: experiment.params.width, layers: experiment.params.layers, classes: info.classes };
}

/**
 * The tensors an exported routing model must hold, with their shapes. The
 * baseline (routing = false) stores router and skip tensors too (untrained),
 * so every export of an experiment's size has the same shapes. The identity
 * skip holds skipD [N, W] in place of skipS; files written before it have
 * skip 'dense' (the default) and so the tensors they hold.
 */
export function routingTensorShapes(experiment: RoutingExperiment): Record<string, readonly number[]> {
  return stackShapes(routingDims(experiment), experiment.params.skip);
}

/** The chain input -> layer 1 -> ... -> layer N -> output; edge l (id l) runs from node l to node l + 1. */
export function routingGraph(layers: number): Graph {
  const nodes = Array.from({ length: layers + 2 }, (_, id) => ({ id, role: id === 0 ? ('input' as const) : id === layers + 1 ? ('output' as const) : ('hidden' as const) }));
  const edges = Array.from({ length: layers + 1 }, (_, id) => ({ id, source: id, target: id + 1 }));
  return { nodes, edges, nextNodeId: layers + 2, nextEdgeId: layers + 1 };
}

/** A routing document's graph must be exactly the chain of its layer count (no extra edges, no self-loops). */
export function routingGraphProblem(experiment: RoutingExperiment, graph: Graph): string | null {
  const want = routingGraph(experiment.params.layers);
  if (graph.nodes.length !== want.nodes.length) return `the graph has ${graph.nodes.length} nodes, ${experiment.params.layers} routed layers need ${want.nodes.length}`;
  const same =
    graph.edges.length === want.edges.length &&
    graph.nodes.every((n, i) => n.id === want.nodes[i]?.id && n.role === want.nodes[i]?.role) &&
    graph.edges.every((e, i) => e.id === want.edges[i]?.id && e.source === want.edges[i]?.source && e.target === want.edges[i]?.target);
  return same ? null : 'a routing stack’s graph is the chain input → layer 1 → … → output, nothing else';
}
