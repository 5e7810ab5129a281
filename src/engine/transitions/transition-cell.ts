/**
 * Recurrent models seen as one transition f(s, x) = [s', y] on a flat state
 * (seed 002, docs/ARCHITECTURE.md): what transition-representation training needs, as
 * every transition of every sequence gets its own trainable input state.
 * Each cell wraps an engine model's own step; none re-implements its math.
 *
 * LARA: its state is the node states h [L, B, H] plus the thread positions q,
 * one-hot and chosen by an argmax over the gates (untaped). q cannot be a
 * trainable embedding: it is discrete, and a gradient step cannot move a
 * thread. Two ways out: (a) keep q per transition as a non-trained tag, set
 * from the roll-out and refreshed with the target (a fixed-point iteration on
 * the discrete part: stale between refreshes, and one refresh propagates a
 * routing change only one symbol further); (b) drop q from the state: every
 * symbol restarts the threads at their start nodes, so the state is h alone
 * and a transition is one call of LARA's `unroll` with steps = 1. (b) is
 * clean and implemented below, with a caveat: it is a different model from
 * the LARA the lab trains, whose threads wander on across symbols; with
 * thinkTicks = 1 a restarted thread only ever runs the input node, so (b)
 * needs thinkTicks >= 2 to route anywhere. The roll-out uses the same
 * restarts, so the evaluation is honest for the model (b) defines.
 */
import * as tf from '@tensorflow/tfjs';
import type { HostWeights } from '../training/host-tensor';
import type { CellDims, CellWeightName } from '../baselines/gated-rnn';
import { GRU_CELL, type GruWeightName } from '../baselines/gru';
import { uploadTables } from '../device-tables';
import { randomLoopyGraph } from '../graph';
import { asLaraWeights, createTopology, disposeTopology, startPositions, unroll } from '../lara/lara-forward';
import { initLaraModel, paramSpecs, type LaraDims } from '../lara/lara-model';
import { DEFAULT_LARA_PARAMS, type LaraParams } from '../lara/lara-params';
import { initLoopyEdges, loopyGraph, loopyInputWeights } from '../loopy/loopy-model';
import { loopyParamsSchema, type LoopyParamsInput } from '../loopy/loopy-params';
import { loopyUnroll } from '../loopy/loopy-unroll';
import { packGraph } from '../packing';
import { createRng, deriveSeed, normalArray } from '../random';
import { newVariable } from '../variables';
import type { TransitionCellKind } from './transition-cell-kinds';

export { TRANSITION_CELL_KINDS, type TransitionCellKind } from './transition-cell-kinds';

export interface TransitionCell {
  readonly kind: TransitionCellKind;
  /** S, flat state width per lane. */
  readonly stateSize: number;
  /** One-hot symbols. */
  readonly inputSize: number;
  readonly outputSize: number;
  /** [lo, hi]: where every state entry the cell can reach lies (GRU and tanh nodes: [-1, 1]; LARA's relu nodes: [0, inf)). */
  readonly stateRange: readonly [number, number];
  /** Trainable weights. */
  readonly variables: readonly tf.Variable[];
  /** s [B,S], x [B,inputSize] one-hot -> next state [B,S] and logits [B,outputSize]. Pure tfjs ops, differentiable. */
  step(s: tf.Tensor2D, x: tf.Tensor2D): { next: tf.Tensor2D; logits: tf.Tensor2D };
  /** The known start state: zeros. */
  initialState(lanes: number): tf.Tensor2D;
  dispose(): void;
}

/** Input and output alphabet sizes. */
export type CellSizes = Pick<CellDims, 'inputSize' | 'outputSize'>;

/**
 * The GRU baseline's cell (gru.ts) with its read-out. Same init stream as the
 * GRU baseline of the same seed, unless `weights` are given (tests).
 */
export function createGruTransitionCell(dims: CellDims, seed: number, weights?: HostWeights<CellWeightName<GruWeightName>>): TransitionCell {
  const init = weights ?? GRU_CELL.init(dims, createRng(deriveSeed(seed, 'gru-init')));
  const vars = Object.fromEntries(
    GRU_CELL.weightNames.map((n) => [n, newVariable(() => tf.tensor(init[n].values, [...init[n].shape]))]),
  ) as Record<CellWeightName<GruWeightName>, tf.Variable>;
  const variables = GRU_CELL.weightNames.map((n) => vars[n]);
  return {
    kind: 'gru',
    stateSize: dims.hidden,
    // h' = (1 - z) n + z h with n = tanh(...): a convex mix stays in [-1, 1].
    stateRange: [-1, 1],
    inputSize: dims.inputSize,
    outputSize: dims.outputSize,
    variables,
    step(s, x) {
      const [next] = GRU_CELL.step(vars, GRU_CELL.project(vars, x), [s]) as [tf.Tensor2D];
      return { next, logits: tf.add(tf.matMul(next, vars.readoutW as tf.Tensor2D), vars.readoutB) as tf.Tensor2D };
    },
    initialState: (lanes) => tf.zeros([lanes, dims.hidden]),
    dispose: () => tf.dispose(variables),
  };
}

/** Flat lane-major state [B, L*H] <-> the engines' node-major [L, B, H]. */
function toNodes(s: tf.Tensor2D, L: number, H: number): tf.Tensor3D {
  return tf.transpose(tf.reshape(s, [-1, L, H]), [1, 0, 2]) as tf.Tensor3D;
}
function toFlat(h: tf.Tensor3D): tf.Tensor2D {
  const [L, B, H] = h.shape;
  return tf.reshape(tf.transpose(h, [1, 0, 2]), [B, L * H]) as tf.Tensor2D;
}

/**
 * A loopy network (loopy-model.ts) with fixed pacing: one transition is one
 * symbol, `thinkTicks` ticks of loopyUnroll (symbol held on the first tick,
 * output nodes read on the last). State: every node's state, [L*H]. Same
 * graph and initial weights as createLoopySequenceModel with this seed.
 * Read-node pacing has no fixed-length transition (a lane ticks until it
 * fires), so it is refused.
 */
export function createLoopyTransitionCell(sizes: CellSizes, seed: number, params: LoopyParamsInput = {}): TransitionCell {
  const p = loopyParamsSchema.parse(params);
  if (p.pacing !== 'fixed') throw new Error('loopy transition cell: only fixed pacing has one transition per symbol');
  const packing = packGraph(loopyGraph({ ...sizes, seed }, p), false);
  const topo = createTopology(packing, 1);
  const { L, K } = packing;
  const H = p.width;
  const reads = packing.readPositions.length;
  const rng = createRng(deriveSeed(seed, 'loopy-readout'));
  const edgeW = newVariable(() => tf.tensor3d(initLoopyEdges(packing, H, p.spectralRadius, seed), [L, K * H, H]));
  const readoutW = newVariable(() => tf.tensor2d(normalArray(rng, reads * H * sizes.outputSize, 1 / Math.sqrt(reads * H)), [reads * H, sizes.outputSize]));
  const inputW = tf.tensor3d(loopyInputWeights(sizes.inputSize, H, p.inputScale), [sizes.inputSize, sizes.inputSize, H]);
  // Padding slots start at zero and stay there: their sources are masked, so their gradient is zero.
  const w = { edgeW: edgeW as tf.Tensor3D, inputW, readoutW: readoutW as tf.Tensor2D };
  return {
    kind: 'loopy',
    stateSize: L * H,
    stateRange: [-1, 1],
    ...sizes,
    variables: [edgeW, readoutW],
    step(s, x) {
      const out = loopyUnroll(w, topo, { h0: toNodes(s, L, H), x, steps: 1, thinkTicks: p.thinkTicks });
      return { next: toFlat(out.hT), logits: out.logits };
    },
    initialState: (lanes) => tf.zeros([lanes, L * H]),
    dispose() {
      tf.dispose([edgeW, readoutW, inputW]);
      disposeTopology(topo);
    },
  };
}

/**
 * LARA with the threads restarted at their start nodes every symbol (option
 * (b) of the note at the top): state = node states [L*H]; greedy routing, no
 * exploration noise. Same graph and initial weights as a LaraTrainer of this
 * seed and parameters; the input weights are not trained (see `variables`).
 */
export function createLaraTransitionCell(sizes: CellSizes, seed: number, params: Partial<LaraParams> = {}): TransitionCell {
  const p = { ...DEFAULT_LARA_PARAMS, ...params };
  const graph = randomLoopyGraph({ nodes: p.nodes, degree: p.degree, selfLoops: p.selfLoops, seed, outputDistance: p.outputDistance });
  const dims: LaraDims = { width: p.width, ...sizes, readAll: p.readout === 'all' };
  const model = initLaraModel(graph, dims, p.gate, seed);
  const packing = packGraph(graph, dims.readAll);
  const topo = createTopology(packing, p.threads);
  const vars = uploadTables(paramSpecs(dims), model.tables, packing, true);
  const w = asLaraWeights(vars);
  const { L } = packing;
  const H = p.width;
  return {
    kind: 'lara',
    stateSize: L * H,
    stateRange: [0, Infinity],
    ...sizes,
    // Not inputW: with steps = 1 its gradient would pass through unroll's one-way tf.split, whose
    // gradient (SplitV_grad) fails on a single output in tfjs 4.22. It stays at its seeded init,
    // as a loopy network's input weights do.
    variables: [vars.edgeW, vars.gateU, vars.gateV, vars.readoutW],
    step(s, x) {
      const lanes = s.shape[0];
      const out = unroll(w, topo, {
        h0: toNodes(s, L, H),
        q0: startPositions(topo, lanes),
        x,
        steps: 1,
        thinkTicks: p.thinkTicks,
        gate: p.gate,
        exploration: p.exploration,
        threadStays: p.threadStays,
      });
      return { next: toFlat(out.hT), logits: out.logits };
    },
    initialState: (lanes) => tf.zeros([lanes, L * H]),
    dispose() {
      tf.dispose(Object.values(vars));
      disposeTopology(topo);
    },
  };
}

/** Which cell and its size; the rest of each model's parameters keep their defaults unless given. */
export interface TransitionCellSpec {
  readonly kind: TransitionCellKind;
  /** GRU hidden units; loopy hidden nodes; LARA nodes. */
  readonly hidden: number;
  /** Loopy and LARA: ticks per symbol. */
  readonly thinkTicks?: number;
  /** Loopy and LARA: units per node. */
  readonly width?: number;
}

export function createTransitionCell(spec: TransitionCellSpec, sizes: CellSizes, seed: number): TransitionCell {
  switch (spec.kind) {
    case 'gru':
      return createGruTransitionCell({ ...sizes, hidden: spec.hidden }, seed);
    case 'loopy':
      return createLoopyTransitionCell(sizes, seed, {
        hidden: spec.hidden,
        ...(spec.thinkTicks !== undefined ? { thinkTicks: spec.thinkTicks } : {}),
        ...(spec.width !== undefined ? { width: spec.width } : {}),
      });
    case 'lara':
      return createLaraTransitionCell(sizes, seed, {
        nodes: spec.hidden,
        // Restarted threads need a second tick to leave the input node.
        thinkTicks: spec.thinkTicks ?? 2,
        ...(spec.width !== undefined ? { width: spec.width } : {}),
      });
    default: {
      const never: never = spec.kind;
      throw new Error(`unknown transition cell ${String(never)}`);
    }
  }
}

