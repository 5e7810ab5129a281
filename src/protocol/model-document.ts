/**
 * The export format: a versioned JSON document holding the experiment, the
 * graph with stable ids and every weight as a named float32 tensor (base64).
 * Which tensors a document holds, their shapes and how they map onto the
 * model is each model kind's document codec (engine/model-descriptor.ts);
 * this file is model-neutral.
 *
 * Import runs parseModelDocument: JSON, format and version, the zod schema,
 * then the cross-checks a schema cannot express (the graph against the
 * model kind, tensor names and shapes, finite values). Nothing reaches the
 * model before all pass.
 */
import { z } from 'zod';
import { errorSentences } from './schema-sentences';
import { graphProblem, type Graph } from '../engine/graph';
import type { EncodedModel } from '../engine/model-descriptor';
import { tensorProblem, type HostTensor } from '../engine/training/host-tensor';
import { base64ToFloat32, float32ToBase64 } from './base64';
import { descriptorOf, experimentSchema, type Experiment } from './experiment';

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
  /** Named float32 tensors; each model kind's document codec says which (e.g. engine/lara/lara-document.ts). */
  weights: z.record(z.string().max(64), tensorSchema).refine((w) => Object.keys(w).length <= 32, 'at most 32 tensors'),
  step: z.number().int().min(0),
  metrics: z.object({ loss: z.number().nullable(), accuracy: z.number().nullable() }),
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
  };
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
    return { ok: false, error: `The file does not match the Loopy Lab format: ${errorSentences(parsed.error)}.` };
  }
  const result = documentToModel(parsed.data);
  return typeof result === 'string' ? { ok: false, error: result } : { ok: true, document: parsed.data, ...result };
}

/** The document's network, checked against its model kind, in the model-neutral form and as the kind's host model. */
export interface DocumentModel {
  readonly encoded: EncodedModel;
  /** The host model of the document's kind (what its trainer is restored from). */
  readonly model: unknown;
}

/** Builds the host model from a schema-valid document, or says which cross-check failed. */
export function documentToModel(doc: ModelDocument): DocumentModel | string {
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
  const tensors: Record<string, HostTensor> = {};
  for (const [name, t] of Object.entries(doc.weights)) {
    const values = base64ToFloat32(t.data);
    if (!values) return `Weight "${name}" is not base64 float32 data.`;
    tensors[name] = { shape: t.shape, values };
  }
  const bad = tensorProblem(codec.tensorShapes(experiment, graph), tensors);
  if (bad) return `The file does not fit this ${experiment.model} model: ${bad}.`;
  const encoded: EncodedModel = { graph, tensors, visitShare: new Map(doc.graph.nodes.map((n) => [n.id, n.visitShare])) };
  return { encoded, model: codec.decode(experiment, encoded) };
}
