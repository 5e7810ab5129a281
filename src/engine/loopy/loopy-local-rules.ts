/**
 * Local learning rules for loopy networks (docs/ARCHITECTURE.md): weight changes a
 * synapse could compute from what it sees (its presynaptic input, its node's
 * activity) and one broadcast scalar per sequence (reward or loss change).
 * Nothing is backpropagated through time.
 *
 * Both rules return update directions in gradient convention. The recurrent
 * weights take them as a synapse would, w <- w - lr * direction
 * (applyLocalUpdate; Adam's per-weight normalisation would blow a weak, noisy
 * Hebbian signal up to full-size random steps); the read-out uses Adam.
 *
 * - 'perturbation' (node perturbation, Fiete & Seung 2006): a clean and a
 *   noisy run of the same batch; every node's pre-activation gets
 *   xi ~ N(0, sigma^2) each tick. With dL_b the noisy minus the clean loss of
 *   lane b, dW_ab = (1/B) sum_b dL_b / sigma^2 sum_t xi_a(t) x_b(t): an unbiased
 *   estimate of the gradient as sigma -> 0.
 * - 'hebbian' (three-factor, reward-modulated Oja; after Hoerzer, Legenstein
 *   & Maass 2014): one noisy run; reward R_b = -loss of lane b, modulator
 *   M_b = R_b - mean_b R (the lanes are each other's baseline: ours);
 *   each node compares its activity with its own recent past,
 *   d_a(t) = y_a(t) - ybar_a(t-1), ybar a low-pass filter (TRACE_DECAY) of y;
 *   dW_ab = -(1/(B T)) sum_b M_b sum_t d_a(t) x_b(t) + OJA_DECAY (1/T) sum_t
 *   mean_b(y_a^2) W_ab. The Oja term keeps weights bounded.
 *
 * In both, the linear read-out learns by the delta rule (error x read state),
 * which is its exact gradient and local to the read-out synapse.
 */
import type { LocalRule } from './loopy-params';
import * as tf from '@tensorflow/tfjs';
import type { LaraTopology } from '../lara/lara-forward';
import { loopyTicks, loopyUnroll, type LoopyWeights, type ReadNodePacing } from './loopy-unroll';


/** Weight of Oja's decay term in the Hebbian rule (ours). */
export const OJA_DECAY = 0.01;
/** Per-tick decay of the activity trace ybar the Hebbian rule compares with (Hoerzer et al. use 0.8). */
export const TRACE_DECAY = 0.8;

/** [ticks, ticks] row t: weights of y(s) in ybar(t-1) = sum_{s<t} (1-a) a^(t-1-s) y(s); row 0 copies y(0) (no deviation yet). */
function traceMatrix(ticks: number): tf.Tensor2D {
  const m = new Float32Array(ticks * ticks);
  m[0] = 1;
  for (let t = 1; t < ticks; t++) for (let s = 0; s < t; s++) m[t * ticks + s] = (1 - TRACE_DECAY) * TRACE_DECAY ** (t - 1 - s);
  return tf.tensor2d(m, [ticks, ticks]);
}

export interface LocalRuleInput {
  readonly rule: LocalRule;
  readonly edgeW: tf.Variable;
  readonly readoutW: tf.Variable;
  /** Fixed tensors of the network: input weights and the padding mask of edgeW [L, K*H, H]. */
  readonly inputW: tf.Tensor3D;
  readonly edgeMask: tf.Tensor3D;
  readonly topo: LaraTopology;
  readonly h0: tf.Tensor3D;
  /** [T*B, D], [T*B, C] one-hot; [T*B] 1 where scored. */
  readonly x: tf.Tensor2D;
  readonly targets: tf.Tensor2D;
  readonly scored: tf.Tensor1D;
  readonly steps: number;
  readonly thinkTicks: number;
  readonly readNode?: ReadNodePacing | undefined;
  /** Standard deviation of the exploration noise on every pre-activation. */
  readonly sigma: number;
  readonly seed: number;
  /** The neurons' leak (loopy-unroll.ts); 0 by default. */
  readonly leak?: number;
}

export interface LocalRuleResult {
  /** Update directions (gradient convention) for edgeW [L, K*H, H] and readoutW. */
  readonly edgeW: tf.Tensor3D;
  readonly readoutW: tf.Tensor2D;
  /** Loss, correct count and scored count of the run the network is judged by (the clean one for perturbation). */
  readonly loss: tf.Scalar;
  readonly correct: tf.Scalar;
  readonly scoredCount: tf.Scalar;
  /** State to carry on. */
  readonly hT: tf.Tensor3D;
  /** [B] think ticks per lane, summed over symbols. */
  readonly thinkSum: tf.Tensor1D;
}

/** Mean cross-entropy of each lane [B], and the batch loss and correct count. */
function laneLosses(logits: tf.Tensor2D, targets: tf.Tensor2D, scored: tf.Tensor1D, lanes: number) {
  const ce = tf.mul(tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1)), scored);
  const perLane = tf.div(tf.sum(tf.reshape(ce, [-1, lanes]), 0), tf.maximum(tf.sum(tf.reshape(scored, [-1, lanes]), 0), 1)) as tf.Tensor1D;
  const count = tf.sum(scored) as tf.Scalar;
  const loss = tf.div(tf.sum(ce), tf.maximum(count, 1)) as tf.Scalar;
  const hit = tf.mul(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(targets, 1)), 'float32'), scored);
  return { perLane, loss, correct: tf.sum(hit) as tf.Scalar, count };
}

/** sum over ticks and lanes of pre[t, a, b, :]^T post[t, a, b, :] per host a: [L, K*H, H]. */
export function correlate(pre: tf.Tensor4D, post: tf.Tensor4D): tf.Tensor3D {
  const [ticks, L, B, KH] = pre.shape;
  const H = post.shape[3];
  const p = tf.reshape(tf.transpose(pre, [1, 0, 2, 3]), [L, ticks * B, KH]);
  const q = tf.reshape(tf.transpose(post, [1, 0, 2, 3]), [L, ticks * B, H]);
  return tf.matMul(p, q, true, false) as tf.Tensor3D;
}

export function localRuleDirections(input: LocalRuleInput): LocalRuleResult {
  const { topo, steps, thinkTicks, readNode } = input;
  const [L, B, H] = input.h0.shape;
  const ticks = loopyTicks(steps, thinkTicks, readNode);
  const weights = (): LoopyWeights => ({
    edgeW: tf.mul(input.edgeW, input.edgeMask) as tf.Tensor3D,
    inputW: input.inputW,
    readoutW: input.readoutW as tf.Tensor2D,
  });
  const run = (noise?: tf.Tensor4D) =>
    loopyUnroll(weights(), topo, { h0: input.h0, x: input.x, steps, thinkTicks, readNode, nodeNoise: noise, keepTicks: noise !== undefined, leak: input.leak ?? 0 });

  const noise = tf.tidy(() => tf.mul(tf.randomNormal([ticks, L, B, H], 0, 1, 'float32', input.seed), input.sigma)) as tf.Tensor4D;
  // The read-out's delta rule: the gradient of the judged run's loss with respect to the read-out alone.
  const box: { judged?: ReturnType<typeof run>; lanes?: tf.Tensor1D; correct?: tf.Scalar; count?: tf.Scalar } = {};
  const judgedNoise = input.rule === 'hebbian' ? noise : undefined;
  const { value: loss, grads } = tf.variableGrads(() => {
    const out = run(judgedNoise);
    const l = laneLosses(out.logits, input.targets, input.scored, B);
    box.judged = { ...out, hT: tf.keep(out.hT), thinkSum: tf.keep(out.thinkSum) };
    if (out.kept) {
      const { sources, states, rates, reads } = out.kept;
      box.judged = { ...box.judged, kept: { sources: tf.keep(sources), states: tf.keep(states), rates: tf.keep(rates), reads: tf.keep(reads) } };
    }
    box.lanes = tf.keep(l.perLane);
    box.correct = tf.keep(l.correct);
    box.count = tf.keep(l.count);
    return l.loss;
  }, [input.readoutW]);
  const judged = box.judged as ReturnType<typeof run>;
  const readoutDir = grads[input.readoutW.name] as tf.Tensor2D;

  const edgeDir = tf.tidy(() => {
    if (input.rule === 'perturbation') {
      const noisy = run(noise);
      const dL = tf.sub(laneLosses(noisy.logits, input.targets, input.scored, B).perLane, box.lanes as tf.Tensor1D);
      const scaled = tf.mul(noise, tf.reshape(tf.div(dL, input.sigma * input.sigma * B), [1, 1, B, 1])) as tf.Tensor4D;
      return tf.mul(correlate((noisy.kept as NonNullable<typeof noisy.kept>).sources, scaled), input.edgeMask) as tf.Tensor3D;
    }
    const kept = judged.kept as NonNullable<typeof judged.kept>;
    const reward = tf.neg(box.lanes as tf.Tensor1D);
    const modulator = tf.sub(reward, tf.mean(reward));
    const flat = tf.reshape(kept.states, [ticks, -1]);
    const deviation = tf.reshape(tf.sub(flat, tf.matMul(traceMatrix(ticks), flat)), kept.states.shape) as tf.Tensor4D;
    const hebb = correlate(kept.sources, tf.mul(deviation, tf.reshape(modulator, [1, 1, B, 1])) as tf.Tensor4D);
    const power = tf.reshape(tf.mean(tf.mean(tf.square(kept.states), 2), 0), [L, 1, H]); // [L, 1, H]: mean over ticks and lanes of y^2
    const oja = tf.mul(tf.mul(input.edgeW, power), OJA_DECAY);
    return tf.mul(tf.add(tf.neg(tf.div(hebb, B * ticks)), oja), input.edgeMask) as tf.Tensor3D;
  });
  tf.dispose([noise, box.lanes as tf.Tensor, ...(judged.kept ? Object.values(judged.kept) : [])]);
  return {
    edgeW: edgeDir,
    readoutW: readoutDir,
    loss,
    correct: box.correct as tf.Scalar,
    scoredCount: box.count as tf.Scalar,
    hT: judged.hT,
    thinkSum: judged.thinkSum,
  };
}

/** w <- w - learningRate * direction, the direction's norm clipped to `clip` (0: no clip). */
export function applyLocalUpdate(w: tf.Variable, direction: tf.Tensor, learningRate: number, clip: number): void {
  tf.tidy(() => {
    const norm = tf.norm(direction);
    const scale = clip > 0 ? tf.minimum(1, tf.div(clip, tf.maximum(norm, 1e-12))) : tf.scalar(1);
    w.assign(tf.sub(w, tf.mul(direction, tf.mul(scale, learningRate))));
  });
}
