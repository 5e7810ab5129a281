/**
 * The export format: a versioned JSON document holding the experiment, the
 * graph with stable ids and every weight as a named float32 tensor (base64).
 * Weights are stored per edge / per node in graph order, independent of how
 * the engine packs them, so a document outlives packing changes.
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
import { base64ToFloat32, float32ToBase64 } from './base64';
import { experimentSchema, type Experiment } from './experiment';

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
  weights: z.strictObject({
    /** [E, H, H] per edge in graph.edges order. */
    edgeW: tensorSchema,
    /** [E, H] */
    gateU: tensorSchema,
    /** [E, H] */
    gateV: tensorSchema,
    /** [inputs, D, H] per input node in graph.nodes order. */
    inputW: tensorSchema,
    /** [reads, H, C] per read node (output nodes, or all nodes with readout 'all') in graph.nodes order. */
    readoutW: tensorSchema,
  }),
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

export function dimsOf(experiment: Experiment): LaraDims {
  // A loopy reservoir reads every node, as an echo-state network does.
  const readAll = experiment.model === 'lara' ? experiment.params.readout === 'all' : experiment.params.rule === 'reservoir';
  return { width: experiment.params.width, ...taskSizes(experiment.task), readAll };
}

export function toModelDocument(experiment: Experiment, model: LaraHostModel, step: number, metrics: DocumentMetrics): ModelDocument {
  const weights = {} as ModelDocument['weights'];
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
  return {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    experiment,
    graph: {
      nodes: model.graph.nodes.map((n) => ({ id: n.id, role: n.role, visitShare: clamp01(model.visitShare.get(n.id) ?? 0) })),
      edges: model.graph.edges.map((e) => ({ id: e.id, source: e.source, target: e.target })),
      nextNodeId: model.graph.nextNodeId,
      nextEdgeId: model.graph.nextEdgeId,
    },
    weights,
    step,
    metrics: { loss: finiteOrNull(metrics.loss), accuracy: finiteOrNull(metrics.accuracy) },
  };
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, Number.isFinite(x) ? x : 0));
}

function finiteOrNull(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? x : null;
}

export type ParsedDocument =
  | { readonly ok: true; readonly document: ModelDocument; readonly model: LaraHostModel }
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
export function documentToModel(doc: ModelDocument): LaraHostModel | string {
  const graph: Graph = {
    nodes: doc.graph.nodes.map((n) => ({ id: n.id, role: n.role })),
    edges: doc.graph.edges,
    nextNodeId: doc.graph.nextNodeId,
    nextEdgeId: doc.graph.nextEdgeId,
  };
  const problem = graphProblem(graph);
  if (problem) return `The file's graph is invalid: ${problem}.`;
  const dims = dimsOf(doc.experiment);
  const tables = {} as Record<LaraTableName, RowTable>;
  for (const name of LARA_TABLE_NAMES) {
    const t = doc.weights[name];
    const ids = documentRowIds(graph, name, dims.readAll);
    const want = documentShape(name, ids.length, dims);
    if (t.shape.length !== want.length || t.shape.some((s, i) => s !== want[i])) {
      return `Weight "${name}" has shape [${t.shape.join(', ')}] but the graph and parameters need [${want.join(', ')}].`;
    }
    const data = base64ToFloat32(t.data);
    const width = want.slice(1).reduce((a, b) => a * b, 1);
    if (!data || data.length !== ids.length * width) return `Weight "${name}" does not hold ${ids.length * width} float32 values.`;
    if (!data.every(Number.isFinite)) return `Weight "${name}" contains NaN or infinite values.`;
    const rows = new Map<number, Float32Array>();
    ids.forEach((rowId, i) => rows.set(rowId, data.slice(i * width, (i + 1) * width)));
    tables[name] = { width, rows };
  }
  const visitShare = new Map(doc.graph.nodes.map((n) => [n.id, n.visitShare]));
  return { graph, dims, tables, visitShare };
}
