/**
 * Packing: the bridge between the host's id-keyed rows (what growth edits and
 * export writes) and the device's dense tensors (what one tick computes with).
 * Nodes are packed in graph order; each host's in-edges fill its K slots in
 * edge order, padding slots point at the host itself and are masked off.
 */
import { inEdgesByNode, maxInDegree, rolePositions, type Graph } from './graph';

/** Rows of one width keyed by a stable id (edge id or node id). */
export interface RowTable {
  readonly width: number;
  readonly rows: Map<number, Float32Array>;
}

/** Which rows a table holds, and so how it packs. */
export type RowSet = 'edges' | 'nodes' | 'inputs' | 'reads';

export interface Packing {
  /** Node count L. */
  readonly L: number;
  /** Slots per node K (largest in-degree). */
  readonly K: number;
  /** Node id per packed position. */
  readonly nodeIds: Int32Array;
  /** Edge id per slot [L*K], -1 for padding. */
  readonly slotEdge: Int32Array;
  /** Source position per slot [L*K]; padding points at the host. */
  readonly source: Int32Array;
  /** 1 for a real slot, 0 for padding [L*K]. */
  readonly mask: Float32Array;
  readonly inputPositions: readonly number[];
  readonly outputPositions: readonly number[];
  /** Positions whose state the read-out sees. */
  readonly readPositions: readonly number[];
}

export function packGraph(graph: Graph, readAll: boolean): Packing {
  const L = graph.nodes.length;
  const K = maxInDegree(graph);
  const position = new Map(graph.nodes.map((n, i) => [n.id, i]));
  const slotEdge = new Int32Array(L * K).fill(-1);
  const source = new Int32Array(L * K);
  const mask = new Float32Array(L * K);
  inEdgesByNode(graph).forEach((list, a) => {
    for (let s = 0; s < K; s++) {
      const e = list[s];
      slotEdge[a * K + s] = e ? e.id : -1;
      source[a * K + s] = e ? (position.get(e.source) as number) : a;
      mask[a * K + s] = e ? 1 : 0;
    }
  });
  const outputPositions = rolePositions(graph, 'output');
  return {
    L,
    K,
    nodeIds: Int32Array.from(graph.nodes, (n) => n.id),
    slotEdge,
    source,
    mask,
    inputPositions: rolePositions(graph, 'input'),
    outputPositions,
    readPositions: readAll ? graph.nodes.map((_, i) => i) : outputPositions,
  };
}

/** Ids of the rows a set holds, in packed order. */
export function rowIds(p: Packing, set: RowSet): number[] {
  switch (set) {
    case 'edges':
      return Array.from(p.slotEdge);
    case 'nodes':
      return Array.from(p.nodeIds);
    case 'inputs':
      return p.inputPositions.map((i) => p.nodeIds[i] as number);
    case 'reads':
      return p.readPositions.map((i) => p.nodeIds[i] as number);
  }
}

/** Dense rows in packed order; missing ids (and padding, id -1) pack as zeros. */
export function packRows(table: RowTable, ids: readonly number[]): Float32Array {
  const out = new Float32Array(ids.length * table.width);
  ids.forEach((id, i) => {
    const row = table.rows.get(id);
    if (row) out.set(row, i * table.width);
  });
  return out;
}

/** The inverse of packRows; padding rows (id -1) are dropped. */
export function unpackRows(data: Float32Array, ids: readonly number[], width: number): RowTable {
  const rows = new Map<number, Float32Array>();
  ids.forEach((id, i) => {
    if (id >= 0) rows.set(id, data.slice(i * width, (i + 1) * width));
  });
  return { width, rows };
}

/** Keeps the rows whose id is wanted, adds zero rows for the new ones. */
export function alignRows(table: RowTable, ids: Iterable<number>): RowTable {
  const rows = new Map<number, Float32Array>();
  for (const id of ids) {
    if (id < 0) continue;
    rows.set(id, table.rows.get(id) ?? new Float32Array(table.width));
  }
  return { width: table.width, rows };
}

export function cloneTable(table: RowTable): RowTable {
  return { width: table.width, rows: new Map([...table.rows].map(([id, r]) => [id, r.slice()])) };
}
