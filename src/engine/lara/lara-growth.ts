/**
 * Growth: nodes the thread keeps visiting grow a new node while the loss is
 * stuck, nodes it never visits die. Pure host-side edits of a LaraHostModel;
 * the trainer repacks the device tensors between steps.
 */
import type { Graph, GraphEdge, GraphNode } from '../graph';
import type { RowTable } from '../packing';
import { randNormal, type Rng } from '../random';
import { freshRow, LARA_TABLE_NAMES, type LaraHostModel, type LaraTableName } from './lara-model';
import type { GateKind, GrowthParams } from './lara-params';
import type { TopologyEvent } from '../training/step-result';

export interface GrowthResult {
  readonly model: LaraHostModel;
  readonly events: readonly TopologyEvent[];
  /** Consecutive checks each node has starved. */
  readonly starving: ReadonlyMap<number, number>;
  /** The loss tracker after the check (a birth restarts its count of stale steps). */
  readonly plateau: LossPlateau;
}

/** Weight of the newest step in the loss EMA: about a 20-step memory, so one noisy batch neither starts nor ends a plateau. */
export const LOSS_EMA = 0.05;

/** Progress of the loss-plateau trigger, carried from step to step. */
export interface LossPlateau {
  /** EMA of the train loss (nats); null before the first step. */
  readonly ema: number | null;
  /** Lowest EMA that counted as an improvement (Infinity before the first step). */
  readonly best: number;
  /** Steps since the EMA last fell below best * (1 - minImprovement), or since the last birth. */
  readonly stale: number;
}

export const INITIAL_LOSS_PLATEAU: LossPlateau = { ema: null, best: Infinity, stale: 0 };

/**
 * Feeds one step's loss to the tracker. The EMA improves when it falls below
 * the best by the relative margin (then it is the new best and stale = 0);
 * otherwise stale += 1. Non-finite losses are ignored (the step is rolled back).
 */
export function trackLoss(state: LossPlateau, loss: number, p: Pick<GrowthParams, 'minImprovement'>): LossPlateau {
  if (!Number.isFinite(loss)) return state;
  const ema = state.ema === null ? loss : (1 - LOSS_EMA) * state.ema + LOSS_EMA * loss;
  const improved = ema < state.best * (1 - p.minImprovement);
  return { ema, best: improved ? ema : state.best, stale: improved ? 0 : state.stale + 1 };
}

/** Whether the loss gives a reason to grow: not improving for plateauSteps steps, and not yet low (above lossFloor). */
export function lossStuck(state: LossPlateau, p: Pick<GrowthParams, 'plateauSteps' | 'lossFloor'>): boolean {
  return state.ema !== null && state.ema > p.lossFloor && state.stale >= p.plateauSteps;
}

export interface GrowthContext {
  readonly params: GrowthParams;
  readonly gate: GateKind;
  readonly selfLoops: boolean;
  /** In-degree of a fresh node, self-loop included. */
  readonly degree: number;
  readonly tick: number;
  readonly rng: Rng;
  /** The loss tracker (trigger 'plateau' grows only while lossStuck holds). */
  readonly plateau: LossPlateau;
}

/** Working copy of a model that growth edits in place. */
interface Draft {
  nodes: GraphNode[];
  edges: GraphEdge[];
  nextNodeId: number;
  nextEdgeId: number;
  tables: Record<LaraTableName, RowTable> & { nodeBias?: RowTable };
  share: Map<number, number>;
}

/**
 * One growth check: deaths of starved nodes first, then at most one new node,
 * from the busiest hidden node when its visit share is above splitAbove and
 * (trigger 'plateau') the loss is stuck.
 */
export function growthCheck(model: LaraHostModel, starving: ReadonlyMap<number, number>, ctx: GrowthContext): GrowthResult {
  const p = ctx.params;
  const starve = new Map<number, number>();
  for (const n of model.graph.nodes) {
    const share = model.visitShare.get(n.id) ?? 0;
    starve.set(n.id, share < p.deleteBelow ? (starving.get(n.id) ?? 0) + 1 : 0);
  }
  const draft = toDraft(model);
  const events: TopologyEvent[] = [];

  const candidates = draft.nodes
    .filter((n) => n.role === 'hidden' && (starve.get(n.id) ?? 0) >= p.patience)
    .sort((a, b) => (draft.share.get(a.id) ?? 0) - (draft.share.get(b.id) ?? 0));
  const maxDeaths = Math.max(1, Math.floor(draft.nodes.length / 10));
  for (const n of candidates) {
    if (events.length >= maxDeaths || draft.nodes.length <= p.minNodes) break;
    if (!staysConnected(draft, n.id)) continue;
    events.push(removeNode(draft, n.id, ctx));
    starve.delete(n.id);
  }

  let plateau = ctx.plateau;
  const reason = p.trigger === 'visits' || lossStuck(plateau, p);
  if (reason && draft.nodes.length < p.maxNodes) {
    // Only hidden nodes split: the copy would not inherit an input's drive or an output's read-out.
    const busiest = draft.nodes
      .filter((n) => n.role === 'hidden')
      .sort((a, b) => (draft.share.get(b.id) ?? 0) - (draft.share.get(a.id) ?? 0))[0];
    if (busiest && (draft.share.get(busiest.id) ?? 0) > p.splitAbove) {
      const born = p.mode === 'split' ? splitNode(draft, busiest.id, model, ctx) : birthNode(draft, model, ctx);
      events.push(born);
      starve.set(born.nodeId, 0);
      // The new node gets plateauSteps steps to help before the next one.
      plateau = { ...plateau, stale: 0 };
    }
  }
  return { model: fromDraft(draft, model), events, starving: starve, plateau };
}

function toDraft(m: LaraHostModel): Draft {
  const tables = {} as Draft['tables'];
  for (const name of LARA_TABLE_NAMES) {
    const t = m.tables[name];
    tables[name] = { width: t.width, rows: new Map(t.rows) };
  }
  if (m.tables.nodeBias) tables.nodeBias = { width: m.tables.nodeBias.width, rows: new Map(m.tables.nodeBias.rows) };
  return {
    nodes: [...m.graph.nodes],
    edges: [...m.graph.edges],
    nextNodeId: m.graph.nextNodeId,
    nextEdgeId: m.graph.nextEdgeId,
    tables,
    share: new Map(m.visitShare),
  };
}

function fromDraft(d: Draft, m: LaraHostModel): LaraHostModel {
  const graph: Graph = { nodes: d.nodes, edges: d.edges, nextNodeId: d.nextNodeId, nextEdgeId: d.nextEdgeId };
  return { graph, dims: m.dims, tables: d.tables, visitShare: d.share };
}

function inDegree(d: Draft, id: number): number {
  return d.edges.reduce((n, e) => n + (e.target === id ? 1 : 0), 0);
}

/** Whether the undirected graph stays connected without node `id`. */
function staysConnected(d: Draft, id: number): boolean {
  const rest = d.nodes.filter((n) => n.id !== id);
  if (rest.length === 0) return false;
  const adj = new Map<number, number[]>(rest.map((n) => [n.id, []]));
  for (const e of d.edges) {
    if (e.source === id || e.target === id || e.source === e.target) continue;
    adj.get(e.source)?.push(e.target);
    adj.get(e.target)?.push(e.source);
  }
  const seen = new Set<number>([(rest[0] as GraphNode).id]);
  const stack = [(rest[0] as GraphNode).id];
  while (stack.length > 0) {
    for (const b of adj.get(stack.pop() as number) ?? []) {
      if (!seen.has(b)) {
        seen.add(b);
        stack.push(b);
      }
    }
  }
  return seen.size === rest.length;
}

function addEdge(d: Draft, source: number, target: number, rows: Partial<Record<LaraTableName, Float32Array>>): number {
  const id = d.nextEdgeId++;
  d.edges.push({ id, source, target });
  for (const name of ['edgeW', 'gateU', 'gateV'] as const) {
    const row = rows[name];
    if (row) d.tables[name].rows.set(id, row);
  }
  return id;
}

function removeNode(d: Draft, id: number, ctx: GrowthContext): TopologyEvent {
  const gone = d.edges.filter((e) => e.source === id || e.target === id);
  d.edges = d.edges.filter((e) => e.source !== id && e.target !== id);
  for (const e of gone) for (const name of ['edgeW', 'gateU', 'gateV'] as const) d.tables[name].rows.delete(e.id);
  for (const name of ['inputW', 'readoutW'] as const) d.tables[name].rows.delete(id);
  d.tables.nodeBias?.rows.delete(id);
  d.nodes = d.nodes.filter((n) => n.id !== id);
  d.share.delete(id);
  // A host left without sources would have nothing to read and nowhere to send the thread.
  for (const n of d.nodes) {
    if (inDegree(d, n.id) === 0) addEdge(d, n.id, n.id, freshEdgeRows(d, ctx));
  }
  return { kind: 'death', nodeId: id, tick: ctx.tick, cause: 'starved', edgeIds: gone.map((e) => e.id) };
}

function freshEdgeRows(d: Draft, ctx: GrowthContext): Record<'edgeW' | 'gateU' | 'gateV', Float32Array> {
  const dims = dimsOf(d);
  const degree = ctx.params.maxDegree;
  return {
    edgeW: freshRow(ctx.rng, 'edgeW', dims, ctx.gate, degree, 1),
    gateU: freshRow(ctx.rng, 'gateU', dims, ctx.gate, degree, 1),
    gateV: freshRow(ctx.rng, 'gateV', dims, ctx.gate, degree, 1),
  };
}

function dimsOf(d: Draft): { width: number; inputSize: number; outputSize: number; readAll: boolean } {
  const width = d.tables.gateU.width;
  return {
    width,
    inputSize: d.tables.inputW.width / width,
    outputSize: d.tables.readoutW.width / width,
    readAll: false,
  };
}

function jitter(row: Float32Array, rng: Rng, scale: number): Float32Array {
  return row.map((x) => x + scale * randNormal(rng));
}

/** Net2Net-style split: the child copies the parent's inputs; both share the parent's outgoing weight, halved. */
function splitNode(d: Draft, parentId: number, m: LaraHostModel, ctx: GrowthContext): TopologyEvent {
  const childId = d.nextNodeId++;
  d.nodes.push({ id: childId, role: 'hidden' });
  const edgeIds: number[] = [];
  const rowsOf = (edgeId: number, halve: boolean): Partial<Record<LaraTableName, Float32Array>> => {
    const w = d.tables.edgeW.rows.get(edgeId) as Float32Array;
    return {
      edgeW: halve ? w.map((x) => x / 2) : jitter(w, ctx.rng, 1e-3),
      gateU: (d.tables.gateU.rows.get(edgeId) as Float32Array).slice(),
      gateV: (d.tables.gateV.rows.get(edgeId) as Float32Array).slice(),
    };
  };
  const incoming = d.edges.filter((e) => e.target === parentId);
  const outgoing = d.edges.filter((e) => e.source === parentId && e.target !== parentId);
  for (const e of incoming) {
    edgeIds.push(addEdge(d, e.source === parentId ? childId : e.source, childId, rowsOf(e.id, false)));
  }
  for (const e of outgoing) {
    if (inDegree(d, e.target) >= ctx.params.maxDegree) continue;
    edgeIds.push(addEdge(d, childId, e.target, rowsOf(e.id, true)));
    const w = d.tables.edgeW.rows.get(e.id) as Float32Array;
    d.tables.edgeW.rows.set(e.id, w.map((x) => x / 2));
  }
  // The child's pre-activation equals the parent's: same inputs, same bias.
  const bias = d.tables.nodeBias?.rows.get(parentId);
  if (bias) d.tables.nodeBias?.rows.set(childId, bias.slice());
  const readout = d.tables.readoutW.rows.get(parentId);
  if (readout && m.dims.readAll) {
    const half = readout.map((x) => x / 2);
    d.tables.readoutW.rows.set(parentId, half);
    d.tables.readoutW.rows.set(childId, half.slice());
  }
  const share = (d.share.get(parentId) ?? 0) / 2;
  d.share.set(parentId, share);
  d.share.set(childId, share);
  return { kind: 'birth', nodeId: childId, tick: ctx.tick, cause: 'split', parentId, edgeIds };
}

/** A fresh node that reads the busiest nodes and that they read, so the thread can reach it. */
function birthNode(d: Draft, m: LaraHostModel, ctx: GrowthContext): TopologyEvent {
  const id = d.nextNodeId++;
  d.nodes.push({ id, role: 'hidden' });
  const edgeIds: number[] = [];
  const busy = [...d.nodes]
    .filter((n) => n.id !== id)
    .sort((a, b) => (d.share.get(b.id) ?? 0) - (d.share.get(a.id) ?? 0));
  const selfSlot = ctx.selfLoops ? 1 : 0;
  const fanIn = Math.max(1, Math.min(busy.length, ctx.params.maxDegree - selfSlot, ctx.degree - selfSlot));
  if (ctx.selfLoops) edgeIds.push(addEdge(d, id, id, freshEdgeRows(d, ctx)));
  for (const n of busy.slice(0, fanIn)) {
    edgeIds.push(addEdge(d, n.id, id, freshEdgeRows(d, ctx)));
    if (inDegree(d, n.id) >= ctx.params.maxDegree) continue;
    // Zero outgoing weight: the host computes exactly what it did before the birth.
    const rows = freshEdgeRows(d, ctx);
    edgeIds.push(addEdge(d, id, n.id, { ...rows, edgeW: new Float32Array(rows.edgeW.length) }));
  }
  if (m.dims.readAll) d.tables.readoutW.rows.set(id, new Float32Array(d.tables.readoutW.width));
  d.tables.nodeBias?.rows.set(id, new Float32Array(d.tables.nodeBias.width));
  d.share.set(id, 0);
  return { kind: 'birth', nodeId: id, tick: ctx.tick, cause: 'birth', parentId: busy[0]?.id ?? id, edgeIds };
}
