/**
 * Small hand-made networks and inputs shared by the engine tests: the same
 * numbers feed the tensor code and the plain-TS reference.
 */
import * as tf from '@tensorflow/tfjs';
import type { Graph, GraphEdge, GraphNode, NodeRole } from '../graph';
import type { Packing } from '../packing';
import { normalArray, randInt, type Rng } from '../random';
import type { ExplorationKind } from '../lara/lara-params';
import { REFERENCE_WEIGHTS, type ReferenceWeightName } from './lara-reference';

/** Builds a graph from roles and `[source, target]` pairs; edge ids follow list order. */
export function graphOf(roles: readonly NodeRole[], links: readonly (readonly [number, number])[]): Graph {
  const nodes: GraphNode[] = roles.map((role, id) => ({ id, role }));
  const edges: GraphEdge[] = links.map(([source, target], id) => ({ id, source, target }));
  return { nodes, edges, nextNodeId: nodes.length, nextEdgeId: edges.length };
}

/**
 * Five nodes with in-degrees 3, 2, 3, 2, 1 (K = 3, so four hosts have padding
 * slots), edges listed out of host order. The output reads the input node
 * directly, so every weight table reaches the loss whatever the routing.
 */
export function unevenGraph(): Graph {
  return graphOf(
    ['input', 'hidden', 'hidden', 'output', 'hidden'],
    [
      [1, 0],
      [2, 1],
      [1, 2],
      [0, 0],
      [2, 3],
      [3, 4],
      [3, 2],
      [0, 1],
      [0, 3],
      [4, 0],
      [2, 2],
    ],
  );
}

/** Two input and two output nodes (multi-input drive and multi-node read-out); in-degrees 2, 3, 2, 2, 2. */
export function twoPortGraph(): Graph {
  return graphOf(
    ['input', 'hidden', 'output', 'input', 'output'],
    [
      [1, 0],
      [0, 1],
      [3, 1],
      [2, 1],
      [1, 2],
      [2, 2],
      [1, 3],
      [4, 3],
      [2, 4],
      [3, 4],
      [0, 0],
    ],
  );
}

export interface Dims {
  readonly H: number;
  readonly D: number;
  readonly C: number;
}

export type WeightArrays = Record<ReferenceWeightName, Float32Array>;

/** Device shapes of the packed weights (as the trainer uploads them). */
export function weightShapes(p: Packing, d: Dims): Record<ReferenceWeightName, number[]> {
  return {
    edgeW: [p.L, p.K * d.H, d.H],
    gateU: [p.L, p.K, 1, d.H],
    gateV: [p.L, p.K, 1, d.H],
    inputW: [p.inputPositions.length, d.D, d.H],
    readoutW: [p.readPositions.length * d.H, d.C],
  };
}

/**
 * Random packed weights; padding rows get random values too, so only the mask
 * can hide them. Edge and input weights lean positive so that few relu units
 * die and every table keeps a gradient.
 */
export function randomWeights(p: Packing, d: Dims, rng: Rng): WeightArrays {
  const shapes = weightShapes(p, d);
  const std: Record<ReferenceWeightName, number> = { edgeW: 0.6, gateU: 0.6, gateV: 0.6, inputW: 1, readoutW: 0.6 };
  const mean: Record<ReferenceWeightName, number> = { edgeW: 0.2, gateU: 0, gateV: 0, inputW: 0.3, readoutW: 0 };
  const out = {} as WeightArrays;
  for (const name of REFERENCE_WEIGHTS) {
    const w = normalArray(rng, shapes[name].reduce((x, y) => x * y, 1), std[name]);
    out[name] = w.map((x) => x + mean[name]);
  }
  return out;
}

export function weightVariables(w: WeightArrays, p: Packing, d: Dims): Record<ReferenceWeightName, tf.Variable> {
  const shapes = weightShapes(p, d);
  const vars = {} as Record<ReferenceWeightName, tf.Variable>;
  for (const name of REFERENCE_WEIGHTS) {
    const init = tf.tensor(w[name], shapes[name]);
    vars[name] = tf.variable(init);
    init.dispose(); // the variable holds its own reference to the data
  }
  return vars;
}

export { asLaraWeights } from '../lara/lara-forward';

/** Rows of `size` with a 1 at each symbol (none for -1). */
export function oneHotRows(symbols: ArrayLike<number>, size: number): Float32Array {
  const out = new Float32Array(symbols.length * size);
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i] as number;
    if (s >= 0) out[i * size + s] = 1;
  }
  return out;
}

/** [rows, L] one-hot thread positions. */
export function positionsTensor(positions: ArrayLike<number>, L: number): tf.Tensor2D {
  return tf.tensor2d(oneHotRows(positions, L), [positions.length, L]);
}

/** Random symbols in [0, n); with `skip`, about that fraction are -1 (not scored). */
export function randomSymbols(rng: Rng, count: number, n: number, skip = 0): Int32Array {
  return Int32Array.from({ length: count }, () => (rng.next() < skip ? -1 : randInt(rng, n)));
}

/** Exploration noise as the trainer makes it, [ticks, rows, K] flat. */
export function explorationNoise(rng: Rng, kind: ExplorationKind, ticks: number, rows: number, K: number, explore: number, scale: number): Float32Array {
  const noise = new Float32Array(ticks * rows * K);
  for (let r = 0; r < ticks * rows; r++) {
    if (kind === 'epsilon') {
      if (rng.next() >= explore) continue;
      for (let s = 0; s < K; s++) noise[r * K + s] = scale * rng.next();
    } else {
      for (let s = 0; s < K; s++) noise[r * K + s] = -explore * Math.log(-Math.log(Math.max(rng.next(), 1e-12)));
    }
  }
  return noise;
}

/** Largest |a - b| over the largest |b| (or `floor`, whichever is larger). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 1e-6): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] as number) - (expected[i] as number)));
    scale = Math.max(scale, Math.abs(expected[i] as number));
  }
  return Number.isNaN(diff) ? Infinity : diff / scale;
}
