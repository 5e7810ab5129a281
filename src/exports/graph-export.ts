/**
 * The running network as a graphology graph with the attributes the GraphML
 * and GEXF files carry: per node its role, activity on the latest frame,
 * visit share, weight norm and birth tick; per edge the strength the view
 * draws, the gate (for gated models) and the weight norm. Directed, with
 * parallel edges (DNA's split cells) and self-loops.
 */
import { MultiDirectedGraph } from 'graphology';
import { descriptorOf } from '../protocol/experiment';
import { gateRowOffset, type FrameTrace } from '../protocol/messages';
import type { ModelDocument } from '../protocol/model-document';
import { weightNorms } from './weight-norms';

export interface ExportNode {
  /** The node's id in the lab (also its key). */
  readonly id: number;
  readonly label: string;
  readonly role: string;
  /** Mean state of the node over the latest frame's probe ticks; NaN when no frame showed it. */
  readonly activity: number;
  /** Share of thread visits (EMA over training), 0..1. */
  readonly visitShare: number;
  /** L2 norm of the weights the node reads with (see weight-norms.ts). */
  readonly weightNorm: number;
  /** Global tick the node was born at; 0 for the network's original nodes. */
  readonly birthTick: number;
}

export interface ExportEdge {
  /** The edge's id in the lab (its key is `e<id>`; networkx keeps a GraphML edge's element id as `id`, hence the other name). */
  readonly edgeId: number;
  /** What the view draws for the edge on the latest frame's last tick (gate, |weight| or message, 0..1); NaN when no frame showed it. */
  readonly strength: number;
  /** The gate on the last probe tick: only for models whose edges are gates (LARA). */
  readonly gate?: number;
  /** L2 norm of the edge's weights. */
  readonly weightNorm: number;
}

export interface ExportGraphAttributes {
  readonly format: string;
  readonly model: string;
  readonly task: string;
  readonly step: number;
  /** What `strength` is for this model: gate, weight or message. */
  readonly strengthKind: string;
  /** What the weight norms cover for this model. */
  readonly weightNormNote: string;
}

export type ExportGraph = MultiDirectedGraph<ExportNode, ExportEdge, ExportGraphAttributes>;

/** GraphML/GEXF types of the attributes (the integers stay integers in networkx and Gephi). */
export const EXPORT_ATTRIBUTE_TYPES = {
  node: { id: 'int', label: 'string', role: 'string', activity: 'double', visitShare: 'double', weightNorm: 'double', birthTick: 'int' },
  edge: { edgeId: 'int', strength: 'double', gate: 'double', weightNorm: 'double' },
  graph: { format: 'string', model: 'string', task: 'string', step: 'int', strengthKind: 'string', weightNormNote: 'string' },
} as const;

export interface GraphExportInput {
  readonly document: ModelDocument;
  /** The latest frame's graph trace, or null before the first frame. */
  readonly frame: FrameTrace | null;
  /** Node id -> birth tick (BirthLog.births); missing ids are original nodes. */
  readonly births: ReadonlyMap<number, number>;
}

export function exportGraph({ document: doc, frame, births }: GraphExportInput): ExportGraph {
  const norms = weightNorms(doc);
  const strengthKind = descriptorOf(doc.experiment.model).graphView?.edges ?? 'gate';
  const { activity, strength } = frameValues(frame);
  const visits = new Map<number, number>();
  if (frame) frame.nodeIds.forEach((id, p) => visits.set(id, frame.visitShare[p] ?? 0));
  const g: ExportGraph = new MultiDirectedGraph({ allowSelfLoops: true });
  g.replaceAttributes({
    format: 'loopy-lab',
    model: doc.experiment.model,
    task: doc.experiment.task,
    step: doc.step,
    strengthKind,
    weightNormNote: norms.note,
  });
  for (const n of doc.graph.nodes) {
    g.addNode(String(n.id), {
      id: n.id,
      label: `${n.role} ${n.id}`,
      role: n.role,
      activity: activity.get(n.id) ?? NaN,
      visitShare: visits.get(n.id) ?? n.visitShare,
      weightNorm: norms.node.get(n.id) ?? 0,
      birthTick: births.get(n.id) ?? 0,
    });
  }
  for (const e of doc.graph.edges) {
    const s = strength.get(e.id) ?? NaN;
    g.addEdgeWithKey(`e${e.id}`, String(e.source), String(e.target), {
      edgeId: e.id,
      strength: s,
      ...(strengthKind === 'gate' ? { gate: s } : {}),
      weightNorm: norms.edge.get(e.id) ?? 0,
    });
  }
  return g;
}

/** Per node id its mean activity over the frame's ticks; per edge id its slot value on the last tick. */
function frameValues(frame: FrameTrace | null): { activity: Map<number, number>; strength: Map<number, number> } {
  const activity = new Map<number, number>();
  const strength = new Map<number, number>();
  if (!frame || frame.ticks <= 0) return { activity, strength };
  const L = frame.nodeIds.length;
  const T = frame.ticks;
  for (let p = 0; p < L; p++) {
    let sum = 0;
    for (let t = 0; t < T; t++) sum += frame.activity[t * L + p] ?? 0;
    activity.set(frame.nodeIds[p] as number, sum / T);
  }
  const last = gateRowOffset(frame, T - 1);
  frame.slotEdge.forEach((edgeId, slot) => {
    if (edgeId >= 0) strength.set(edgeId, frame.gates[last + slot] ?? NaN);
  });
  return { activity, strength };
}
