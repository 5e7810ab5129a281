/**
 * How a network of LARA's tables (LARA and loopy networks) is stored in the
 * export document: one tensor per table, rows in graph order (edges in
 * graph.edges order, input nodes and read nodes in graph.nodes order),
 * independent of how the engine packs them, so a document outlives packing
 * changes. The optional bias table (nodeBias [nodes, H], graph.nodes order)
 * is written only by a model that has it: documents from before it, and
 * bias-off models, carry none and import as before.
 */
import type { DocumentCodec, EncodedModel } from '../model-descriptor';
import { maxInDegree, rolePositions, type Graph } from '../graph';
import type { RowTable } from '../packing';
import type { HostTensor } from '../training/host-tensor';
import { LARA_TABLE_NAMES, LARA_TABLES, NODE_BIAS, type LaraDims, type LaraHostModel, type LaraModelTable, type LaraTableName } from './lara-model';

/** Row ids of a table in document order. */
function documentRowIds(graph: Graph, name: LaraModelTable, readAll: boolean): number[] {
  if (name === NODE_BIAS) return graph.nodes.map((n) => n.id);
  switch (LARA_TABLES[name]) {
    case 'edges':
      return graph.edges.map((e) => e.id);
    case 'inputs':
      return rolePositions(graph, 'input').map((i) => (graph.nodes[i] as { id: number }).id);
    case 'reads':
      return (readAll ? graph.nodes : graph.nodes.filter((n) => n.role === 'output')).map((n) => n.id);
  }
}

/** edgeW [E, H, H], gateU and gateV [E, H], inputW [inputs, D, H], readoutW [reads, H, C], nodeBias [nodes, H]. */
function documentShape(name: LaraModelTable, rows: number, d: LaraDims): number[] {
  const H = d.width;
  switch (name) {
    case 'edgeW':
      return [rows, H, H];
    case 'gateU':
    case 'gateV':
    case 'nodeBias':
      return [rows, H];
    case 'inputW':
      return [rows, d.inputSize, H];
    case 'readoutW':
      return [rows, H, d.outputSize];
  }
}

/** LARA's largest graph: the schema's most nodes (nodes, growth.maxNodes) and most in-edges per node (growth.maxDegree). */
export const LARA_MAX_NODES = 4096;
export const LARA_MAX_IN_DEGREE = 64;

/** Why `graph` cannot be a LARA network, or null: more nodes or in-edges per node than the parameters allow at their largest. */
export function laraGraphProblem(_experiment: unknown, graph: Graph): string | null {
  if (graph.nodes.length > LARA_MAX_NODES) return `a LARA network has at most ${LARA_MAX_NODES} nodes, the graph has ${graph.nodes.length}`;
  const k = maxInDegree(graph);
  if (k > LARA_MAX_IN_DEGREE) return `a LARA node reads at most ${LARA_MAX_IN_DEGREE} sources, a node of this graph reads ${k}`;
  return null;
}

/**
 * The codec of a model whose host form is LARA's tables; `dimsOf` gives the
 * sizes an experiment implies, `graphRule` what its graph must be (LARA's by
 * default; loopy networks pass their generator's node counts), `hasBias`
 * whether its network has the bias table (LARA's params.bias; never, by default).
 */
export function laraTableCodec<E>(
  dimsOf: (experiment: E) => LaraDims,
  graphRule: (experiment: E, graph: Graph) => string | null = laraGraphProblem,
  hasBias: (experiment: E) => boolean = () => false,
): DocumentCodec<E, LaraHostModel> {
  const names = (bias: boolean): readonly LaraModelTable[] => (bias ? [...LARA_TABLE_NAMES, NODE_BIAS] : LARA_TABLE_NAMES);
  return {
    parallelEdges: false,
    graphProblem: graphRule,
    deviceFloats(experiment, graph) {
      // The trainer packs edge rows into [nodes, K, H, H] (K = largest in-degree, padded) and scatters inputs through [nodes, inputs].
      const d = dimsOf(experiment);
      const L = graph.nodes.length;
      return Math.max(L * maxInDegree(graph) * d.width * d.width, L * rolePositions(graph, 'input').length, L * d.width * Math.max(d.inputSize, d.outputSize));
    },
    tensorShapes(experiment, graph) {
      const dims = dimsOf(experiment);
      const shapes: Record<string, number[]> = {};
      for (const name of names(hasBias(experiment))) shapes[name] = documentShape(name, documentRowIds(graph, name, dims.readAll).length, dims);
      return shapes;
    },
    encode(model): EncodedModel {
      const tensors: Record<string, HostTensor> = {};
      for (const name of names(model.tables.nodeBias !== undefined)) {
        const table = model.tables[name] as RowTable;
        const ids = documentRowIds(model.graph, name, model.dims.readAll);
        const values = new Float32Array(ids.length * table.width);
        ids.forEach((rowId, i) => {
          const row = table.rows.get(rowId);
          if (row) values.set(row, i * table.width);
        });
        tensors[name] = { shape: documentShape(name, ids.length, model.dims), values };
      }
      return { graph: model.graph, tensors, visitShare: model.visitShare };
    },
    decode(experiment, { graph, tensors, visitShare }) {
      const dims = dimsOf(experiment);
      const tables = {} as Record<LaraTableName, RowTable> & { nodeBias?: RowTable };
      for (const name of names(tensors[NODE_BIAS] !== undefined)) {
        const { shape, values } = tensors[name] as HostTensor;
        const width = shape.slice(1).reduce((a, b) => a * b, 1);
        const rows = new Map<number, Float32Array>();
        documentRowIds(graph, name, dims.readAll).forEach((rowId, i) => rows.set(rowId, values.slice(i * width, (i + 1) * width)));
        tables[name] = { width, rows };
      }
      return { graph, dims, tables, visitShare: new Map(visitShare) };
    },
  };
}
