/**
 * Active-only LARA ticks: each tick computes messages, gates and updates for
 * the active (node, lane) rows only, the thread nodes plus the input nodes on
 * a symbol tick and the output nodes on a read tick, by row gathers and
 * scatters; every other node's state stays as it was (cached). The dense
 * masked unroll in lara-forward.ts is the reference this path is tested
 * against (values, gradients and thread moves).
 *
 * Rows per lane are a fixed A = threads + forced nodes of the tick, so every
 * shape is static and nothing is read back. A node listed twice in a lane
 * (two threads, or a thread on the input node) computes identical rows; only
 * its first occurrence writes back: h <- h + scatterAdd(first * (relu(pre) - h_rows)).
 * Row gathers and scatters are JS kernels with each other as gradients
 * (src/engine/kernels/gather-rows.ts); per-row weight matrices go through the gathered
 * matmul kernel (src/engine/kernels/gathered-matmul.ts), whose tap sums the edge-weight
 * gradient of all ticks once, so a step's cost does not grow with L per tick.
 */
import * as tf from '@tensorflow/tfjs';
import { gatherRows, gatherRowsTap, scatterAddRows } from '../kernels/gather-rows';
import { gatheredMatMulTap } from '../kernels/gathered-matmul';
import { kernelsActive, routeKernel, tickRowsKernel } from './lara-active-rows';
import type { LaraTopology, LaraWeights, UnrollInput, UnrollOutput } from './lara-forward';
import { BLOCKED } from './routing-penalty';

/** The dense path's result pieces; the caller makes the logits from `reads` [T, nRead, B, H]. */
export type ActiveUnrollOutput = Omit<UnrollOutput, 'logits' | 'trace'> & { readonly reads: tf.Tensor4D };

/** Whether the active-only tick applies: every node computes under 'all-active', and traces come from the dense path. */
export function activeTickApplies(input: UnrollInput): boolean {
  return (input.tick ?? 'active') === 'active' && (input.routing ?? 'argmax') !== 'all-active' && input.trace !== true;
}

/** Outside the gradient tape (as lara-forward's untaped; kept local so this file imports it only as a type). */
function constant<T extends tf.Tensor>(fn: () => T): T {
  return tf.customGrad(() => ({ value: fn(), gradFunc: () => [] }))();
}

/** Constants of one kind of tick (plain, input, read, both): its forced nodes and row layout. */
interface TickLayout {
  /** Rows per lane: threads, then forced nodes. */
  readonly A: number;
  readonly forcedNodes: number[];
  /** [B, F] int32 forced nodes of every lane; null when none. */
  readonly forced: tf.Tensor2D | null;
  /** [B*A] int32 lane of every row. */
  readonly lane: tf.Tensor1D;
  /** [B*A*K] int32 lane of every (row, slot). */
  readonly laneSlots: tf.Tensor1D;
  /** [1, A, A] 1 at (j, j') for j' < j: earlier rows of the lane. */
  readonly earlier: tf.Tensor3D | null;
}

function tickLayout(B: number, Th: number, K: number, forcedNodes: readonly number[]): TickLayout {
  const F = forcedNodes.length;
  const A = Th + F;
  const earlier = new Float32Array(A * A);
  for (let j = 0; j < A; j++) for (let k = 0; k < j; k++) earlier[j * A + k] = 1;
  return {
    A,
    forcedNodes: [...forcedNodes],
    forced: F > 0 ? tf.tensor2d(Int32Array.from({ length: B * F }, (_, i) => forcedNodes[i % F] as number), [B, F], 'int32') : null,
    lane: tf.tensor1d(Int32Array.from({ length: B * A }, (_, i) => Math.floor(i / A)), 'int32'),
    laneSlots: tf.tensor1d(Int32Array.from({ length: B * A * K }, (_, i) => Math.floor(i / (A * K))), 'int32'),
    earlier: A > 1 ? tf.tensor3d(earlier, [1, A, A]) : null,
  };
}

/** Per-slot constants as [L, K] tables: real-slot mask, softmax padding penalty, routing penalty. */
function slotTables(topo: LaraTopology, threadStays: boolean): { mask: tf.Tensor2D; penalty: tf.Tensor2D; route: tf.Tensor2D } {
  const { L, K } = topo;
  const mask = new Float32Array(L * K);
  const penalty = new Float32Array(L * K);
  const route = new Float32Array(L * K);
  for (let a = 0; a < L; a++) {
    let others = 0;
    for (let s = 0; s < K; s++) if ((topo.mask[a * K + s] as number) > 0 && topo.source[a * K + s] !== a) others++;
    for (let s = 0; s < K; s++) {
      const i = a * K + s;
      const real = (topo.mask[i] as number) > 0;
      mask[i] = real ? 1 : 0;
      penalty[i] = real ? 0 : BLOCKED;
      route[i] = real && (threadStays || topo.source[i] !== a || others === 0) ? 0 : BLOCKED;
    }
  }
  return { mask: tf.tensor2d(mask, [L, K]), penalty: tf.tensor2d(penalty, [L, K]), route: tf.tensor2d(route, [L, K]) };
}

/** 1 for the first occurrence of a node in its lane, 0 for repeats: [B*A] from nodes [B*A]. */
function firstInLane(nodes: tf.Tensor1D, B: number, layout: TickLayout): tf.Tensor1D {
  if (!layout.earlier) return tf.ones([B * layout.A]);
  const n = tf.reshape(nodes, [B, layout.A]);
  const same = tf.cast(tf.equal(tf.expandDims(n, 2), tf.expandDims(n, 1)), 'float32'); // [B, A, A]
  const repeats = tf.sum(tf.mul(same, layout.earlier), 2);
  return tf.reshape(tf.cast(tf.equal(repeats, 0), 'float32'), [-1]);
}

/** G = gate(z) over [N, K] rows, zero on padding (the dense path's gateValues on rows). */
function gateRows(z: tf.Tensor2D, input: UnrollInput, mask: tf.Tensor2D, penalty: tf.Tensor2D): tf.Tensor2D {
  switch (input.gate) {
    case 'gaussian':
      return tf.mul(tf.exp(tf.neg(tf.square(z))), mask);
    case 'sigmoid':
      return tf.mul(tf.sigmoid(z), mask);
    case 'softmax':
      return tf.mul(tf.softmax(tf.add(z, penalty)), mask);
  }
}

/**
 * The unroll of lara-forward.ts `unroll`, active rows only (see the file
 * comment). Must be called inside a tidy or gradient scope.
 */
export function activeUnroll(w: LaraWeights, topo: LaraTopology, input: UnrollInput): ActiveUnrollOutput {
  const { L, K } = topo;
  const [, B, H] = input.h0.shape;
  const BT = input.q0.shape[0];
  const Th = BT / B;
  const nIn = w.inputW.shape[0];
  const D = w.inputW.shape[1];
  const T = input.steps;
  const think = input.thinkTicks;
  const routing = input.routing ?? 'argmax';
  const noises = input.noise ? tf.unstack(input.noise) : null;
  if (routing === 'random-walk' && !noises) throw new Error("routing 'random-walk' needs its noise (uniform scores on every row)");
  const exploration = routing === 'random-walk' ? 'random' : input.exploration;

  const tables = slotTables(topo, input.threadStays ?? false);
  const layouts = {
    plain: tickLayout(B, Th, K, []),
    input: tickLayout(B, Th, K, topo.inputPositions),
    read: tickLayout(B, Th, K, topo.outputPositions),
    both: tickLayout(B, Th, K, [...topo.inputPositions, ...topo.outputPositions]),
  };
  const kInt = tf.scalar(K, 'int32');
  const bInt = tf.scalar(B, 'int32');
  const slotOffsets = tf.tensor2d(Int32Array.from({ length: K }, (_, s) => s), [1, K], 'int32');
  // Input slot of every node (nIn: none), and the drive of every step, lane and input slot (a zero block last).
  const inputSlot = new Int32Array(L).fill(nIn);
  topo.inputPositions.forEach((pos, i) => (inputSlot[pos] = i));
  const inputSlotOf = tf.tensor1d(inputSlot, 'int32');
  const winFlat = tf.reshape(tf.transpose(w.inputW, [1, 0, 2]), [D, nIn * H]);
  const xw = tf.reshape(tf.matMul(input.x, winFlat), [T, B, nIn, H]);
  const driveTable = tf.reshape(tf.concat([tf.transpose(xw, [0, 2, 1, 3]), tf.zeros([T, 1, B, H])], 1), [T * (nIn + 1) * B, H]) as tf.Tensor2D;
  // cpu and wasm: one kernel each for a tick's row indices and for routing; elsewhere the same as tf ops.
  const fused = kernelsActive();
  // One edge-weight gradient per unroll, from every tick's rows, instead of a dense [L, K*H, H] one per tick.
  const edges = gatheredMatMulTap(w.edgeW);
  // Likewise one gradient per unroll for the node-owned rows gathered every tick.
  const gateU = gatherRowsTap(w.gateU);
  const gateV = gatherRowsTap(w.gateV);
  const nodeBias = w.nodeBias ? gatherRowsTap(w.nodeBias) : null;
  // Read rows: node-major like gatherReads, [nRead*B] into the [L*B, H] states.
  const readRows = tf.tensor1d(Int32Array.from({ length: topo.readCount * B }, (_, i) => (topo.readPositions[Math.floor(i / B)] as number) * B + (i % B)), 'int32');
  const readAll = topo.readIndex === null;

  const opRows = (posNow: tf.Tensor1D, t: number, layout: TickLayout): { nodes: tf.Tensor1D; flat: tf.Tensor1D; driveRow: tf.Tensor1D; srcRows: tf.Tensor1D; first: tf.Tensor1D } => {
    const N = B * layout.A;
    const rows = constant(() => {
      const nodes = layout.forced ? tf.reshape(tf.concat([tf.reshape(posNow, [B, Th]), layout.forced], 1), [N]) : posNow;
      const flat = tf.add(tf.mul(nodes, bInt), layout.lane);
      const drive = tf.add(tf.mul(tf.add(gatherRows(inputSlotOf, nodes as tf.Tensor1D), tf.scalar(t * (nIn + 1), 'int32')), bInt), layout.lane);
      return tf.stack([nodes, flat, drive, firstInLane(nodes as tf.Tensor1D, B, layout).asType('int32')]) as tf.Tensor2D;
    });
    const srcRows = constant(() => {
      const nodes = tf.squeeze(tf.slice(rows, [0, 0], [1, N])) as tf.Tensor1D;
      const slots = tf.reshape(tf.add(tf.mul(tf.reshape(nodes, [N, 1]), kInt), slotOffsets), [N * K]);
      return tf.add(tf.mul(gatherRows(topo.sourceIndex, slots as tf.Tensor1D), bInt), layout.laneSlots) as tf.Tensor1D;
    });
    const [nodes, flat, driveRow, firstInt] = tf.unstack(rows) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    return { nodes, flat, driveRow, srcRows, first: constant(() => tf.cast(firstInt, 'float32')) as tf.Tensor1D };
  };
  const opRoute = (g: tf.Tensor2D, posNow: tf.Tensor1D, A: number, noise: tf.Tensor2D | undefined): tf.Tensor1D => {
    const gThreads = Th === A ? g : tf.reshape(tf.slice(tf.reshape(g, [B, A, K]), [0, 0, 0], [B, Th, K]), [BT, K]);
    const penalty = gatherRows(tables.route, posNow);
    let score: tf.Tensor2D =
      exploration === 'random' ? penalty : tf.add(exploration === 'gumbel' && noise ? tf.log(tf.add(gThreads, 1e-20)) : gThreads, penalty);
    if (noise) score = tf.add(score, noise);
    const choice = tf.cast(tf.argMax(score, 1), 'int32');
    return gatherRows(topo.sourceIndex, tf.add(tf.mul(posNow, kInt), choice) as tf.Tensor1D);
  };

  let h = tf.reshape(input.h0, [L * B, H]) as tf.Tensor2D;
  let pos = constant(() => tf.cast(tf.argMax(input.q0, 1), 'int32')) as tf.Tensor1D; // [B*Th]
  const reads: tf.Tensor3D[] = [];
  let pendingRead = false;
  const visited: tf.Tensor1D[] = [];
  const computed: { nodes: tf.Tensor1D; first: tf.Tensor1D }[] = [];

  for (let t = 0; t < T; t++) {
    for (let tick = 0; tick < think; tick++) {
      const inputTick = tick === 0;
      const readTick = tick === think - 1;
      const layout = inputTick && readTick ? layouts.both : inputTick ? layouts.input : readTick ? layouts.read : layouts.plain;
      const A = layout.A;
      const N = B * A;
      const posNow = pos;
      // Row indices, outside the tape: nodes [N], their state rows, their drive rows, first flags; then the slots' source rows.
      const { nodes, flat, driveRow, srcRows, first } = fused
        ? (({ drive, src, ...r }) => ({ ...r, driveRow: drive, srcRows: src }))(
            tickRowsKernel(posNow, topo.sourceIndex, inputSlotOf, { B, K, forced: layout.forcedNodes, driveBase: t * (nIn + 1) }),
          )
        : opRows(posNow, t, layout);
      // One gather of h per tick (own rows, sources, the previous read tick's read rows): the tape then adds
      // one dense [L*B, H] gradient per tick into h's, not one per gather.
      const readNow = pendingRead;
      pendingRead = false;
      const got = gatherRows(h, readNow ? tf.concat([flat, srcRows, readRows]) : tf.concat([flat, srcRows]));
      const parts = tf.split(got, readNow ? [N, N * K, readRows.shape[0]] : [N, N * K]);
      if (readNow) reads.push(tf.reshape(parts[2] as tf.Tensor2D, [-1, B, H]) as tf.Tensor3D);
      const hRows = parts[0] as tf.Tensor2D; // [N, H]
      const nb = tf.reshape(parts[1] as tf.Tensor2D, [N, K, H]);
      const u = tf.reshape(gateU.gather(nodes), [N, K, H]);
      const v = tf.reshape(gateV.gather(nodes), [N, K, H]);
      const z = tf.sum(tf.add(tf.mul(u, tf.reshape(hRows, [N, 1, H])), tf.mul(nb, v)), 2) as tf.Tensor2D;
      const mask = gatherRows(tables.mask, nodes);
      const g = gateRows(z, input, mask, gatherRows(tables.penalty, nodes));

      const gated = tf.reshape(tf.mul(nb, tf.reshape(g, [N, K, 1])), [N, K * H]) as tf.Tensor2D;
      let pre = edges.matMul(gated, nodes);
      if (inputTick) pre = tf.add(pre, gatherRows(driveTable, driveRow));
      if (nodeBias) pre = tf.add(pre, nodeBias.gather(nodes));
      const delta = tf.mul(tf.sub(tf.relu(pre), hRows), tf.reshape(first, [N, 1])) as tf.Tensor2D;
      h = scatterAddRows(delta, flat, L * B, h);
      visited.push(posNow);
      computed.push({ nodes, first });
      if (readTick && readAll) reads.push(tf.reshape(h, [L, B, H]) as tf.Tensor3D);
      else if (readTick) pendingRead = true; // read by the next tick's gather, or after the loop

      // Each thread moves to the best-scored source of its host: the dense path's routeThreads on the thread rows.
      const noise = noises?.[t * think + tick] as tf.Tensor2D | undefined;
      const gNow = g;
      pos = constant(() =>
        fused
          ? routeKernel(gNow, posNow, tables.route, topo.sourceIndex, noise, A, exploration === 'random' ? 'noise' : exploration === 'gumbel' && noise ? 'log-gate' : 'gate')
          : opRoute(gNow, posNow, A, noise),
      );
    }
  }

  if (pendingRead) reads.push(tf.reshape(gatherRows(h, readRows), [-1, B, H]) as tf.Tensor3D);

  const counts = constant(() => {
    const v = tf.concat(visited);
    const n = tf.concat(computed.map((c) => c.nodes));
    const f = tf.concat(computed.map((c) => c.first));
    return tf.stack([
      tf.reshape(scatterAddRows(tf.ones([v.shape[0], 1]), v as tf.Tensor1D, L), [L]),
      tf.reshape(scatterAddRows(tf.reshape(f, [-1, 1]) as tf.Tensor2D, n as tf.Tensor1D, L), [L]),
    ]) as tf.Tensor2D;
  });
  const [visits, activeCount] = tf.unstack(counts) as [tf.Tensor1D, tf.Tensor1D];
  const finalPos = pos;
  return {
    reads: tf.stack(reads) as tf.Tensor4D,
    hT: tf.reshape(h, [L, B, H]) as tf.Tensor3D,
    qT: constant(() => tf.cast(tf.oneHot(finalPos, L), 'float32')) as tf.Tensor2D,
    visits,
    activeCount,
  };
}
