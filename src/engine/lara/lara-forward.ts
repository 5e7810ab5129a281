/**
 * One LARA unroll on packed tensors. All nodes compute every tick in a few
 * batched kernels; the active mask decides whose state changes, so inactive
 * nodes keep (cache) their state and keep feeding their hosts. Routing is
 * decided on the device; nothing is read back inside the tick loop.
 *
 * Layout: node states are packed [L, B, H] and per-slot tensors [L, K, B, H]
 * (node major) rather than [B, L, H], so both neighbour gathers are 2-D
 * matmuls. Inside the tick every elementwise op sees equal shapes: broadcasts
 * are done once per unroll or as outer-product matmuls, because broadcasting
 * binary ops and non-last-axis reductions are 10-20x slower on the wasm
 * backend than same-shape ones.
 */
import * as tf from '@tensorflow/tfjs';
import { gatherRows, gatherRowsKernelsActive } from '../kernels/gather-rows';
import type { Packing } from '../packing';
import { activeTickApplies, activeUnroll } from './lara-active-tick';
import type { ExplorationKind, GateKind, RoutingKind, TickKind } from './lara-params';
import { fusedTickSupported, fusedUnroll } from './lara-webgpu-tick';
import { BLOCKED } from './routing-penalty';

/** Largest graph that uses one-hot matmuls instead of gathers (see LaraTopology.dense). */
export const DENSE_MAX_NODES = 160;

/** Constant tensors derived from a packing. */
export interface LaraTopology {
  readonly L: number;
  readonly K: number;
  /** [L*K] int32 source position of every slot (padding: the host itself). */
  readonly sourceIndex: tf.Tensor1D;
  /** [L*J] int32, for each node the slots it is the source of, padded with L*K (a zero row): the gather's gradient. */
  readonly sourceReverse: tf.Tensor1D;
  /** J: the most slots any node is the source of. */
  readonly reverseWidth: number;
  /** [L*K] int32 host position of every slot (a*K+s -> a). */
  readonly hostIndex: tf.Tensor1D;
  /** [L*K, 1] source position of every slot, as floats. */
  readonly sourceColumn: tf.Tensor2D;
  /**
   * One-hot selection matrices, present for small graphs only: below DENSE_MAX_NODES a
   * one-hot matmul beats tf.gather (~75 ns per element on wasm and cpu), above it the
   * O(L^2) matrices cost more than the gather.
   */
  readonly dense: {
    /** [L*K, L] row a*K+s selects the source of slot s of host a; and its transpose. */
    readonly sourceRows: tf.Tensor2D;
    readonly sourceRowsT: tf.Tensor2D;
    /** [L*K, L] row a*K+s selects the host a; and its transpose. */
    readonly hostRows: tf.Tensor2D;
    readonly hostRowsT: tf.Tensor2D;
  } | null;
  /** [L, K] source position per slot, as floats (exact below 2^24). */
  readonly sourcePos: tf.Tensor2D;
  /** 1 for a real slot, 0 for padding [L*K] (host copy). */
  readonly mask: Float32Array;
  /** Source position per slot [L*K] (host copy). */
  readonly source: Int32Array;
  /** [L, nIn] scatters input-node rows into all nodes. */
  readonly inputScatter: tf.Tensor2D;
  /** [nRead] int32 positions of the read nodes; null when every node is read. */
  readonly readIndex: tf.Tensor1D | null;
  /** [L, nRead] one-hot columns of the read nodes (the read gather's gradient); null when every node is read. */
  readonly readScatter: tf.Tensor2D | null;
  readonly readCount: number;
  /** Positions of the read nodes, in read order (host copy). */
  readonly readPositions: readonly number[];
  readonly inputPositions: readonly number[];
  readonly outputPositions: readonly number[];
  /** Start position (packed index) of each thread. */
  readonly threadStarts: readonly number[];
}

/** The trainable tensors, in the shapes one tick uses them. */
export interface LaraWeights {
  /** [L, K*H, H]: the K slot matrices of a host stacked, so one matmul sums the gated messages. */
  readonly edgeW: tf.Tensor3D;
  /** [L, K, 1, H] */
  readonly gateU: tf.Tensor4D;
  /** [L, K, 1, H] */
  readonly gateV: tf.Tensor4D;
  /** [nIn, D, H] */
  readonly inputW: tf.Tensor3D;
  /** [nRead*H, C] */
  readonly readoutW: tf.Tensor2D;
  /** [L, H] per-node bias; absent (the seed's form): no bias tensor and no bias op. */
  readonly nodeBias?: tf.Tensor2D;
}

/** Views a table of tensors (device tables, test fixtures) as the weights of one unroll. */
export function asLaraWeights(v: Readonly<Record<Exclude<keyof LaraWeights, 'nodeBias'>, tf.Tensor>> & { readonly nodeBias?: tf.Tensor }): LaraWeights {
  return {
    edgeW: v.edgeW as tf.Tensor3D,
    gateU: v.gateU as tf.Tensor4D,
    gateV: v.gateV as tf.Tensor4D,
    inputW: v.inputW as tf.Tensor3D,
    readoutW: v.readoutW as tf.Tensor2D,
    ...(v.nodeBias ? { nodeBias: v.nodeBias as tf.Tensor2D } : {}),
  };
}

/**
 * Host-made routing noise [ticks, B*Th, K] (lanes x threads rows, thread
 * minor), added to the routing scores: epsilon mode puts EXPLORE_SCALE x
 * uniform on the rows that explore (a uniformly random real slot wins), Gumbel
 * mode temperature x Gumbel(0, 1) on every row. Random-walk routing scores
 * by this noise alone (EXPLORE_SCALE x uniform on every row).
 */
export type ExplorationNoise = tf.Tensor3D;

/** Large enough that G in [0, 1] cannot change the winner, small enough to keep float32 resolution. */
export const EXPLORE_SCALE = 1000;

export interface UnrollInput {
  /** [L, B, H] states at the start. */
  readonly h0: tf.Tensor3D;
  /** [B*Th, L] one-hot thread positions at the start. */
  readonly q0: tf.Tensor2D;
  /** [T*B, D] one-hot input symbols, time major. */
  readonly x: tf.Tensor2D;
  readonly steps: number;
  readonly thinkTicks: number;
  readonly gate: GateKind;
  readonly exploration: ExplorationKind;
  /** Absent: greedy routing. Required by routing 'random-walk'. */
  readonly noise?: ExplorationNoise | undefined;
  /** Default 'argmax' (see ROUTING_KINDS). */
  readonly routing?: RoutingKind;
  /** Whether a thread may route to its own host through a self-loop (default: it must move on). */
  readonly threadStays?: boolean;
  /** Stack a per-tick trace (for display). */
  readonly trace?: boolean;
  /**
   * Run the tick as fused WGSL kernels where they apply (the webgpu backend; the default).
   * false keeps the plain-tfjs ops everywhere: the kernel check compares the two.
   */
  readonly fusedKernels?: boolean;
  /**
   * 'active' (default): compute only the active (node, lane) rows (lara-active-tick.ts);
   * 'dense': every node computes and a mask keeps the inactive states (the reference).
   * All-active routing and traced unrolls always run dense.
   */
  readonly tick?: TickKind;
}

export interface UnrollTrace {
  /** [ticks, L, B] mean state per node. */
  readonly activity: tf.Tensor3D;
  /** [ticks, L, K, B] gate values. */
  readonly gates: tf.Tensor4D;
  /** [ticks, L, B] 1 where the node computed. */
  readonly active: tf.Tensor3D;
  /** [ticks, B*Th] position of each thread while it computed. */
  readonly threads: tf.Tensor2D;
}

export interface UnrollOutput {
  /** [T*B, C] read-out logits at the read tick of every symbol. */
  readonly logits: tf.Tensor2D;
  readonly hT: tf.Tensor3D;
  readonly qT: tf.Tensor2D;
  /** [L] thread visits per node, summed over ticks, lanes and threads. */
  readonly visits: tf.Tensor1D;
  /** [L] ticks x lanes each node computed. */
  readonly activeCount: tf.Tensor1D;
  readonly trace?: UnrollTrace;
}

function denseSelectors(p: Packing): NonNullable<LaraTopology['dense']> {
  const { L, K } = p;
  const source = new Float32Array(L * K * L);
  const host = new Float32Array(L * K * L);
  for (let i = 0; i < L * K; i++) {
    source[i * L + (p.source[i] as number)] = 1;
    host[i * L + Math.floor(i / K)] = 1;
  }
  const sourceRows = tf.tensor2d(source, [L * K, L]);
  const hostRows = tf.tensor2d(host, [L * K, L]);
  return { sourceRows, sourceRowsT: tf.transpose(sourceRows), hostRows, hostRowsT: tf.transpose(hostRows) };
}

/** `denseGather` forces the one-hot path on or off (tests cover both); by default it depends on the size. */
export function createTopology(p: Packing, threads: number, denseGather: boolean = p.L <= DENSE_MAX_NODES): LaraTopology {
  const { L, K } = p;
  const reverse: number[][] = Array.from({ length: L }, () => []);
  for (let i = 0; i < L * K; i++) reverse[p.source[i] as number]?.push(i);
  const J = Math.max(1, ...reverse.map((r) => r.length));
  const reverseFlat = new Int32Array(L * J).fill(L * K);
  reverse.forEach((slots, b) => reverseFlat.set(slots, b * J));
  const nIn = p.inputPositions.length;
  const scatter = new Float32Array(L * nIn);
  p.inputPositions.forEach((pos, i) => (scatter[pos * nIn + i] = 1));
  const readAll = p.readPositions.length === L && p.readPositions.every((pos, i) => pos === i);
  return {
    L,
    K,
    sourceIndex: tf.tensor1d(Int32Array.from(p.source), 'int32'),
    sourceReverse: tf.tensor1d(reverseFlat, 'int32'),
    reverseWidth: J,
    hostIndex: tf.tensor1d(Int32Array.from({ length: L * K }, (_, i) => Math.floor(i / K)), 'int32'),
    sourceColumn: tf.tensor2d(Float32Array.from(p.source), [L * K, 1]),
    dense: denseGather ? denseSelectors(p) : null,
    sourcePos: tf.tensor2d(Float32Array.from(p.source), [L, K]),
    mask: p.mask.slice(),
    source: p.source.slice(),
    inputScatter: tf.tensor2d(scatter, [L, nIn]),
    readIndex: readAll ? null : tf.tensor1d(Int32Array.from(p.readPositions), 'int32'),
    readScatter: readAll ? null : oneHotColumns(L, p.readPositions),
    readCount: p.readPositions.length,
    readPositions: p.readPositions,
    inputPositions: p.inputPositions,
    outputPositions: p.outputPositions,
    threadStarts: Array.from({ length: threads }, (_, t) => p.inputPositions[t % p.inputPositions.length] ?? 0),
  };
}

export function disposeTopology(t: LaraTopology): void {
  tf.dispose([t.sourceIndex, t.sourceReverse, t.hostIndex, t.sourceColumn, t.sourcePos, t.inputScatter]);
  t.readIndex?.dispose();
  t.readScatter?.dispose();
  if (t.dense) tf.dispose(Object.values(t.dense));
}

/** [B*Th, L] one-hot: every thread at its start node. */
export function startPositions(t: LaraTopology, lanes: number): tf.Tensor2D {
  const th = t.threadStarts.length;
  const q = new Float32Array(lanes * th * t.L);
  for (let b = 0; b < lanes; b++) t.threadStarts.forEach((pos, i) => (q[(b * th + i) * t.L + pos] = 1));
  return tf.tensor2d(q, [lanes * th, t.L]);
}

/**
 * Rows of every slot's source, [L*K, M] from [L, M]. Small graphs: a one-hot matmul;
 * cpu and wasm: the row kernels (a copy per row, a segment sum back). Elsewhere tf.gather
 * with this gradient: gather the (padded) slots each node feeds and sum them, O(L*K*M).
 */
export function gatherSources(topo: LaraTopology, x: tf.Tensor2D): tf.Tensor2D {
  if (topo.dense) return oneHotMatMul(topo.dense.sourceRows, topo.dense.sourceRowsT, x);
  if (gatherRowsKernelsActive()) return gatherRows(x, topo.sourceIndex);
  const f = tf.customGrad((v) => ({
    value: tf.gather(v as tf.Tensor2D, topo.sourceIndex),
    gradFunc: (dy) => {
      const M = (dy as tf.Tensor2D).shape[1];
      const padded = tf.concat([dy as tf.Tensor2D, tf.zeros([1, M])]);
      return tf.sum(tf.reshape(tf.gather(padded, topo.sourceReverse), [topo.L, topo.reverseWidth, M]), 1);
    },
  }));
  return f(x) as tf.Tensor2D;
}

/** `rows` [R, N] x `x` [N, M] with a constant one-hot matrix; the gradient uses the stored transpose (a transposed-operand matmul is ~10x slower on wasm). */
function oneHotMatMul(rows: tf.Tensor2D, rowsT: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((v) => ({
    value: tf.matMul(rows, v as tf.Tensor2D),
    gradFunc: (dy) => tf.matMul(rowsT, dy as tf.Tensor2D),
  }));
  return f(x) as tf.Tensor2D;
}

/** [L, n] with a 1 at (positions[i], i). */
function oneHotColumns(L: number, positions: readonly number[]): tf.Tensor2D {
  const m = new Float32Array(L * positions.length);
  positions.forEach((pos, i) => (m[pos * positions.length + i] = 1));
  return tf.tensor2d(m, [L, positions.length]);
}

/** States of the read nodes [nRead, B, H]; the gradient scatters back with a small one-hot matmul. */
export function gatherReads(topo: LaraTopology, h: tf.Tensor3D): tf.Tensor3D {
  const { readIndex, readScatter } = topo;
  if (!readIndex || !readScatter) return h;
  const [L, B, H] = h.shape;
  const f = tf.customGrad((v) => ({
    value: tf.gather(tf.reshape(v as tf.Tensor3D, [L, B * H]), readIndex),
    gradFunc: (dy) => tf.reshape(tf.matMul(readScatter, dy as tf.Tensor2D), [L, B, H]),
  }));
  return tf.reshape(f(h), [-1, B, H]) as tf.Tensor3D;
}

/** Every node's own rows repeated for its K slots, [L*K, M]; the gradient sums the K copies. */
export function gatherHosts(topo: LaraTopology, x: tf.Tensor2D): tf.Tensor2D {
  if (topo.dense) return oneHotMatMul(topo.dense.hostRows, topo.dense.hostRowsT, x);
  if (gatherRowsKernelsActive()) return gatherRows(x, topo.hostIndex);
  const f = tf.customGrad((v) => ({
    value: tf.gather(v as tf.Tensor2D, topo.hostIndex),
    gradFunc: (dy) => tf.sum(tf.reshape(dy as tf.Tensor2D, [topo.L, topo.K, -1]), 1),
  }));
  return f(x) as tf.Tensor2D;
}

/** [L, K, 1, H] -> [L, K, B, H] as an outer product with ones (tile is slow on wasm and its gradient takes a slice per copy). */
function broadcastLanes(x: tf.Tensor4D, onesB: tf.Tensor2D): tf.Tensor4D {
  const [L, K, , H] = x.shape;
  const B = onesB.shape[1];
  const outer = tf.reshape(tf.matMul(tf.reshape(x, [L * K * H, 1]), onesB), [L, K, H, B]);
  return tf.transpose(outer, [0, 1, 3, 2]) as tf.Tensor4D;
}

/** Lane-count dependent constants for one unroll. */
interface LaneConstants {
  /** [L, K, B] slot mask. */
  readonly mask: tf.Tensor3D;
  /** [L, K, B] padding penalty (softmax gate). */
  readonly penalty: tf.Tensor3D;
  /** [L, K, B] slots the thread may not take: padding, and self-loops unless the thread may stay. */
  readonly routePenalty: tf.Tensor3D;
  /** [1, H] ones, for outer-product broadcasts. */
  readonly onesH: tf.Tensor2D;
  /** [1, B] ones. */
  readonly onesB: tf.Tensor2D;
  /** [1, L] ones, to sum over nodes with a matmul. */
  readonly onesL: tf.Tensor2D;
  /** [1, Th] ones. */
  readonly onesTh: tf.Tensor2D;
  /** [K, L*K] row k has ones at every slot k: spreads a slot choice over all hosts. */
  readonly slotTile: tf.Tensor2D;
  /** [L, B, H] 1 on nodes forced active on input ticks, read ticks and ticks that are both. */
  readonly forcedInput: tf.Tensor3D;
  readonly forcedRead: tf.Tensor3D;
  readonly forcedBoth: tf.Tensor3D;
}

function slotTile(L: number, K: number): Float32Array {
  const m = new Float32Array(K * L * K);
  for (let k = 0; k < K; k++) for (let a = 0; a < L; a++) m[k * L * K + a * K + k] = 1;
  return m;
}

function laneConstants(topo: LaraTopology, B: number, H: number, Th: number, threadStays: boolean): LaneConstants {
  const { L, K } = topo;
  const mask = new Float32Array(L * K * B);
  const penalty = new Float32Array(L * K * B);
  const routePenalty = new Float32Array(L * K * B);
  for (let a = 0; a < L; a++) {
    let others = 0;
    for (let s = 0; s < K; s++) if ((topo.mask[a * K + s] as number) > 0 && topo.source[a * K + s] !== a) others++;
    for (let s = 0; s < K; s++) {
      const i = a * K + s;
      const real = (topo.mask[i] as number) > 0;
      const self = topo.source[i] === a;
      mask.fill(real ? 1 : 0, i * B, (i + 1) * B);
      penalty.fill(real ? 0 : BLOCKED, i * B, (i + 1) * B);
      routePenalty.fill(real && (threadStays || !self || others === 0) ? 0 : BLOCKED, i * B, (i + 1) * B);
    }
  }
  const forced = (positions: readonly number[]): tf.Tensor3D => {
    const f = new Float32Array(L * B * H);
    for (const pos of positions) f.fill(1, pos * B * H, (pos + 1) * B * H);
    return tf.tensor3d(f, [L, B, H]);
  };
  return {
    mask: tf.tensor3d(mask, [L, K, B]),
    penalty: tf.tensor3d(penalty, [L, K, B]),
    routePenalty: tf.tensor3d(routePenalty, [L, K, B]),
    onesH: tf.ones([1, H]),
    onesB: tf.ones([1, B]),
    onesL: tf.ones([1, L]),
    onesTh: tf.ones([1, Th]),
    slotTile: tf.tensor2d(slotTile(L, K), [K, L * K]),
    forcedInput: forced(topo.inputPositions),
    forcedRead: forced(topo.outputPositions),
    forcedBoth: forced([...topo.inputPositions, ...topo.outputPositions]),
  };
}

/** G = gate(z) over [L, K, B], zero on padding. */
function gateValues(z: tf.Tensor3D, kind: GateKind, c: LaneConstants): tf.Tensor3D {
  switch (kind) {
    case 'gaussian':
      return tf.mul(tf.exp(tf.neg(tf.square(z))), c.mask);
    case 'sigmoid':
      return tf.mul(tf.sigmoid(z), c.mask);
    case 'softmax': {
      // Softmax over the host's slots; tfjs softmax runs on the last axis only.
      const zl = tf.transpose(tf.add(z, c.penalty), [0, 2, 1]);
      return tf.mul(tf.transpose(tf.softmax(zl), [0, 2, 1]), c.mask);
    }
  }
}

/**
 * Runs `steps` symbols of `thinkTicks` ticks each. Must be called inside a
 * tidy (or a gradient scope); returned tensors belong to that scope.
 */
export function unroll(w: LaraWeights, topo: LaraTopology, input: UnrollInput): UnrollOutput {
  if (input.fusedKernels !== false && fusedTickSupported(w, topo, input)) {
    const { reads, ...rest } = fusedUnroll(w, topo, input);
    return { ...rest, logits: readoutLogits(reads, w.readoutW) };
  }
  if (activeTickApplies(input)) {
    const { reads, ...rest } = activeUnroll(w, topo, input);
    return { ...rest, logits: readoutLogits(reads, w.readoutW) };
  }
  const { L, K } = topo;
  const [, B, H] = input.h0.shape;
  const BT = input.q0.shape[0];
  const Th = BT / B;
  const nIn = w.inputW.shape[0];
  const D = w.inputW.shape[1];
  const T = input.steps;
  const think = input.thinkTicks;
  const c = laneConstants(topo, B, H, Th, input.threadStays ?? false);

  // Once per unroll: the gate vectors broadcast over lanes, the input drive of every step.
  const gateU = broadcastLanes(w.gateU, c.onesB);
  const gateV = broadcastLanes(w.gateV, c.onesB);
  const winFlat = tf.reshape(tf.transpose(w.inputW, [1, 0, 2]), [D, nIn * H]);
  const xw = tf.reshape(tf.matMul(input.x, winFlat), [T, B, nIn, H]);
  const xwByNode = tf.reshape(nIn === 1 ? xw : tf.transpose(xw, [0, 2, 1, 3]), [T, nIn, B * H]);
  // split, not unstack: Unpack's gradient fails when some outputs get no gradient.
  const drives = tf.split(xwByNode, T).map((d) => tf.reshape(tf.matMul(topo.inputScatter, tf.reshape(d, [nIn, B * H])), [L, B, H]));
  const noises = input.noise ? tf.unstack(input.noise) : null;
  const routing = input.routing ?? 'argmax';
  if (routing === 'random-walk' && !noises) throw new Error("routing 'random-walk' needs its noise (uniform scores on every row)");
  // All-active: one constant mask; the threads still move, for display only.
  const allOn = routing === 'all-active' ? (tf.greater(tf.ones([L, B, H]), 0) as tf.Tensor3D) : null;
  // [L, H] -> [L, B, H] once per unroll, as an outer product with ones (see broadcastLanes).
  const bias = w.nodeBias
    ? (tf.transpose(tf.reshape(tf.matMul(tf.reshape(w.nodeBias, [L * H, 1]), c.onesB), [L, H, B]), [0, 2, 1]) as tf.Tensor3D)
    : null;

  let h = input.h0;
  let q = input.q0;
  const reads: tf.Tensor3D[] = [];
  const occupancy: tf.Tensor2D[] = [];
  const actives: tf.Tensor3D[] = [];
  const trace = input.trace
    ? { activity: [] as tf.Tensor2D[], gates: [] as tf.Tensor3D[], active: [] as tf.Tensor2D[], threads: [] as tf.Tensor1D[] }
    : null;

  for (let t = 0; t < T; t++) {
    for (let tick = 0; tick < think; tick++) {
      const inputTick = tick === 0;
      const readTick = tick === think - 1;
      const tickIndex = t * think + tick;
      const forced = inputTick && readTick ? c.forcedBoth : inputTick ? c.forcedInput : readTick ? c.forcedRead : null;
      // q comes out of untaped(), so nothing derived from it is differentiated.
      const [occ, threadActive] = activeSet(q, B, H, Th, c, forced);
      const active = allOn ?? threadActive;

      // Host and source states per slot [L, K, B, H]; gates [L, K, B].
      const flat = tf.reshape(h, [L, B * H]) as tf.Tensor2D;
      const nb = tf.reshape(gatherSources(topo, flat), [L, K, B, H]);
      const hh = tf.reshape(gatherHosts(topo, flat), [L, K, B, H]);
      const g = gateValues(tf.sum(tf.add(tf.mul(hh, gateU), tf.mul(nb, gateV)), 3) as tf.Tensor3D, input.gate, c);

      // h_a <- act(sum_b G_ab W_ab h_b + [input] W_in x [+ b_a]), for active nodes only;
      // gating the sources first lets one [B, K*H] x [K*H, H] matmul per host do the sum.
      const gFull = tf.reshape(tf.matMul(tf.reshape(g, [L * K * B, 1]), c.onesH), [L, K, B, H]);
      const sources = tf.transpose(tf.mul(nb, gFull), [0, 2, 1, 3]);
      let pre = tf.matMul(tf.reshape(sources, [L, B, K * H]), w.edgeW);
      if (inputTick) pre = tf.add(pre, drives[t] as tf.Tensor3D);
      if (bias) pre = tf.add(pre, bias);
      h = (allOn ? tf.relu(pre) : tf.where(active, tf.relu(pre), h)) as tf.Tensor3D;
      occupancy.push(occ);
      actives.push(active);
      if (readTick) reads.push(gatherReads(topo, h));

      if (trace) {
        trace.activity.push(tf.mean(h, 2));
        trace.gates.push(g);
        trace.active.push(tf.cast(tf.reshape(tf.slice(active, [0, 0, 0], [L, B, 1]), [L, B]), 'float32'));
        trace.threads.push(tf.argMax(q, 1));
      }

      // Each thread moves to argmax_b G_ab of the node it sits on (plus exploration), or at random.
      const noise = noises?.[tickIndex] as tf.Tensor2D | undefined;
      const gNow = g;
      q = untaped(() => routeThreads(gNow, q, topo, c, routing === 'random-walk' ? 'random' : input.exploration, noise));
    }
  }

  const out: UnrollOutput = {
    logits: readoutLogits(tf.stack(reads) as tf.Tensor4D, w.readoutW),
    hT: h,
    qT: q,
    visits: tf.sum(sumOverTicks(occupancy), 1),
    activeCount: tf.div(tf.sum(tf.reshape(sumOverTicks(actives.map((a) => tf.cast(a, 'float32'))), [L, B * H]), 1), H),
  };
  if (!trace) return out;
  return {
    ...out,
    trace: {
      activity: tf.stack(trace.activity) as tf.Tensor3D,
      gates: tf.stack(trace.gates) as tf.Tensor4D,
      active: tf.stack(trace.active) as tf.Tensor3D,
      threads: tf.stack(trace.threads) as tf.Tensor2D,
    },
  };
}

/** Read-out for every symbol at once from the read states [T, nRead, B, H]: [T*B, nRead*H] x [nRead*H, C]. */
export function readoutLogits(stacked: tf.Tensor4D, readoutW: tf.Tensor2D): tf.Tensor2D {
  const [T, nRead, B, H] = stacked.shape;
  const features =
    nRead === 1 ? tf.reshape(stacked, [T * B, H]) : tf.reshape(tf.transpose(stacked, [0, 2, 1, 3]), [T * B, nRead * H]);
  return tf.matMul(features, readoutW) as tf.Tensor2D;
}

/**
 * Elementwise sum of a per-tick list. Not tf.addN: its WebGPU shader binds one
 * buffer per input and is rejected past the adapter's storage-buffer limit
 * (8 on some); stack is concat underneath, which tfjs splits into chunks.
 */
function sumOverTicks<T extends tf.Tensor>(xs: T[]): T {
  return tf.sum<T>(tf.stack(xs), 0);
}

/** Thread occupancy [L, B] and the active mask [L, B, H] (threads plus forced nodes). */
function activeSet(
  q: tf.Tensor2D,
  B: number,
  H: number,
  Th: number,
  c: LaneConstants,
  forced: tf.Tensor3D | null,
): [tf.Tensor2D, tf.Tensor3D] {
  const L = q.shape[1];
  const qT = tf.transpose(q); // [L, B*Th]
  const occ = Th === 1 ? qT : tf.sum(tf.reshape(qT, [L, B, Th]), 2);
  const full = tf.reshape(tf.matMul(tf.reshape(occ, [L * B, 1]), c.onesH), [L, B, H]);
  return [occ as tf.Tensor2D, tf.greater(forced ? tf.maximum(full, forced) : full, 0) as tf.Tensor3D];
}

/**
 * Runs `fn` outside the gradient tape: its result is a constant to backprop
 * (tfjs has no stopGradient; ops inside a customGrad forward are not taped,
 * and a customGrad with no inputs connects to nothing). Routing is a discrete
 * choice, so this is exact, and it saves the backward pass the kernels that
 * would only carry zeros.
 */
export function untaped<T extends tf.Tensor>(fn: () => T): T {
  return tf.customGrad(() => ({ value: fn(), gradFunc: () => [] }))();
}

/**
 * New one-hot positions [B*Th, L]: every thread moves to the best-scored
 * source of its host. Scores are G (epsilon mode, where exploring rows get
 * noise large enough to swamp G) or log G (Gumbel mode, noise = temperature x
 * Gumbel samples); padding slots carry BLOCKED so they never win. 'random'
 * ignores G: the scores are the noise alone (random-walk routing).
 */
function routeThreads(
  g: tf.Tensor3D,
  q: tf.Tensor2D,
  topo: LaraTopology,
  c: LaneConstants,
  exploration: ExplorationKind | 'random',
  noise: tf.Tensor2D | undefined,
): tf.Tensor2D {
  const { L, K } = topo;
  const BT = q.shape[0];
  const B = g.shape[2];
  const Th = BT / B;
  const s =
    exploration === 'random' ? c.routePenalty : tf.add(exploration === 'gumbel' && noise ? tf.log(tf.add(g, 1e-20)) : g, c.routePenalty); // [L, K, B]
  // Each thread's host scores: sum over nodes of (thread is there) x s, as [K, B*Th].
  const sLanes = Th === 1 ? tf.reshape(s, [L * K, B]) : tf.reshape(tf.matMul(tf.reshape(s, [L * K * B, 1]), c.onesTh), [L * K, BT]);
  // [L*K, B*Th]: 1 where the lane's thread sits on the slot's host.
  const onHost = topo.dense ? tf.matMul(topo.dense.hostRows, tf.transpose(q)) : tf.gather(tf.transpose(q), topo.hostIndex);
  let score = tf.transpose(tf.reshape(tf.matMul(c.onesL, tf.reshape(tf.mul(sLanes, onHost), [L, K * BT])), [K, BT])) as tf.Tensor2D;
  if (noise) score = tf.add(score, noise);
  const choice = tf.cast(tf.oneHot(tf.argMax(score, 1), K), 'float32'); // [B*Th, K]
  // Next node = source of the chosen slot of the current host: one (host, slot) pair per lane is 1.
  const onSlot = topo.dense ? tf.matMul(q, topo.dense.hostRowsT) : tf.gather(q, topo.hostIndex, 1);
  const picked = tf.mul(onSlot, tf.matMul(choice, c.slotTile)); // [B*Th, L*K]
  const next = tf.reshape(tf.matMul(picked, topo.sourceColumn), [-1]);
  return tf.cast(tf.oneHot(tf.cast(tf.round(next), 'int32'), L), 'float32') as tf.Tensor2D;
}

/** Mean cross-entropy over scored rows, and the count of correct ones. */
export function readoutLoss(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  weights: tf.Tensor1D,
): { loss: tf.Scalar; correct: tf.Scalar; scored: tf.Scalar } {
  const scored = tf.sum(weights);
  const ce = tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1));
  const loss = tf.div(tf.sum(tf.mul(ce, weights)), tf.maximum(scored, 1)) as tf.Scalar;
  const hit = tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(targets, 1)), 'float32');
  return { loss, correct: tf.sum(tf.mul(hit, weights)) as tf.Scalar, scored: scored as tf.Scalar };
}
