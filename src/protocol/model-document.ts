/**
 * The export format: a versioned JSON document holding the experiment, the
 * graph with stable ids and every weight as a named float32 tensor (base64).
 * Weights are stored per edge / per node in graph order, independent of how
 * the engine packs them, so a document outlives packing changes.
 *
 * LARA and loopy networks store five tables (per edge, per input node, per
 * read node); DNA and routing modules store their own named tensors. Which
 * names and shapes a document must hold follows from its experiment's model.
 *
 * Import runs parseModelDocument: JSON, format and version, the zod schema,
 * then the cross-checks a schema cannot express (shapes against the graph and
 * parameters, finite values). Nothing reaches the model before all pass.
 */
import { z } from 'zod';
import { graphProblem, rolePositions, type Graph } from '../engine/graph';
import { LARA_TABLE_NAMES, LARA_TABLES, type LaraDims, type LaraHostModel, type LaraTableName } from '../engine/lara/lara-model';
import type { RowTable } from '../engine/packing';
import { taskSizes } from '../engine/tasks/task-registry';
import type { HostTensor } from '../engine/training/host-tensor';
import { dnaGraphProblem, dnaTensorShapes } from '../engine/dna/dna-trainer';
import type { HostModel, TensorHostModel } from '../engine/lab-trainer';
import { routingTensorShapes } from '../engine/routing/routing-trainer';
import { base64ToFloat32, float32ToBase64 } from './base64';
import { experimentSchema, type Experiment, type LaraExperiment, type LoopyExperiment } from './experiment';

export const MODEL_FORMAT = 'loopy-lab';
export const MODEL_FORMAT_VERSION = 1;

const id = z.number().int().min(0);

const tensorSchema = z.object({
  shape: z.array(z.number().int().min(0)).min(1).max(4),
  dtype: z.literal('float32'),
  /** Little-endian float32 bytes, base64. */
  data: z.string(),
});

export const modelDocumentSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  version: z.literal(MODEL_FORMAT_VERSION),
  createdAt: z.string(),
  experiment: experimentSchema,
  graph: z.object({
    nodes: z.array(z.object({ id, role: z.enum(['input', 'output', 'hidden']), visitShare: z.number().min(0).max(1) })).min(3),
    edges: z.array(z.object({ id, source: id, target: id })).min(1),
    nextNodeId: id,
    nextEdgeId: id,
  }),
  /**
   * LARA and loopy: edgeW [E, H, H] and gateU, gateV [E, H] per edge in graph.edges order; inputW [inputs, D, H] per input node and
   * readoutW [reads, H, C] per read node (output nodes, or all nodes with readout 'all') in graph.nodes order.
   * DNA: cellW, cellB, passthrough [E] per cell (edge). Routing modules: see routingTensorShapes.
   */
  weights: z.record(z.string().max(64), tensorSchema).refine((w) => Object.keys(w).length <= 32, 'at most 32 tensors'),
  step: z.number().int().min(0),
  metrics: z.object({ loss: z.number().nullable(), accuracy: z.number().nullable() }),
});
export type ModelDocument = z.infer<typeof modelDocumentSchema>;

export interface DocumentMetrics {
  readonly loss: number | null;
  readonly accuracy: number | null;
}

/** Row ids of a table in document order. */
function documentRowIds(graph: Graph, name: LaraTableName, readAll: boolean): number[] {
  switch (LARA_TABLES[name]) {
    case 'edges':
      return graph.edges.map((e) => e.id);
    case 'inputs':
      return rolePositions(graph, 'input').map((i) => (graph.nodes[i] as { id: number }).id);
    case 'reads':
      return (readAll ? graph.nodes : graph.nodes.filter((n) => n.role === 'output')).map((n) => n.id);
  }
}

function documentShape(name: LaraTableName, rows: number, d: LaraDims): number[] {
  const H = d.width;
  switch (name) {
    case 'edgeW':
      return [rows, H, H];
    case 'gateU':
    case 'gateV':
      return [rows, H];
    case 'inputW':
      return [rows, d.inputSize, H];
    case 'readoutW':
      return [rows, H, d.outputSize];
  }
}

export function dimsOf(experiment: LaraExperiment | LoopyExperiment): LaraDims {
  // A loopy reservoir reads every node, as an echo-state network does.
  const readAll = experiment.model === 'lara' ? experiment.params.readout === 'all' : experiment.params.rule === 'reservoir';
  return { width: experiment.params.width, ...taskSizes(experiment.task), readAll };
}

function isTableModel(model: HostModel): model is LaraHostModel {
  return 'tables' in model;
}

/** The tensors a DNA or routing document must hold, by name, with their shapes. */
function tensorShapes(experiment: Experiment, graph: Graph): Record<string, number[]> {
  switch (experiment.model) {
    case 'dna':
      return dnaTensorShapes(experiment, graph);
    case 'routing':
      return routingTensorShapes(experiment);
    default:
      throw new Error(`${experiment.model} stores tables, not named tensors`);
  }
}

export function toModelDocument(experiment: Experiment, model: HostModel, step: number, metrics: DocumentMetrics): ModelDocument {
  const weights: ModelDocument['weights'] = {};
  if (isTableModel(model)) writeTables(model, weights);
  else for (const [name, t] of Object.entries(model.tensors)) weights[name] = { shape: [...t.shape], dtype: 'float32', data: float32ToBase64(t.values) };
  const visitShare = isTableModel(model) ? model.visitShare : new Map<number, number>();
  return {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    experiment,
    graph: {
      nodes: model.graph.nodes.map((n) => ({ id: n.id, role: n.role, visitShare: clamp01(visitShare.get(n.id) ?? 0) })),
      edges: model.graph.edges.map((e) => ({ id: e.id, source: e.source, target: e.target })),
      nextNodeId: model.graph.nextNodeId,
      nextEdgeId: model.graph.nextEdgeId,
    },
    weights,
    step,
    metrics: { loss: finiteOrNull(metrics.loss), accuracy: finiteOrNull(metrics.accuracy) },
  };
}

function writeTables(model: LaraHostModel, weights: ModelDocument['weights']): void {
  for (const name of LARA_TABLE_NAMES) {
    const table = model.tables[name];
    const ids = documentRowIds(model.graph, name, model.dims.readAll);
    const data = new Float32Array(ids.length * table.width);
    ids.forEach((rowId, i) => {
      const row = table.rows.get(rowId);
      if (row) data.set(row, i * table.width);
    });
    weights[name] = { shape: documentShape(name, ids.length, model.dims), dtype: 'float32', data: float32ToBase64(data) };
  }
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, Number.isFinite(x) ? x : 0));
}

function finiteOrNull(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? x : null;
}

export type ParsedDocument =
  | { readonly ok: true; readonly document: ModelDocument; readonly model: HostModel }
  | { readonly ok: false; readonly error: string };

/** Validates a file's text completely; the error says what is wrong in words a person can act on. */
export function parseModelDocument(text: string): ParsedDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `The file is not JSON (${(e as Error).message}).` };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, error: 'The file is not a Loopy Lab export: expected a JSON object.' };
  }
  const head = raw as { format?: unknown; version?: unknown };
  if (head.format !== MODEL_FORMAT) {
    return { ok: false, error: `The file is not a Loopy Lab export: "format" is ${JSON.stringify(head.format ?? null)}, expected "${MODEL_FORMAT}".` };
  }
  if (head.version !== MODEL_FORMAT_VERSION) {
    return { ok: false, error: `Unsupported Loopy Lab export version ${JSON.stringify(head.version ?? null)}; this lab reads version ${MODEL_FORMAT_VERSION}.` };
  }
  const parsed = modelDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return { ok: false, error: `The file does not match the Loopy Lab format: ${issues.join('; ')}.` };
  }
  const result = documentToModel(parsed.data);
  return typeof result === 'string' ? { ok: false, error: result } : { ok: true, document: parsed.data, model: result };
}

/** Builds the host model from a schema-valid document, or says which cross-check failed. */
export function documentToModel(doc: ModelDocument): HostModel | string {
  const graph: Graph = {
    nodes: doc.graph.nodes.map((n) => ({ id: n.id, role: n.role })),
    edges: doc.graph.edges,
    nextNodeId: doc.graph.nextNodeId,
    nextEdgeId: doc.graph.nextEdgeId,
  };
  const experiment = doc.experiment;
  const problem = graphProblem(graph, { parallelEdges: experiment.model === 'dna' }) ?? (experiment.model === 'dna' ? dnaGraphProblem(experiment, graph) : null);
  if (problem) return `The file's graph is invalid: ${problem}.`;
  if (experiment.model === 'lara' || experiment.model === 'loopy') return tablesFromDocument(doc, experiment, graph);
  return tensorsFromDocument(doc, tensorShapes(experiment, graph), graph);
}

/** The weights of `names`, each checked against its wanted shape; extra or missing names are refused. */
function readTensors(doc: ModelDocument, want: Readonly<Record<string, readonly number[]>>): Record<string, HostTensor> | string {
  const names = Object.keys(want);
  const extra = Object.keys(doc.weights).filter((n) => !Object.hasOwn(want, n));
  if (extra.length > 0) return `The file holds weights this ${doc.experiment.model} model does not have: ${extra.slice(0, 3).join(', ')}.`;
  const out: Record<string, HostTensor> = {};
  for (const name of names) {
    const t = doc.weights[name];
    const shape = want[name] as readonly number[];
    if (!t) return `Weight "${name}" is missing.`;
    if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
      return `Weight "${name}" has shape [${t.shape.join(', ')}] but the graph and parameters need [${shape.join(', ')}].`;
    }
    const size = shape.reduce((a, b) => a * b, 1);
    const data = base64ToFloat32(t.data);
    if (!data || data.length !== size) return `Weight "${name}" does not hold ${size} float32 values.`;
    if (!data.every(Number.isFinite)) return `Weight "${name}" contains NaN or infinite values.`;
    out[name] = { shape: [...shape], values: data };
  }
  return out;
}

function tensorsFromDocument(doc: ModelDocument, want: Record<string, number[]>, graph: Graph): TensorHostModel | string {
  const tensors = readTensors(doc, want);
  return typeof tensors === 'string' ? tensors : { graph, tensors };
}

function tablesFromDocument(doc: ModelDocument, experiment: LaraExperiment | LoopyExperiment, graph: Graph): LaraHostModel | string {
  const dims = dimsOf(experiment);
  const want: Record<string, number[]> = {};
  const ids = {} as Record<LaraTableName, number[]>;
  for (const name of LARA_TABLE_NAMES) {
    ids[name] = documentRowIds(graph, name, dims.readAll);
    want[name] = documentShape(name, ids[name].length, dims);
  }
  const tensors = readTensors(doc, want);
  if (typeof tensors === 'string') return tensors;
  const tables = {} as Record<LaraTableName, RowTable>;
  for (const name of LARA_TABLE_NAMES) {
    const { shape, values } = tensors[name] as HostTensor;
    const width = shape.slice(1).reduce((a, b) => a * b, 1);
    const rows = new Map<number, Float32Array>();
    ids[name].forEach((rowId, i) => rows.set(rowId, values.slice(i * width, (i + 1) * width)));
    tables[name] = { width, rows };
  }
  const visitShare = new Map(doc.graph.nodes.map((n) => [n.id, n.visitShare]));
  return { graph, dims, tables, visitShare };
}
