/**
 * The loopy policy of the shared engine (docs/ARCHITECTURE.md): the packed graph and
 * gathers of LARA, but every node computes every tick, no gates, tanh:
 *   h_a <- tanh(sum_b W_ab h_b + W_in x [input ticks] + xi [node perturbation]),
 * or with a leak (leaky integrators, the neurons e-prop and RFLO were made for):
 *   h_a <- leak h_a + (1 - leak) tanh(...); leak 0 is the plain tick.
 *
 * Two ways to pace the input:
 * - fixed: `thinkTicks` ticks per symbol, the symbol held on the first, the
 *   output read on the last (as LARA);
 * - read node: the symbol is fed for one tick, then the network runs until
 *   its read node switches low -> high (mean state crosses 0 upwards); the
 *   output is read on that tick and the next symbol fed on the next. A lane
 *   that does not fire within `maxTicks` ticks is read anyway (a timeout).
 *   Lanes are paced independently, all on the device: a one-hot pointer per
 *   lane says which symbol it is on; nothing is read back inside the loop.
 *
 * Two ways to pass messages, equal within rounding: the padded one of LARA ([L, K*H] slot rows
 * gathered per tick, a batched matmul), and the sparse one (`edges`): the real edges as a CSR list
 * and one fused edge tick per tick (kernels/edge-spmm.ts: JS loops on cpu and wasm, WGSL on webgpu), so a
 * tick costs what its edges cost.
 *
 * Must run inside a tidy or a gradient scope. The read decisions are
 * discrete: they are computed untaped, and gradients flow through the states
 * that are read.
 */
import * as tf from '@tensorflow/tfjs';
import { createEdgeGraph, disposeEdgeGraph, edgeTanh, type EdgeGraph } from '../kernels/edge-spmm';
import { gatherRows } from '../kernels/gather-rows';
import '../kernels/edge-spmm-webgpu';
import { gatherReads, gatherSources, readoutLogits, untaped, type LaraTopology } from '../lara/lara-forward';

/** The real edges of a packed topology as a CSR list by destination, and where each one's weights sit in the packed [L*K] slots. */
export interface LoopyEdgeList {
  readonly graph: EdgeGraph;
  /** [E] int32 packed slot (a*K+s) of each edge. */
  readonly slot: tf.Tensor1D;
}

/** The real (unmasked) slots of `topo` in slot order, which is destination order. */
export function createLoopyEdges(topo: LaraTopology): LoopyEdgeList {
  const { L, K } = topo;
  const slots: number[] = [];
  for (let i = 0; i < L * K; i++) if ((topo.mask[i] as number) > 0) slots.push(i);
  return {
    graph: createEdgeGraph(
      L,
      Int32Array.from(slots, (i) => topo.source[i] as number),
      Int32Array.from(slots, (i) => Math.floor(i / K)),
    ),
    slot: tf.tensor1d(Int32Array.from(slots), 'int32'),
  };
}

export function disposeLoopyEdges(e: LoopyEdgeList): void {
  disposeEdgeGraph(e.graph);
  e.slot.dispose();
}

/** The packed weights [L, K*H, H] of the real edges, [E, H, H]; differentiable (the gradient puts each edge back in its slot). */
export function edgeWeightsOf(edges: LoopyEdgeList, edgeW: tf.Tensor3D): tf.Tensor3D {
  const [L, KH, H] = edgeW.shape;
  const K = KH / H;
  const rows = gatherRows(tf.reshape(edgeW, [L * K, H * H]) as tf.Tensor2D, edges.slot);
  return tf.reshape(rows, [edges.graph.edges, H, H]) as tf.Tensor3D;
}

export interface LoopyWeights {
  /** [L, K*H, H], zero on padding slots. */
  readonly edgeW: tf.Tensor3D;
  /** [nIn, D, H] */
  readonly inputW: tf.Tensor3D;
  /** [nRead*H, C] */
  readonly readoutW: tf.Tensor2D;
}

export interface ReadNodePacing {
  /** Packed position of the read node. */
  readonly position: number;
  /** Ticks after which a lane is read even if its read node has not fired. */
  readonly maxTicks: number;
}

export interface LoopyUnrollInput {
  /** [L, B, H] */
  readonly h0: tf.Tensor3D;
  /** [T*B, D] one-hot symbols, time major. */
  readonly x: tf.Tensor2D;
  readonly steps: number;
  /** Fixed pacing: ticks per symbol. Ignored with `readNode`. */
  readonly thinkTicks: number;
  readonly readNode?: ReadNodePacing | undefined;
  /** [ticks, L, B, H] added to every pre-activation (node perturbation). */
  readonly nodeNoise?: tf.Tensor4D | undefined;
  /** Keep each tick's presynaptic rows and states (local learning rules). */
  readonly keepTicks?: boolean;
  /** Share of the old state a node keeps each tick (0: none, the plain tanh tick). */
  readonly leak?: number;
  /** Stack a per-tick display trace. */
  readonly trace?: boolean;
  /** Pass messages over this edge list (sparse) instead of the padded slots; the results are the same. */
  readonly edges?: LoopyEdgeList | undefined;
}

export interface LoopyUnrollOutput {
  /** [T*B, C] read-out logits, one row per symbol and lane. */
  readonly logits: tf.Tensor2D;
  readonly hT: tf.Tensor3D;
  /** [B] ticks each lane spent per symbol, summed. */
  readonly thinkSum: tf.Tensor1D;
  /** [B] symbols each lane read on a timeout rather than on its read node. */
  readonly timeouts: tf.Tensor1D;
  /**
   * Per tick: [ticks, L, B, K*H] the presynaptic row of every host, [ticks, L, B, H] its new state and
   * its tanh(pre-activation) (the same tensor without a leak), and [ticks, B] 1 where the lane read.
   */
  readonly kept?: { readonly sources: tf.Tensor4D; readonly states: tf.Tensor4D; readonly rates: tf.Tensor4D; readonly reads: tf.Tensor2D };
  /** [ticks, L, B] mean state per node and [ticks, B] 1 where the output was read. */
  readonly trace?: { readonly activity: tf.Tensor3D; readonly reads: tf.Tensor2D };
}

/** Ticks an unroll of `steps` symbols runs. */
export function loopyTicks(steps: number, thinkTicks: number, readNode: ReadNodePacing | undefined): number {
  return steps * (readNode ? readNode.maxTicks : thinkTicks);
}

/** [L*K*B*H]-sized slot mask as [L, B, K*H]: 0 on padding slots, so a padded slot's (self) source adds nothing. */
function slotMask(topo: LaraTopology, B: number, H: number): tf.Tensor3D {
  const { L, K } = topo;
  const m = new Float32Array(L * B * K * H);
  for (let a = 0; a < L; a++) {
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < K; s++) if ((topo.mask[a * K + s] as number) > 0) m.fill(1, ((a * B + b) * K + s) * H, ((a * B + b) * K + s + 1) * H);
    }
  }
  return tf.tensor3d(m, [L, B, K * H]);
}

export function loopyUnroll(w: LoopyWeights, topo: LaraTopology, input: LoopyUnrollInput): LoopyUnrollOutput {
  const { L, K } = topo;
  const [, B, H] = input.h0.shape;
  const nIn = w.inputW.shape[0];
  const D = w.inputW.shape[1];
  const T = input.steps;
  const pacing = input.readNode;
  const ticks = loopyTicks(T, input.thinkTicks, pacing);
  const sparse = input.edges;
  // The slot mask only where padded rows are built: the padded path, and the kept sources of the local rules.
  const mask = !sparse || input.keepTicks ? slotMask(topo, B, H) : null;
  const edgeWeights = sparse ? edgeWeightsOf(sparse, w.edgeW) : null;

  // The input drive of every symbol, [T] x [L, B, H].
  const winFlat = tf.reshape(tf.transpose(w.inputW, [1, 0, 2]), [D, nIn * H]);
  const xw = tf.reshape(tf.matMul(input.x, winFlat), [T, B, nIn, H]);
  const xwByNode = tf.reshape(nIn === 1 ? xw : tf.transpose(xw, [0, 2, 1, 3]), [T, nIn, B * H]);
  const drives = tf.split(xwByNode, T).map((d) => tf.reshape(tf.matMul(topo.inputScatter, tf.reshape(d, [nIn, B * H])), [L, B, H]));
  const noises = input.nodeNoise ? tf.unstack(input.nodeNoise) : null;
  const leak = input.leak ?? 0;

  // One tick from state h with extra pre-activation drive: the new state, its tanh part and the presynaptic rows.
  const paddedSources = (h: tf.Tensor3D): tf.Tensor3D => {
    const nb = tf.reshape(gatherSources(topo, tf.reshape(h, [L, B * H]) as tf.Tensor2D), [L, K, B, H]);
    return tf.mul(tf.reshape(tf.transpose(nb, [0, 2, 1, 3]), [L, B, K * H]), mask as tf.Tensor3D) as tf.Tensor3D;
  };
  const tick = (h: tf.Tensor3D, drive: tf.Tensor3D | null, i: number): { h: tf.Tensor3D; rate: tf.Tensor3D; sources: tf.Tensor3D | null } => {
    const noise = noises?.[i];
    let rate: tf.Tensor3D;
    let sources: tf.Tensor3D | null = null;
    if (sparse) {
      // Drive and noise ride into the fused tick as one extra pre-activation.
      const extra = drive && noise ? tf.add(drive, noise) : (drive ?? noise ?? null);
      rate = edgeTanh(sparse.graph, h, edgeWeights as tf.Tensor3D, extra as tf.Tensor3D | null);
      if (input.keepTicks) sources = untaped(() => paddedSources(h));
    } else {
      sources = paddedSources(h);
      let pre = tf.matMul(sources, w.edgeW) as tf.Tensor3D;
      if (drive) pre = tf.add(pre, drive);
      if (noise) pre = tf.add(pre, noise);
      rate = tf.tanh(pre);
    }
    return { h: leak > 0 ? (tf.add(tf.mul(h, leak), tf.mul(rate, 1 - leak)) as tf.Tensor3D) : rate, rate, sources };
  };

  let h = input.h0;
  const keptSources: tf.Tensor3D[] = [];
  const keptStates: tf.Tensor3D[] = [];
  const keptRates: tf.Tensor3D[] = [];
  const keptReads: tf.Tensor1D[] = [];
  const activity: tf.Tensor2D[] = [];
  const readFlags: tf.Tensor1D[] = [];
  const record = (r: { h: tf.Tensor3D; rate: tf.Tensor3D; sources: tf.Tensor3D | null }, read: tf.Tensor1D): void => {
    if (input.keepTicks) {
      keptSources.push(r.sources as tf.Tensor3D);
      keptStates.push(r.h);
      keptRates.push(r.rate);
      keptReads.push(read);
    }
    if (input.trace) {
      activity.push(tf.mean(r.h, 2));
      readFlags.push(read);
    }
  };

  if (!pacing) {
    const reads: tf.Tensor3D[] = [];
    const none = tf.zeros([B]) as tf.Tensor1D;
    const all = tf.ones([B]) as tf.Tensor1D;
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < input.thinkTicks; k++) {
        const r = tick(h, k === 0 ? (drives[t] as tf.Tensor3D) : null, t * input.thinkTicks + k);
        h = r.h;
        const readTick = k === input.thinkTicks - 1;
        if (readTick) reads.push(gatherReads(topo, h));
        record(r, readTick ? all : none);
      }
    }
    return finish(readoutLogits(tf.stack(reads) as tf.Tensor4D, w.readoutW), h, tf.fill([B], T * input.thinkTicks) as tf.Tensor1D, none);
  }

  // Read-node pacing. Pointer [B, T+1]: one-hot symbol index per lane; column T is "done".
  const nRead = topo.readCount;
  const drivesStacked = tf.stack(drives) as tf.Tensor4D; // [T, L, B, H]
  const shift = tf.tensor2d(
    Float32Array.from({ length: (T + 1) * (T + 1) }, (_, i) => {
      const [r, c] = [Math.floor(i / (T + 1)), i % (T + 1)];
      return c === Math.min(r + 1, T) ? 1 : 0;
    }),
    [T + 1, T + 1],
  );
  const readAt = tf.oneHot(tf.tensor1d([pacing.position], 'int32'), L).reshape([1, L]) as tf.Tensor2D;
  let pointer = untaped(() => tf.oneHot(tf.zeros([B], 'int32'), T + 1).toFloat()) as tf.Tensor2D;
  let feed = tf.ones([B]) as tf.Tensor1D;
  let since = tf.zeros([B]) as tf.Tensor1D;
  let wasHigh = untaped(() => tf.greater(tf.reshape(tf.matMul(readAt, tf.reshape(tf.mean(input.h0, 2), [L, B])), [B]), 0).toFloat()) as tf.Tensor1D;
  let readSum: tf.Tensor4D = tf.zeros([T, nRead, B, H]);
  let thinkSum = tf.zeros([B]) as tf.Tensor1D;
  let timeouts = tf.zeros([B]) as tf.Tensor1D;
  for (let i = 0; i < ticks; i++) {
    // This lane's current symbol, fed only on the tick after a read: [T, B] weights over the drives.
    const onSymbol = tf.slice(pointer, [0, 0], [B, T]);
    const feedWeights = untaped(() => tf.transpose(tf.mul(onSymbol, tf.reshape(feed, [B, 1]))));
    const drive = tf.sum(tf.mul(drivesStacked, tf.reshape(feedWeights, [T, 1, B, 1])), 0) as tf.Tensor3D;
    const r = tick(h, drive, i);
    h = r.h;
    const pending = tf.sum(onSymbol, 1) as tf.Tensor1D; // 1 while the lane has symbols left
    const step = untaped(() => {
      const readState = tf.reshape(tf.matMul(readAt, tf.reshape(tf.mean(h, 2), [L, B])), [B]);
      const high = tf.greater(readState, 0).toFloat();
      const rising = tf.mul(high, tf.sub(1, wasHigh));
      const timedOut = tf.greaterEqual(tf.add(since, 1), pacing.maxTicks).toFloat();
      const fire = tf.mul(tf.maximum(rising, timedOut), pending);
      return tf.stack([fire, high, tf.mul(tf.mul(timedOut, tf.sub(1, rising)), pending)]);
    });
    const [fire, high, timeout] = tf.unstack(step) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    const readWeights = tf.transpose(tf.mul(onSymbol, tf.reshape(fire, [B, 1]))); // [T, B]
    readSum = tf.add(readSum, tf.mul(tf.reshape(readWeights, [T, 1, B, 1]), tf.reshape(gatherReads(topo, h), [1, nRead, B, H])));
    thinkSum = tf.add(thinkSum, tf.mul(fire, tf.add(since, 1)));
    timeouts = tf.add(timeouts, timeout);
    const keepPointer = tf.reshape(tf.sub(1, fire), [B, 1]);
    pointer = tf.add(tf.mul(pointer, keepPointer), tf.mul(tf.matMul(pointer, shift), tf.reshape(fire, [B, 1])));
    since = tf.mul(tf.add(since, 1), tf.sub(1, fire));
    feed = fire;
    wasHigh = high;
    record(r, fire);
  }
  return finish(readoutLogits(readSum, w.readoutW), h, thinkSum, timeouts);

  function finish(logits: tf.Tensor2D, hT: tf.Tensor3D, think: tf.Tensor1D, outs: tf.Tensor1D): LoopyUnrollOutput {
    const out: LoopyUnrollOutput = { logits, hT, thinkSum: think, timeouts: outs };
    const kept = input.keepTicks
      ? {
          sources: tf.stack(keptSources) as tf.Tensor4D,
          states: tf.stack(keptStates) as tf.Tensor4D,
          rates: tf.stack(keptRates) as tf.Tensor4D,
          reads: tf.stack(keptReads) as tf.Tensor2D,
        }
      : undefined;
    const trace = input.trace ? { activity: tf.stack(activity) as tf.Tensor3D, reads: tf.stack(readFlags) as tf.Tensor2D } : undefined;
    return { ...out, ...(kept ? { kept } : {}), ...(trace ? { trace } : {}) };
  }
}
