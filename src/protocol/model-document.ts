/**
 * The export format: a versioned JSON document holding the experiment, the
 * graph with stable ids and every weight as a named float32 tensor (base64).
 * Which tensors a document holds, their shapes and how they map onto the
 * model is each model kind's document codec (engine/model-descriptor.ts);
 * this file is model-neutral.
 *
 * Import runs parseModelDocument: the text's size, JSON, format and version,
 * the sizes of what the file declares (lists, tensor names), the zod schema
 * (every integer bounded by the typed array or counter that carries it),
 * then the cross-checks a schema cannot express: the graph against the model
 * kind, the declared tensor shapes and what the trainer would allocate
 * (before a weight is decoded), then every weight as float32 (finite, not
 * too large). Nothing reaches the model before all pass; the limits and why
 * are in import-limits.ts.
 */
import { z } from 'zod';
import { errorSentences } from './schema-sentences';
import { graphProblem, type Graph } from '../engine/graph';
import type { EncodedModel } from '../engine/model-descriptor';
import { tensorProblem, type HostTensor } from '../engine/training/host-tensor';
import { base64LengthOfFloats, decodeWeights, float32ToBase64 } from './base64';
import { descriptorOf, experimentSchema, type Experiment } from './experiment';
import { ownDataFileSchema, ownDataFor, ownKindOf, parseOwnData, withOwnData, type ParsedOwnData } from './own-data';
import {
  importSizeProblem,
  MAX_GRAPH_EDGES,
  MAX_GRAPH_ID,
  MAX_GRAPH_NODES,
  MAX_STEP,
  MAX_TENSOR_FLOATS,
  MAX_TENSOR_NAME,
  MAX_TENSORS,
  MAX_WEIGHT_MAGNITUDE,
  quoteClipped,
} from './import-limits';

export const MODEL_FORMAT = 'loopy-lab';
export const MODEL_FORMAT_VERSION = 1;

/** A node or edge id: frames carry them in Int32Array. */
const id = z.number().int().min(0).max(MAX_GRAPH_ID);

const tensorSchema = z.object({
  shape: z
    .array(z.number().int().min(0).max(MAX_TENSOR_FLOATS))
    .min(1)
    .max(4)
    .refine((shape) => shape.reduce((a, b) => a * b, 1) <= MAX_TENSOR_FLOATS, `must hold at most ${MAX_TENSOR_FLOATS} values`),
  dtype: z.literal('float32'),
  /** Little-endian float32 bytes, base64. */
  data: z.string().max(base64LengthOfFloats(MAX_TENSOR_FLOATS)),
});

export const modelDocumentSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  version: z.literal(MODEL_FORMAT_VERSION),
  /** ISO 8601 time of the export. */
  createdAt: z.string().max(64),
  experiment: experimentSchema,
  graph: z.object({
    nodes: z.array(z.object({ id, role: z.enum(['input', 'output', 'hidden']), visitShare: z.number().min(0).max(1) })).min(3).max(MAX_GRAPH_NODES),
    edges: z.array(z.object({ id, source: id, target: id })).min(1).max(MAX_GRAPH_EDGES),
    nextNodeId: id,
    nextEdgeId: id,
  }),
  /** Named float32 tensors; each model kind's document codec says which (e.g. engine/lara/lara-document.ts). */
  weights: z.record(z.string().max(MAX_TENSOR_NAME), tensorSchema).refine((w) => Object.keys(w).length <= MAX_TENSORS, `at most ${MAX_TENSORS} tensors`),
  step: z.number().int().min(0).max(MAX_STEP),
  metrics: z.object({ loss: z.number().nullable(), accuracy: z.number().nullable() }),
  /** The own data set (own-text, own-csv tasks), so an imported run or a resumed checkpoint trains on the same data; absent for built-in tasks. */
  data: ownDataFileSchema.optional(),
});
export type ModelDocument = z.infer<typeof modelDocumentSchema>;

export interface DocumentMetrics {
  readonly loss: number | null;
  readonly accuracy: number | null;
}

/** The document of a trained host model of `experiment`'s kind. */
export function toModelDocument(experiment: Experiment, model: unknown, step: number, metrics: DocumentMetrics): ModelDocument {
  const encoded = descriptorOf(experiment.model).document.encode(model);
  const weights: ModelDocument['weights'] = {};
  for (const [name, t] of Object.entries(encoded.tensors)) weights[name] = { shape: [...t.shape], dtype: 'float32', data: float32ToBase64(t.values) };
  const g = encoded.graph;
  return {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    experiment,
    graph: {
      nodes: g.nodes.map((n) => ({ id: n.id, role: n.role, visitShare: clamp01(encoded.visitShare.get(n.id) ?? 0) })),
      edges: g.edges.map((e) => ({ id: e.id, source: e.source, target: e.target })),
      nextNodeId: g.nextNodeId,
      nextEdgeId: g.nextEdgeId,
    },
    weights,
    step,
    metrics: { loss: finiteOrNull(metrics.loss), accuracy: finiteOrNull(metrics.accuracy) },
    ...ownDataField(experiment.task),
  };
}

/** The installed data set an own task reads, as the document's `data`; nothing for a built-in task. */
function ownDataField(task: string): { data?: ModelDocument['data'] } {
  const d = ownDataFor(task);
  return d ? { data: { kind: d.file.kind, name: d.file.name, text: d.file.text } } : {};
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, Number.isFinite(x) ? x : 0));
}

function finiteOrNull(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? x : null;
}

export type ParsedDocument =
  | ({ readonly ok: true; readonly document: ModelDocument } & DocumentModel)
  | { readonly ok: false; readonly error: string };

/** Validates a file's text completely; the error says what is wrong in words a person can act on. */
export function parseModelDocument(text: string): ParsedDocument {
  const tooBig = importSizeProblem(text.length);
  if (tooBig) return { ok: false, error: tooBig };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `The file is not JSON (${(e as Error).message.slice(0, 200)}).` };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, error: 'The file is not a Loopy Lab export: expected a JSON object.' };
  }
  const head = raw as { format?: unknown; version?: unknown };
  if (head.format !== MODEL_FORMAT) {
    return { ok: false, error: `The file is not a Loopy Lab export: "format" is ${clippedJson(head.format ?? null)}, expected "${MODEL_FORMAT}".` };
  }
  if (head.version !== MODEL_FORMAT_VERSION) {
    return { ok: false, error: `Unsupported Loopy Lab export version ${clippedJson(head.version ?? null)}; this lab reads version ${MODEL_FORMAT_VERSION}.` };
  }
  const declared = declaredSizeProblem(raw);
  if (declared) return { ok: false, error: `The file does not match the Loopy Lab format: ${declared}.` };
  const parsed = modelDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, error: `The file does not match the Loopy Lab format: ${errorSentences(parsed.error)}.` };
  }
  const result = documentToModel(parsed.data);
  return typeof result === 'string' ? { ok: false, error: result } : { ok: true, document: parsed.data, ...result };
}

function clippedJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}… (${text.length.toLocaleString('en-US')} characters)` : text;
}

/**
 * What the schema would only find after walking every item: lists longer than
 * a graph may be, too many tensors, a tensor name too long to quote. Checked
 * on the parsed JSON before the schema, so a file declaring a million nodes
 * is refused without validating them one by one.
 */
function declaredSizeProblem(raw: object): string | null {
  const { graph, weights } = raw as { graph?: unknown; weights?: unknown };
  if (typeof graph === 'object' && graph !== null) {
    const { nodes, edges } = graph as { nodes?: unknown; edges?: unknown };
    if (Array.isArray(nodes) && nodes.length > MAX_GRAPH_NODES) return `graph.nodes lists ${nodes.length.toLocaleString('en-US')} nodes, at most ${MAX_GRAPH_NODES} are allowed`;
    if (Array.isArray(edges) && edges.length > MAX_GRAPH_EDGES) return `graph.edges lists ${edges.length.toLocaleString('en-US')} edges, at most ${MAX_GRAPH_EDGES} are allowed`;
  }
  if (typeof weights === 'object' && weights !== null && !Array.isArray(weights)) {
    const names = Object.keys(weights);
    if (names.length > MAX_TENSORS) return `weights holds ${names.length} tensors, at most ${MAX_TENSORS} are allowed`;
    const long = names.find((n) => n.length > MAX_TENSOR_NAME);
    if (long !== undefined) return `the weight name ${quoteClipped(long)} is longer than ${MAX_TENSOR_NAME} characters`;
  }
  return null;
}

/** The document's network, checked against its model kind, in the model-neutral form and as the kind's host model. */
export interface DocumentModel {
  readonly encoded: EncodedModel;
  /** The host model of the document's kind (what its trainer is restored from). */
  readonly model: unknown;
  /** The document's own data set, parsed (install it before building the trainer); null for a built-in task. */
  readonly data: ParsedOwnData | null;
}

/** The document's data set checked against its task and parsed, or why not. */
function documentData(doc: ModelDocument): ParsedOwnData | null | string {
  const kind = ownKindOf(doc.experiment.task);
  const data = doc.data;
  if (kind === null) return data ? `The file carries a data set (${JSON.stringify(data.name)}) but its task "${doc.experiment.task}" does not use one.` : null;
  const what = kind === 'text' ? 'text file' : 'CSV file';
  if (!data) return `The file's task is your own ${what} ("${doc.experiment.task}"), but it does not carry the data set.`;
  if (data.kind !== kind) return `The file's task "${doc.experiment.task}" needs a ${what}, but it carries a ${data.kind === 'text' ? 'text file' : 'CSV file'}.`;
  const parsed = parseOwnData(data);
  return 'problem' in parsed ? `The file's data set ${JSON.stringify(data.name)} cannot be used: ${parsed.problem}.` : parsed;
}

/**
 * Builds the host model from a schema-valid document, or says which
 * cross-check failed: the graph (ids, then the kind's rule), the declared
 * tensor names and shapes and what the trainer would allocate (nothing
 * decoded yet), then each weight decoded as float32.
 */
export function documentToModel(doc: ModelDocument): DocumentModel | string {
  const data = documentData(doc);
  if (typeof data === 'string') return data;
  // The network's sizes follow from the data set: check it with the document's own installed, whatever this thread holds.
  const read = data ? withOwnData(data, () => networkOf(doc)) : networkOf(doc);
  return typeof read === 'string' ? read : { ...read, data };
}

function networkOf(doc: ModelDocument): Omit<DocumentModel, 'data'> | string {
  const graph: Graph = {
    nodes: doc.graph.nodes.map((n) => ({ id: n.id, role: n.role })),
    edges: doc.graph.edges,
    nextNodeId: doc.graph.nextNodeId,
    nextEdgeId: doc.graph.nextEdgeId,
  };
  const experiment = doc.experiment;
  const codec = descriptorOf(experiment.model).document;
  const problem = graphProblem(graph, { parallelEdges: codec.parallelEdges }) ?? codec.graphProblem(experiment, graph);
  if (problem) return `The file's graph is invalid: ${problem}.`;
  const want = codec.tensorShapes(experiment, graph);
  const badShape = shapeProblem(want, doc.weights);
  if (badShape) return `The file does not fit this ${experiment.model} model: ${badShape}.`;
  const floats = codec.deviceFloats(experiment, graph);
  if (floats > MAX_TENSOR_FLOATS) {
    return `The file's network is too large for a browser: it needs a tensor of ${floats.toLocaleString('en-US')} float32 values, a backend holds at most ${MAX_TENSOR_FLOATS.toLocaleString('en-US')}.`;
  }
  const tensors: Record<string, HostTensor> = {};
  for (const [name, t] of Object.entries(doc.weights)) {
    const decoded = decodeWeights(t.data, t.shape.reduce((a, b) => a * b, 1), MAX_WEIGHT_MAGNITUDE);
    if ('problem' in decoded) return `Weight "${name}" ${decoded.problem}.`;
    tensors[name] = { shape: t.shape, values: decoded.values };
  }
  const bad = tensorProblem(want, tensors);
  if (bad) return `The file does not fit this ${experiment.model} model: ${bad}.`;
  const encoded: EncodedModel = { graph, tensors, visitShare: new Map(doc.graph.nodes.map((n) => [n.id, n.visitShare])) };
  return { encoded, model: codec.decode(experiment, encoded) };
}

/** The names and declared shapes against what the kind needs, before any value is decoded (the words tensorProblem uses). */
function shapeProblem(want: Readonly<Record<string, readonly number[]>>, weights: ModelDocument['weights']): string | null {
  const unknown = Object.keys(weights).filter((n) => !Object.hasOwn(want, n));
  if (unknown.length > 0) return `unknown weight${unknown.length > 1 ? 's' : ''} ${unknown.slice(0, 3).map((n) => `"${n}"`).join(', ')}`;
  for (const [name, shape] of Object.entries(want)) {
    const t = weights[name];
    if (!t) return `weight "${name}" is missing`;
    if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) return `weight "${name}" has shape [${t.shape.join(', ')}] but the graph and parameters need [${shape.join(', ')}]`;
  }
  return null;
}
