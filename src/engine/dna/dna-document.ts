/** The DNA layer's shape rules: its graph and the tensors its export holds (no tfjs: import checks them on the page, the trainer builds on them). */
import type { DatasetId } from '../datasets/dataset-info';
import { datasetInfo } from '../datasets/own-data';
import { rolePositions, type Graph, type GraphEdge, type GraphNode } from '../graph';
import { MAX_CELLS_FACTOR } from './dna-extinction';
import type { DnaExperiment } from './dna-params';

/** Names of the tensors a DNA export holds, each [E] in graph.edges order. */
export const DNA_TENSOR_NAMES = ['cellW', 'cellB', 'passthrough'] as const;

export function dnaSizes(task: DatasetId): { inputSize: number; classes: number } {
  const info = datasetInfo(task);
  return { inputSize: info.inputSize, classes: info.classes };
}

/** The fully connected start: input nodes 0..D-1, output nodes D..D+C-1, cell i -> j has id i·C + j. */
export function initialDnaGraph(inputSize: number, classes: number): Graph {
  const nodes: GraphNode[] = [];
  for (let i = 0; i < inputSize; i++) nodes.push({ id: i, role: 'input' });
  for (let j = 0; j < classes; j++) nodes.push({ id: inputSize + j, role: 'output' });
  const edges: GraphEdge[] = [];
  for (let i = 0; i < inputSize; i++) for (let j = 0; j < classes; j++) edges.push({ id: i * classes + j, source: i, target: inputSize + j });
  return { nodes, edges, nextNodeId: inputSize + classes, nextEdgeId: edges.length };
}

/** What a DNA export must hold for `graph`: one weight, bias and passthrough per cell. */
export function dnaTensorShapes(_experiment: DnaExperiment, graph: Graph): Record<string, readonly number[]> {
  const E = graph.edges.length;
  return { cellW: [E], cellB: [E], passthrough: [E] };
}

/**
 * Why `graph` cannot be this experiment's layer, or null: the dataset's input
 * and output node counts, no hidden node, every edge input -> output, every
 * output with a cell, at most the cell cap the trainer keeps (MAX_CELLS_FACTOR
 * per input-output pair). (graphProblem checks ids; parallel cells are allowed here.)
 */
export function dnaGraphProblem(experiment: DnaExperiment, graph: Graph): string | null {
  const { inputSize, classes } = dnaSizes(experiment.task);
  const inputs = rolePositions(graph, 'input').length;
  const outputs = rolePositions(graph, 'output').length;
  if (inputs !== inputSize || outputs !== classes) return `a DNA layer on ${experiment.task} needs ${inputSize} input and ${classes} output nodes, the graph has ${inputs} and ${outputs}`;
  if (graph.nodes.length !== inputs + outputs) return 'a DNA layer has no hidden nodes';
  const maxCells = MAX_CELLS_FACTOR * inputSize * classes;
  if (graph.edges.length > maxCells) return `a DNA layer on ${experiment.task} has at most ${maxCells} cells (${MAX_CELLS_FACTOR} per input-output pair), the graph has ${graph.edges.length}`;
  const role = new Map(graph.nodes.map((n) => [n.id, n.role]));
  const fed = new Set<number>();
  for (const e of graph.edges) {
    if (role.get(e.source) !== 'input' || role.get(e.target) !== 'output') return `cell ${e.id} does not run from an input to an output node`;
    fed.add(e.target);
  }
  if (fed.size !== classes) return 'every output node needs at least one cell';
  return null;
}
