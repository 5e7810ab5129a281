/**
 * e-prop (Bellec et al. 2020, Nat. Commun. 11:3625) and RFLO (Murray 2019,
 * eLife 8:e43299) for loopy networks: every synapse keeps an eligibility
 * trace of how its weight moved its node's state, and a learning signal, the
 * output error fed back to the node, turns the trace into a weight change.
 *
 * With the leaky tick of loopy-unroll.ts, h_j(t) = λ h_j(t-1) + (1-λ) tanh(u_j(t)),
 * u_j(t) = Σ_i W_ji h_i(t-1) + input, and ψ_j(t) = (1-λ) tanh'(u_j(t)):
 * - e-prop keeps the neuron's own recurrence, the diagonal of the state
 *   Jacobian ∂h_j(t)/∂h_j(t-1) = λ + ψ_j(t) W_jj (self-loop included):
 *     e_ji(t) = clip(λ + ψ_j(t) W_jj, -1, 1) e_ji(t-1) + ψ_j(t) h_i(t-1);
 *   the clip is ours: traces carry across windows without end, and a
 *   self-loop grown past 1 made them grow without bound (e-prop on the
 *   language-model test: traces at 1e19, then NaN, at step 354 of 600);
 * - RFLO drops W_jj: p_ji(t) = λ p_ji(t-1) + ψ_j(t) h_i(t-1)
 *   (Murray's p <- (1-1/τ) p + (1/τ) φ'(u) r_pre with λ = 1 - 1/τ).
 * The learning signal on a tick where lane b reads symbol t is
 * L_j(t) = Σ_k B_jk (softmax_k - target_k) / (scored count), zero elsewhere;
 * the update direction is ΔW_ji = Σ_b Σ_t L_j(t) e_ji(t), in gradient convention.
 * Here a neuron is one unit: with width H a node's H units each keep their
 * own diagonal term, W[a, self*H + j, j].
 *
 * B is fixed random (seeded, the read-out's initial scale); or symmetric: the
 * current read-out weights where a node is read, zero where it is not (an
 * unread node does not project to the output, so its incoming weights then
 * stay put); or mixed (ours): symmetric on read nodes, fixed random elsewhere. With symmetric feedback and fresh traces, e-prop over a one-tick
 * window is the exact gradient; over any window on a graph whose only edges
 * are self-loops, with every node read, it is exact too (loopy-eprop.test.ts).
 *
 * The traces are computed after the forward, over the ticks it kept (by two
 * backward scans, traceScans): nothing in them feeds back into the dynamics,
 * so this equals carrying them in the tick loop, and it reuses both pacings
 * of loopyUnroll. Traces carry
 * across windows with the state (the caller keeps them). The read-out learns
 * by the delta rule, its exact gradient.
 */
import * as tf from '@tensorflow/tfjs';
import type { LaraTopology } from '../lara/lara-forward';
import { readoutLoss } from '../lara/lara-forward';
import { createRng, normalArray } from '../random';
import { correlate, type LocalRuleInput, type LocalRuleResult } from './loopy-local-rules';
import type { LoopyFeedback, TraceRule } from './loopy-params';
import { loopyUnroll } from './loopy-unroll';

/** The network and batch of a local rule (loopy-local-rules.ts), with the trace rule's own inputs. */
export interface TraceRuleInput extends Omit<LocalRuleInput, 'rule' | 'sigma' | 'seed' | 'leak'> {
  readonly rule: TraceRule;
  /** [L, B, K*H, H] the eligibility traces the window starts from (zeros on a fresh state). */
  readonly traces0: tf.Tensor4D;
  readonly leak: number;
  /** B = (readOut ? the read-out's weights on read nodes, zero elsewhere : 0) + (fixed [L, H, C] ?? 0). */
  readonly feedback: { readonly fixed: tf.Tensor3D | null; readonly readOut: boolean };
}

export interface TraceRuleResult extends LocalRuleResult {
  /** [L, B, K*H, H] the traces at the window's end, to carry with hT. */
  readonly traces: tf.Tensor4D;
}

/**
 * The fixed part of a feedback kind [L, H, C]: seeded random weights at the read-out's initial scale
 * (std 1/sqrt(nRead*H)), zero on read nodes when mixed; null when symmetric.
 */
export function fixedFeedbackWeights(kind: LoopyFeedback, L: number, H: number, C: number, readPositions: readonly number[], seed: number): Float32Array | null {
  if (kind === 'symmetric') return null;
  const w = normalArray(createRng(seed), L * H * C, 1 / Math.sqrt(readPositions.length * H));
  if (kind === 'mixed') for (const a of readPositions) w.fill(0, a * H * C, (a + 1) * H * C);
  return w;
}

/** Whether a feedback kind sends the read-out's own weights back. */
export function feedbackUsesReadout(kind: LoopyFeedback): boolean {
  return kind !== 'random';
}

/** [L, K*H, H]: 1 at (a, s*H + j, j) where slot s of node a is a real self-loop: picks each unit's W_jj. */
function selfLoopSelector(topo: LaraTopology, H: number): tf.Tensor3D {
  const { L, K } = topo;
  const m = new Float32Array(L * K * H * H);
  for (let a = 0; a < L; a++) {
    for (let s = 0; s < K; s++) {
      if ((topo.mask[a * K + s] as number) === 0 || topo.source[a * K + s] !== a) continue;
      for (let j = 0; j < H; j++) m[((a * K + s) * H + j) * H + j] = 1;
    }
  }
  return tf.tensor3d(m, [L, K * H, H]);
}

/**
 * Symmetric feedback [L, H, C]: read node r's read-out rows, zero on nodes that are not read.
 * A gather from the rows plus a zero row (the one-hot matmul by readScatter came out wrong on wasm here).
 */
function symmetricFeedback(topo: LaraTopology, readoutW: tf.Tensor2D, H: number): tf.Tensor3D {
  const C = readoutW.shape[1];
  const n = topo.readCount;
  const rows = tf.concat([tf.reshape(readoutW, [n, H * C]), tf.zeros([1, H * C])]);
  const index = Int32Array.from({ length: topo.L }, (_, a) => {
    const r = topo.readPositions.indexOf(a);
    return r < 0 ? n : r;
  });
  return tf.reshape(tf.gather(rows, tf.tensor1d(index, 'int32')), [topo.L, H, C]);
}

/**
 * The trace recursion e(t) = d(t) e(t-1) + ψ(t) x(t) is diagonal in the
 * postsynaptic unit, so the window's update Σ_t s(t) e(t) and its last trace
 * need only two backward scans over [L, B, H] per tick, not the [L, B, K*H, H]
 * traces themselves: G(t) = s(t) + d(t+1) G(t+1) (what a unit of trace at t is
 * worth to the update) and F(t) = d(t+1) F(t+1), F(last) = 1 (how much of it
 * survives to the end). Returns both stacked [ticks, L, B, H].
 */
function traceScans(d: tf.Tensor4D, s: tf.Tensor4D): { G: tf.Tensor4D; F: tf.Tensor4D } {
  const ticks = d.shape[0];
  const ds = tf.unstack(d) as tf.Tensor3D[];
  const ss = tf.unstack(s) as tf.Tensor3D[];
  const G: tf.Tensor3D[] = new Array<tf.Tensor3D>(ticks);
  const F: tf.Tensor3D[] = new Array<tf.Tensor3D>(ticks);
  for (let t = ticks - 1; t >= 0; t--) {
    const next = ds[t + 1];
    G[t] = next ? (tf.add(ss[t] as tf.Tensor3D, tf.mul(next, G[t + 1] as tf.Tensor3D)) as tf.Tensor3D) : (ss[t] as tf.Tensor3D);
    F[t] = next ? (tf.mul(next, F[t + 1] as tf.Tensor3D) as tf.Tensor3D) : (tf.onesLike(ss[t] as tf.Tensor3D) as tf.Tensor3D);
  }
  return { G: tf.stack(G) as tf.Tensor4D, F: tf.stack(F) as tf.Tensor4D };
}

export function traceRuleDirections(input: TraceRuleInput): TraceRuleResult {
  const { topo, steps: T, leak } = input;
  const [L, B, H] = input.h0.shape;
  const KH = topo.K * H;
  const C = input.targets.shape[1];

  // The forward (kept per tick) and the read-out's delta rule: the loss gradient with respect to the read-out alone.
  type Kept = NonNullable<ReturnType<typeof loopyUnroll>['kept']>;
  const box: { kept?: Kept; hT?: tf.Tensor3D; thinkSum?: tf.Tensor1D; logits?: tf.Tensor2D; correct?: tf.Scalar; count?: tf.Scalar } = {};
  const { value: loss, grads } = tf.variableGrads(() => {
    const w = { edgeW: tf.mul(input.edgeW, input.edgeMask) as tf.Tensor3D, inputW: input.inputW, readoutW: input.readoutW as tf.Tensor2D };
    const out = loopyUnroll(w, topo, { h0: input.h0, x: input.x, steps: T, thinkTicks: input.thinkTicks, readNode: input.readNode, keepTicks: true, leak });
    const r = readoutLoss(out.logits, input.targets, input.scored);
    const kept = out.kept as Kept;
    box.kept = { sources: tf.keep(kept.sources), states: tf.keep(kept.states), rates: tf.keep(kept.rates), reads: tf.keep(kept.reads) };
    box.hT = tf.keep(out.hT);
    box.thinkSum = tf.keep(out.thinkSum);
    box.logits = tf.keep(out.logits);
    box.correct = tf.keep(r.correct);
    box.count = tf.keep(r.scored);
    return r.loss;
  }, [input.readoutW]);
  const kept = box.kept as Kept;
  const ticks = kept.sources.shape[0];

  const [signal, psi] = tf.tidy((): [tf.Tensor4D, tf.Tensor4D] => {
    // dLoss/dlogits of the mean cross-entropy over scored rows, [T*B, C].
    const err = tf.div(tf.mul(tf.sub(tf.softmax(box.logits as tf.Tensor2D), input.targets), tf.reshape(input.scored, [-1, 1])), tf.maximum(box.count as tf.Scalar, 1));
    // Which symbol a lane reads on a tick: its count of reads so far, one-hot [B, ticks, T], zero on ticks it does not read.
    const readsBT = tf.transpose(kept.reads) as tf.Tensor2D;
    const index = tf.expandDims(tf.sub(tf.cumsum(readsBT, 1), 1), 2);
    const select = tf.mul(tf.cast(tf.equal(index, tf.reshape(tf.range(0, T), [1, 1, T])), 'float32'), tf.expandDims(readsBT, 2)) as tf.Tensor3D;
    const errTick = tf.matMul(select, tf.transpose(tf.reshape(err, [T, B, C]), [1, 0, 2]) as tf.Tensor3D); // [B, ticks, C]
    const { fixed, readOut } = input.feedback;
    const mirrored = readOut ? symmetricFeedback(topo, input.readoutW as tf.Tensor2D, H) : null;
    const fb = mirrored && fixed ? tf.add(mirrored, fixed) : (mirrored ?? fixed ?? (tf.zeros([L, H, C]) as tf.Tensor3D));
    const fbFlat = tf.reshape(tf.transpose(fb, [2, 0, 1]), [C, L * H]);
    const sig = tf.transpose(tf.reshape(tf.matMul(tf.reshape(errTick, [B * ticks, C]), fbFlat), [B, ticks, L, H]), [1, 2, 0, 3]) as tf.Tensor4D;
    const p = tf.mul(tf.sub(1, tf.square(kept.rates)), 1 - leak) as tf.Tensor4D; // ψ [ticks, L, B, H]
    return [sig, p];
  });
  // e-prop's factor on the carried trace, λ + ψ W_jj clipped to [-1, 1] (a trace may remember, never amplify); RFLO's is λ alone.
  const decay =
    input.rule === 'eprop'
      ? tf.tidy(() => {
          const wSelf = tf.sum(tf.mul(tf.mul(input.edgeW, input.edgeMask), selfLoopSelector(topo, H)), 1);
          return tf.clipByValue(tf.add(tf.mul(psi, tf.reshape(wSelf, [1, L, 1, H])), leak), -1, 1) as tf.Tensor4D;
        })
      : null;

  const { edgeDir, traces } = tf.tidy(() => {
    // A window of no ticks changes nothing and hands the caller a trace tensor of its own all the same.
    if (ticks === 0) return { edgeDir: tf.zeros([L, KH, H]) as tf.Tensor3D, traces: tf.clone(input.traces0) };
    const d = decay ?? (tf.fill(psi.shape, leak) as tf.Tensor4D);
    const { G, F } = traceScans(d, signal);
    const fresh = tf.mul(G, psi) as tf.Tensor4D; // what each tick's ψ x is worth to the update
    const first = (x: tf.Tensor4D): tf.Tensor4D => tf.slice(x, [0, 0, 0, 0], [1, L, B, H]);
    const d0 = first(d);
    const g0 = tf.reshape(tf.mul(d0, first(G)), [L, B, 1, H]);
    const f0 = tf.reshape(tf.mul(d0, first(F)), [L, B, 1, H]);
    // Σ_t s(t) e(t) = Σ_b e(0) d(0) G(0) + Σ_τ,b x(τ)ᵀ G(τ) ψ(τ).
    const update = tf.add(tf.sum(tf.mul(input.traces0, g0), 1), correlate(kept.sources, fresh));
    // e(T) = d(0) F(0) e(0) + Σ_τ x(τ) F(τ) ψ(τ), per lane: one [KH, ticks] x [ticks, H] matmul per (node, lane).
    const xs = tf.reshape(tf.transpose(kept.sources, [1, 2, 3, 0]), [L * B, KH, ticks]);
    const fs = tf.reshape(tf.transpose(tf.mul(F, psi), [1, 2, 0, 3]), [L * B, ticks, H]);
    const carried = tf.add(tf.mul(input.traces0, f0), tf.reshape(tf.matMul(xs, fs), [L, B, KH, H]));
    return { edgeDir: tf.mul(update, input.edgeMask) as tf.Tensor3D, traces: carried as tf.Tensor4D };
  });
  tf.dispose([signal, psi, ...(decay ? [decay] : []), ...Object.values(kept), box.logits as tf.Tensor]);
  return {
    edgeW: edgeDir,
    readoutW: grads[input.readoutW.name] as tf.Tensor2D,
    loss,
    correct: box.correct as tf.Scalar,
    scoredCount: box.count as tf.Scalar,
    hT: box.hT as tf.Tensor3D,
    thinkSum: box.thinkSum as tf.Tensor1D,
    traces,
  };
}
