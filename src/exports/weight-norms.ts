/**
 * L2 norms of the weights, per edge and per node, read from an export
 * document's named tensors. Each model kind stores its tensors its own way
 * (its document codec), so the mapping is per kind; `note` says in words
 * what was mapped onto what, and it travels into the graph files.
 *
 * A node's norm covers every weight it reads with: its incoming edges'
 * weights and its own rows (an input projection, a readout, a bias).
 */
import { base64ToFloat32 } from '../protocol/base64';
import type { ModelDocument } from '../protocol/model-document';

export interface WeightNorms {
  /** Edge id -> L2 norm of the edge's weights. */
  readonly edge: ReadonlyMap<number, number>;
  /** Node id -> L2 norm of its incoming edges' weights and its own rows. */
  readonly node: ReadonlyMap<number, number>;
  /** What the norms cover for this kind, and which tensors map onto no node or edge. */
  readonly note: string;
}

interface Tensor {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** A document tensor decoded, or null when the document lacks it. */
function tensor(doc: ModelDocument, name: string): Tensor | null {
  const t = doc.weights[name];
  if (!t) return null;
  const values = base64ToFloat32(t.data);
  return values ? { shape: t.shape, values } : null;
}

/** Sum of squares of `values[from .. from + count)`, stepping by `stride`. */
function sumSq(values: Float32Array, from: number, count: number, stride = 1): number {
  let s = 0;
  for (let i = 0; i < count; i++) {
    const v = values[from + i * stride] ?? 0;
    s += v * v;
  }
  return s;
}

/** Squared norms, added up per id, then rooted once at the end. */
class SquareSums {
  readonly edge = new Map<number, number>();
  readonly node = new Map<number, number>();
  addEdge(id: number, sq: number): void {
    this.edge.set(id, (this.edge.get(id) ?? 0) + sq);
  }
  addNode(id: number, sq: number): void {
    this.node.set(id, (this.node.get(id) ?? 0) + sq);
  }
  /** Roots: edges on their own, nodes with their incoming edges added. */
  finish(doc: ModelDocument, note: string): WeightNorms {
    const node = new Map<number, number>();
    for (const n of doc.graph.nodes) node.set(n.id, this.node.get(n.id) ?? 0);
    for (const e of doc.graph.edges) node.set(e.target, (node.get(e.target) ?? 0) + (this.edge.get(e.id) ?? 0));
    const edge = new Map<number, number>();
    for (const e of doc.graph.edges) edge.set(e.id, Math.sqrt(this.edge.get(e.id) ?? 0));
    for (const [id, sq] of node) node.set(id, Math.sqrt(sq));
    return { edge, node, note };
  }
}

/** Rows of a table [rows, ...] stored in graph order, added to the ids in `ids`. */
function addRows(t: Tensor | null, ids: readonly number[], add: (id: number, sq: number) => void): void {
  if (!t || t.shape[0] !== ids.length) return;
  const width = t.shape.slice(1).reduce((a, b) => a * b, 1);
  ids.forEach((id, i) => add(id, sumSq(t.values, i * width, width)));
}

export function weightNorms(doc: ModelDocument): WeightNorms {
  const s = new SquareSums();
  const nodes = doc.graph.nodes;
  const edges = doc.graph.edges;
  const kind = doc.experiment.model;
  switch (kind) {
    case 'lara':
    case 'loopy': {
      // LARA's tables (engine/lara/lara-document.ts): per-edge rows in graph.edges order, inputs and reads in graph.nodes order.
      const edgeIds = edges.map((e) => e.id);
      for (const name of ['edgeW', 'gateU', 'gateV']) addRows(tensor(doc, name), edgeIds, (id, sq) => s.addEdge(id, sq));
      addRows(
        tensor(doc, 'inputW'),
        nodes.filter((n) => n.role === 'input').map((n) => n.id),
        (id, sq) => s.addNode(id, sq),
      );
      const readout = tensor(doc, 'readoutW');
      // A reservoir reads every node, the other rules the output nodes: the row count says which.
      const reads = readout?.shape[0] === nodes.length ? nodes : nodes.filter((n) => n.role === 'output');
      addRows(
        readout,
        reads.map((n) => n.id),
        (id, sq) => s.addNode(id, sq),
      );
      return s.finish(doc, 'edge: its edgeW, gateU and gateV rows; node: its in-edges plus its inputW row (input nodes) and readoutW row (read nodes)');
    }
    case 'dna': {
      // One cell per edge: [E] tensors in graph.edges order. Passthrough is a running statistic, not a weight.
      const w = tensor(doc, 'cellW');
      const b = tensor(doc, 'cellB');
      edges.forEach((e, i) => s.addEdge(e.id, (w?.values[i] ?? 0) ** 2 + (b?.values[i] ?? 0) ** 2));
      return s.finish(doc, 'edge: its cell, sqrt(w^2 + b^2) from cellW and cellB; node: its cells; passthrough (a statistic) is left out');
    }
    case 'gru':
    case 'lstm': {
      // The cell's matrices (engine/gated/gated-graph.ts ids): unit a's gate columns are g*H + a for each gate block g.
      const inputW = tensor(doc, 'inputW');
      const recurrentW = tensor(doc, 'recurrentW');
      const readoutW = tensor(doc, 'readoutW');
      if (!inputW || !recurrentW || !readoutW) return s.finish(doc, 'the document lacks the cell tensors');
      const D = inputW.shape[0] ?? 0;
      const G = inputW.shape[1] ?? 0;
      const H = recurrentW.shape[0] ?? 0;
      const C = readoutW.shape[1] ?? 0;
      const gates = H > 0 ? G / H : 0;
      const gateSq = (t: Tensor, row: number, unit: number): number => sumSq(t.values, row * G + unit, gates, H);
      for (let i = 0; i < D; i++) for (let a = 0; a < H; a++) s.addEdge(i * H + a, gateSq(inputW, i, a));
      for (let b = 0; b < H; b++) for (let a = 0; a < H; a++) s.addEdge(D * H + b * H + a, gateSq(recurrentW, b, a));
      for (let j = 0; j < H; j++) for (let c = 0; c < C; c++) s.addEdge(D * H + H * H + j * C + c, (readoutW.values[j * C + c] ?? 0) ** 2);
      for (const name of ['inputB', 'recurrentB', 'bias']) {
        const bias = tensor(doc, name);
        if (bias) for (let a = 0; a < H; a++) s.addNode(D + a, sumSq(bias.values, a, gates, H));
      }
      const readoutB = tensor(doc, 'readoutB');
      if (readoutB) for (let c = 0; c < C; c++) s.addNode(D + H + c, (readoutB.values[c] ?? 0) ** 2);
      return s.finish(doc, 'edge: its weight over every gate block (input -> unit: inputW, unit -> unit: recurrentW, unit -> output: readoutW); node: its in-edges plus its biases');
    }
    case 'routing': {
      // The chain input -> layer 1 -> ... -> layer N -> output (engine/routing/routing-document.ts): edge l feeds node l + 1.
      const N = edges.length - 1;
      const layerW = tensor(doc, 'layerW');
      const slice = (t: Tensor | null, l: number): number => {
        if (!t) return 0;
        const width = t.shape.slice(1).reduce((a, b) => a * b, 1);
        return sumSq(t.values, l * width, width);
      };
      for (let l = 0; l < N; l++) s.addEdge(l, slice(layerW, l));
      const outW = tensor(doc, 'outW');
      if (outW) s.addEdge(N, sumSq(outW.values, 0, outW.values.length));
      for (const name of ['inW', 'inB']) {
        const t = tensor(doc, name);
        if (t) s.addNode(0, sumSq(t.values, 0, t.values.length));
      }
      for (const name of ['layerB', 'routerW', 'routerB', 'skipS']) {
        const t = tensor(doc, name);
        for (let l = 0; l < N; l++) s.addNode(l + 1, slice(t, l));
      }
      const outB = tensor(doc, 'outB');
      if (outB) s.addNode(N + 1, sumSq(outB.values, 0, outB.values.length));
      return s.finish(doc, 'edge l < N: layerW[l]; edge N: outW; input node: inW and inB (the input projection); layer node: its in-edge plus layerB, routerW, routerB and skipS; output node: outW plus outB');
    }
  }
}
