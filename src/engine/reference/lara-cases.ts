/**
 * One LARA unroll set up twice from the same numbers: as a reference input
 * (plain TS) and on the device (packed tensors), with the device's results
 * read back in the reference's layout.
 */
import { GATE_KINDS } from '../lara/lara-params';
import * as tf from '@tensorflow/tfjs';
import { createTopology, disposeTopology, EXPLORE_SCALE, readoutLoss, unroll } from '../lara/lara-forward';
import type { GateKind, RoutingKind, TickKind } from '../lara/lara-params';
import { packGraph, type Packing } from '../packing';
import { createRng, normalArray } from '../random';
import {
  asLaraWeights,
  explorationNoise,
  oneHotRows,
  positionsTensor,
  randomSymbols,
  randomWeights,
  twoPortGraph,
  unevenGraph,
  weightVariables,
  type Dims,
  type WeightArrays,
} from './fixtures';
import { REFERENCE_WEIGHTS, type ReferenceInput, type ReferenceWeightName } from './lara-reference';

export type NoiseKind = 'greedy' | 'epsilon' | 'gumbel';

export interface LaraCase {
  readonly gate: GateKind;
  readonly thinkTicks: number;
  readonly threads: number;
  readonly noise: NoiseKind;
  readonly graph?: 'uneven' | 'twoPort';
  readonly readAll?: boolean;
  /** Zero initial states: every gate ties on the first tick. */
  readonly zeroState?: boolean;
  /** Threads may take self-loops (the engine's default is false). */
  readonly threadStays?: boolean;
  /** A per-node bias (the ablation; the seed has none). */
  readonly bias?: boolean;
  /** Default 'argmax'; 'random-walk' draws its own uniform noise on every row (the case's `noise` is then ignored). */
  readonly routing?: RoutingKind;
}

export const CASE_DIMS: Dims = { H: 3, D: 3, C: 3 };

/** Every gate kind x think ticks 1-2 x 1-2 threads x greedy/epsilon/Gumbel, plus the edge cases (two ports, read-all, 3 threads, zero state, threads that may stay). */
export const LARA_CASES: readonly LaraCase[] = [
  ...GATE_KINDS.flatMap((gate) =>
    [1, 2].flatMap((thinkTicks) => [1, 2].flatMap((threads) => (['greedy', 'epsilon', 'gumbel'] as const).map((noise) => ({ gate, thinkTicks, threads, noise })))),
  ),
  { gate: 'gaussian', thinkTicks: 2, threads: 2, noise: 'epsilon', graph: 'twoPort' },
  { gate: 'sigmoid', thinkTicks: 1, threads: 1, noise: 'greedy', readAll: true },
  { gate: 'softmax', thinkTicks: 2, threads: 3, noise: 'gumbel', graph: 'twoPort', readAll: true },
  { gate: 'gaussian', thinkTicks: 1, threads: 1, noise: 'greedy', zeroState: true },
  { gate: 'gaussian', thinkTicks: 2, threads: 1, noise: 'greedy', threadStays: true },
  { gate: 'sigmoid', thinkTicks: 1, threads: 2, noise: 'epsilon', threadStays: true },
  { gate: 'softmax', thinkTicks: 2, threads: 1, noise: 'gumbel', threadStays: true, zeroState: true },
];

/** The ablation switches (issue 13): bias on, random-walk and all-active routing, alone and together. */
export const LARA_ABLATION_CASES: readonly LaraCase[] = [
  { gate: 'gaussian', thinkTicks: 2, threads: 1, noise: 'greedy', bias: true },
  { gate: 'sigmoid', thinkTicks: 1, threads: 2, noise: 'epsilon', bias: true, readAll: true },
  { gate: 'softmax', thinkTicks: 2, threads: 1, noise: 'gumbel', bias: true, zeroState: true },
  { gate: 'gaussian', thinkTicks: 2, threads: 2, noise: 'greedy', routing: 'random-walk' },
  { gate: 'softmax', thinkTicks: 1, threads: 1, noise: 'greedy', routing: 'random-walk', threadStays: true, graph: 'twoPort' },
  { gate: 'gaussian', thinkTicks: 2, threads: 1, noise: 'greedy', routing: 'all-active' },
  { gate: 'sigmoid', thinkTicks: 1, threads: 2, noise: 'epsilon', routing: 'all-active', readAll: true },
  { gate: 'gaussian', thinkTicks: 2, threads: 1, noise: 'greedy', routing: 'random-walk', bias: true },
];
export const CASE_LANES = 2;
export const CASE_SYMBOLS = 3;

export interface CaseInput extends ReferenceInput {
  /** The cases are LARA's policy: always gated. */
  readonly gate: GateKind;
  readonly packing: Packing;
  readonly weights: WeightArrays & { readonly nodeBias?: Float32Array };
  readonly threads: number;
  /** The engine's name for the routing (default argmax). */
  readonly laraRouting?: RoutingKind;
}

export function caseLabel(c: LaraCase): string {
  const extras = [
    c.graph === 'twoPort' ? 'two ports' : '',
    c.readAll ? 'read all' : '',
    c.zeroState ? 'zero state' : '',
    c.threadStays ? 'thread stays' : '',
    c.bias ? 'bias' : '',
    c.routing && c.routing !== 'argmax' ? c.routing : '',
  ];
  return [`${c.gate}, ${c.thinkTicks} think, ${c.threads} thread(s), ${c.noise}`, ...extras].filter(Boolean).join(', ');
}

export function caseInput(c: LaraCase, seed: number): CaseInput {
  const packing = packGraph(c.graph === 'twoPort' ? twoPortGraph() : unevenGraph(), c.readAll ?? false);
  const rng = createRng(seed, 7);
  const { L, K } = packing;
  const { H, D, C } = CASE_DIMS;
  const rows = CASE_LANES * c.threads;
  const h0 = new Float32Array(L * CASE_LANES * H);
  if (!c.zeroState) h0.forEach((_, i) => (h0[i] = rng.next()));
  // Threads of one lane start on different nodes, and lanes differ.
  const first = packing.inputPositions[0] as number;
  const threads0 = Int32Array.from({ length: rows }, (_, r) => (first + 2 * (r % c.threads) + Math.floor(r / c.threads)) % L);
  const ticks = CASE_SYMBOLS * c.thinkTicks;
  const routing = c.routing ?? 'argmax';
  // A random walk scores by EXPLORE_SCALE x uniform on every row, as the trainer draws it.
  const noise =
    routing === 'random-walk'
      ? explorationNoise(rng, 'epsilon', ticks, rows, K, 1, EXPLORE_SCALE)
      : c.noise === 'greedy'
        ? undefined
        : explorationNoise(rng, c.noise, ticks, rows, K, c.noise === 'epsilon' ? 0.4 : 0.5, EXPLORE_SCALE);
  const weights = randomWeights(packing, CASE_DIMS, rng);
  return {
    packing,
    width: H,
    inputSize: D,
    outputSize: C,
    // Biases lean negative, so some relu units switch off and the bias gradient is not that of a constant.
    weights: c.bias ? { ...weights, nodeBias: normalArray(rng, L * H, 0.5).map((x) => x - 0.2) } : weights,
    lanes: CASE_LANES,
    threads: c.threads,
    h0,
    threads0,
    inputs: randomSymbols(rng, CASE_SYMBOLS * CASE_LANES, D),
    targets: randomSymbols(rng, CASE_SYMBOLS * CASE_LANES, C, 0.25),
    thinkTicks: c.thinkTicks,
    gate: c.gate,
    exploration: c.noise === 'gumbel' ? 'gumbel' : 'epsilon',
    noise,
    threadStays: c.threadStays ?? false,
    routing: routing === 'argmax' ? 'thread' : routing,
    laraRouting: routing,
  };
}

/** The unroll's results, read back from the device in the reference's layout. */
export interface DeviceResult {
  readonly loss: number;
  readonly logits: Float32Array;
  readonly hT: Float32Array;
  readonly threadsT: Int32Array;
  readonly threadTrace: Int32Array;
  readonly visits: Float32Array;
  readonly activeCount: Float32Array;
  /** [ticks, L, B] as the trace reports it (empty without a trace). */
  readonly activeTrace: Float32Array;
  readonly grads: Record<ReferenceWeightName, Float32Array> & { nodeBias?: Float32Array };
}

export interface DeviceRunOptions {
  /** The unroll's tick (default: the unroll's own default). */
  readonly tick?: TickKind;
  /** Stack the per-tick trace (default true); without it threadTrace and activeTrace are empty, and traced unrolls run dense. */
  readonly trace?: boolean;
  /** false: plain tfjs ops, never the fused WGSL tick. */
  readonly fusedKernels?: boolean;
}

/**
 * Runs unroll + readoutLoss under tf.variableGrads, as the trainer does.
 * `dense` picks the one-hot matmul or the gather path of the topology (default: by size).
 */
export async function runDevice(input: CaseInput, dense?: boolean, opts: DeviceRunOptions = {}): Promise<DeviceResult> {
  const p = input.packing;
  const { L, K } = p;
  const { H, D, C } = CASE_DIMS;
  const B = input.lanes;
  const T = input.inputs.length / B;
  const topo = dense === undefined ? createTopology(p, input.threads) : createTopology(p, input.threads, dense);
  const vars = weightVariables(input.weights, p, CASE_DIMS);
  // In a tidy: tf.variable copies its initial value, which would otherwise stay behind.
  const nodeBias = input.weights.nodeBias ? tf.tidy(() => tf.variable(tf.tensor2d(input.weights.nodeBias as Float32Array, [L, H]))) : null;
  const varList = [...REFERENCE_WEIGHTS.map((n) => vars[n]), ...(nodeBias ? [nodeBias] : [])];
  const box: { kept?: tf.Tensor[] } = {};
  const { value, grads } = tf.variableGrads(() => {
    const out = unroll(asLaraWeights(nodeBias ? { ...vars, nodeBias } : vars), topo, {
      h0: tf.tensor3d(Float32Array.from(input.h0), [L, B, H]),
      q0: positionsTensor(input.threads0, L),
      x: tf.tensor2d(oneHotRows(input.inputs, D), [T * B, D]),
      steps: T,
      thinkTicks: input.thinkTicks,
      gate: input.gate,
      exploration: input.exploration,
      noise: input.noise ? tf.tensor3d(Float32Array.from(input.noise), [T * input.thinkTicks, B * input.threads, K]) : undefined,
      threadStays: input.threadStays ?? false,
      routing: input.laraRouting ?? 'argmax',
      trace: opts.trace ?? true,
      ...(opts.tick ? { tick: opts.tick } : {}),
      ...(opts.fusedKernels === false ? { fusedKernels: false } : {}),
    });
    const targets = tf.tensor2d(oneHotRows(input.targets, C), [T * B, C]);
    const weights = tf.tensor1d(Float32Array.from(input.targets, (t) => (t >= 0 ? 1 : 0)));
    const trace = out.trace;
    const threadTrace = trace ? tf.cast(trace.threads, 'int32') : tf.zeros([0], 'int32');
    box.kept = [out.logits, out.hT, tf.argMax(out.qT, 1), threadTrace, out.visits, out.activeCount, trace ? trace.active : tf.zeros([0])].map(
      (t) => tf.keep(t),
    );
    return readoutLoss(out.logits, targets, weights).loss;
  }, varList);
  const kept = box.kept as tf.Tensor[];
  const [logits, hT, threadsT, threadTrace, visits, activeCount, activeTrace] = await Promise.all(kept.map((t) => t.data()));
  const gradData = {} as DeviceResult['grads'];
  for (const name of REFERENCE_WEIGHTS) gradData[name] = (await (grads[vars[name].name] as tf.Tensor).data()) as Float32Array;
  if (nodeBias) gradData.nodeBias = (await (grads[nodeBias.name] as tf.Tensor).data()) as Float32Array;
  const loss = (await value.data())[0] as number;
  tf.dispose([value, ...Object.values(grads), ...kept, ...varList]);
  disposeTopology(topo);
  return {
    loss,
    logits: logits as Float32Array,
    hT: hT as Float32Array,
    threadsT: Int32Array.from(threadsT as Int32Array),
    threadTrace: Int32Array.from(threadTrace as Int32Array),
    visits: visits as Float32Array,
    activeCount: activeCount as Float32Array,
    activeTrace: Float32Array.from(activeTrace as Float32Array),
    grads: gradData,
  };
}
