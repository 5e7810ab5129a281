/**
 * The LARA network on the host: a graph plus id-keyed parameter rows. This is
 * what export writes, import reads and growth edits; the trainer packs it into
 * device tensors (see ../packing.ts).
 */
import type { TableSpecs } from '../device-tables';
import { type Graph } from '../graph';
import { type RowSet, type RowTable, packGraph, rowIds } from '../packing';
import { createRng, deriveSeed, normalArray, type Rng } from '../random';
import type { GateKind } from './lara-params';

export interface LaraDims {
  /** State width H. */
  readonly width: number;
  /** Input alphabet size D. */
  readonly inputSize: number;
  /** Output classes C. */
  readonly outputSize: number;
  /** Read out from every node's (cached) state instead of the output node only. */
  readonly readAll: boolean;
}

/** Every parameter table and the rows it holds. */
export const LARA_TABLES = {
  /** W_ab, H x H per edge, source component major: I_ab[j] = sum_i h_b[i] W[i, j]. */
  edgeW: 'edges',
  /** u_ab, H per edge: the gate's view of its host a. */
  gateU: 'edges',
  /** v_ab, H per edge: the gate's view of its source b. */
  gateV: 'edges',
  /** W_in, D x H per input node, symbol major. */
  inputW: 'inputs',
  /** W_out, H x C per read node, component major. */
  readoutW: 'reads',
} as const satisfies Record<string, RowSet>;
export type LaraTableName = keyof typeof LARA_TABLES;
export const LARA_TABLE_NAMES = Object.keys(LARA_TABLES) as LaraTableName[];

/**
 * b_a, H per node: the bias ablation (params.bias). Kept apart from
 * LARA_TABLES because it is optional: a model without it (the seed's form,
 * loopy networks, older documents) has no such table, tensor or op.
 */
export const NODE_BIAS = 'nodeBias';
export type LaraModelTable = LaraTableName | typeof NODE_BIAS;

export interface LaraHostModel {
  readonly graph: Graph;
  readonly dims: LaraDims;
  /** The five tables, and nodeBias (rows per node id) when the model has biases. */
  readonly tables: Readonly<Record<LaraTableName, RowTable>> & { readonly nodeBias?: RowTable };
  /** Share of thread visits per node id (exponential moving average). */
  readonly visitShare: ReadonlyMap<number, number>;
}

export function tableWidth(name: LaraTableName, d: LaraDims): number {
  switch (name) {
    case 'edgeW':
      return d.width * d.width;
    case 'gateU':
    case 'gateV':
      return d.width;
    case 'inputW':
      return d.inputSize * d.width;
    case 'readoutW':
      return d.width * d.outputSize;
  }
}

/** Root-mean-square gate value at initialisation, to keep the summed message at unit scale. */
function gateScale(gate: GateKind, degree: number): number {
  switch (gate) {
    case 'gaussian':
      return 0.67; // E[exp(-2 z^2)]^(1/2) for z ~ N(0, 1)
    case 'sigmoid':
      return 0.5;
    case 'softmax':
      return 1 / Math.max(1, degree);
  }
}

/** Standard deviations of fresh rows, per table. */
export function initStd(name: LaraTableName, d: LaraDims, gate: GateKind, degree: number, reads: number): number {
  switch (name) {
    case 'edgeW':
      return 1 / (gateScale(gate, degree) * Math.sqrt(Math.max(1, degree) * d.width));
    case 'gateU':
    case 'gateV':
      return 1 / Math.sqrt(d.width);
    case 'inputW':
      return 1;
    case 'readoutW':
      return 1 / Math.sqrt(Math.max(1, reads) * d.width);
  }
}

/** A fresh row for table `name`, drawn from `rng`. */
export function freshRow(rng: Rng, name: LaraTableName, d: LaraDims, gate: GateKind, degree: number, reads: number): Float32Array {
  return normalArray(rng, tableWidth(name, d), initStd(name, d, gate, degree, reads));
}

/** The model's tables in a fixed order: LARA_TABLE_NAMES, then nodeBias when present. */
export function modelTableNames(tables: LaraHostModel['tables']): LaraModelTable[] {
  return tables.nodeBias ? [...LARA_TABLE_NAMES, NODE_BIAS] : LARA_TABLE_NAMES;
}

/** `model` with a bias table (zero rows for nodes without one) or without any, as `bias` says. */
export function withBiasTable(model: LaraHostModel, bias: boolean): LaraHostModel {
  const { nodeBias, ...core } = model.tables;
  if (!bias) return nodeBias ? { ...model, tables: core } : model;
  const H = model.dims.width;
  const rows = new Map(model.graph.nodes.map((n) => [n.id, nodeBias?.rows.get(n.id) ?? new Float32Array(H)]));
  return { ...model, tables: { ...core, nodeBias: { width: H, rows } } };
}

/** `bias`: a zero bias row per node (biases start at zero: the first step computes what the seed's form would). */
export function initLaraModel(graph: Graph, dims: LaraDims, gate: GateKind, seed: number, bias = false): LaraHostModel {
  const p = packGraph(graph, dims.readAll);
  const degree = p.K;
  const reads = p.readPositions.length;
  const tables = {} as Record<LaraTableName, RowTable>;
  for (const name of LARA_TABLE_NAMES) {
    const rng = createRng(deriveSeed(seed, `init:${name}`));
    const rows = new Map<number, Float32Array>();
    for (const id of rowIds(p, LARA_TABLES[name])) {
      if (id >= 0) rows.set(id, freshRow(rng, name, dims, gate, degree, reads));
    }
    tables[name] = { width: tableWidth(name, dims), rows };
  }
  const share = 1 / graph.nodes.length;
  return withBiasTable({ graph, dims, tables, visitShare: new Map(graph.nodes.map((n) => [n.id, share])) }, bias);
}

/** Device layout of each parameter table (loopy networks use the same layout). */
export function paramSpecs(d: LaraDims): TableSpecs<LaraTableName> {
  const H = d.width;
  return {
    edgeW: { set: 'edges', width: H * H, shape: (p) => [p.L, p.K * H, H] },
    gateU: { set: 'edges', width: H, shape: (p) => [p.L, p.K, 1, H] },
    gateV: { set: 'edges', width: H, shape: (p) => [p.L, p.K, 1, H] },
    inputW: { set: 'inputs', width: d.inputSize * H, shape: (p) => [p.inputPositions.length, d.inputSize, H] },
    readoutW: { set: 'reads', width: H * d.outputSize, shape: (p) => [p.readPositions.length * H, d.outputSize] },
  };
}

/** paramSpecs plus the bias table [L, H] when `bias`. */
export function modelParamSpecs(d: LaraDims, bias: boolean): TableSpecs<LaraModelTable> {
  const core = paramSpecs(d);
  // Without bias the nodeBias spec is absent, not empty: every caller reads that table optionally.
  if (!bias) return core as TableSpecs<LaraModelTable>;
  return { ...core, nodeBias: { set: 'nodes', width: d.width, shape: (p) => [p.L, d.width] } };
}
