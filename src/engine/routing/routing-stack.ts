/**
 * The math of a stack of layers with routing modules (seed 003, docs/ARCHITECTURE.md),
 * in tfjs. Row vectors throughout (x W, not W x):
 *
 *   h_0     = act(x W_in + b_in)                       input projection, always executed
 *   p_l     = softmax(h_l R_l + r_l)                   routing module: {execute, skip}
 *   f_l(h)  = act(h W_l + b_l)
 *   h_{l+1} = p_exec f_l(h_l) + p_skip (h_l S_l)       S_l zero-initialised, trainable
 *   logits  = h_L W_out + b_out
 *   loss    = CE + lambda_s mean(p_exec) + lambda_1 sum|S|
 *
 * The routing module's "small MLP" is one linear layer scoring the two paths:
 * the seed says "e.g. a 1-layer MLP" and two scores need no hidden layer.
 * The seed's pseudocode multiplies the path distribution by the activation
 * vector (`probabilities * activation_vector`), which does not type-check
 * (2 paths vs W units); we follow its prose: the distribution weights the
 * two paths' outputs. The skip path is S_l h_l alone, as the lab's design writes it, not
 * h_l + S_l h_l: with S_l = 0 a skipped layer first outputs zero and skipping
 * only pays once S_l has learnt to carry what the layer would have.
 *
 * Hard routing (inference) executes a layer iff p_exec > 0.5 per example. On
 * the device both paths are still computed and masked (one kernel sequence for
 * the whole batch); the compute saved is what the mask counts.
 *
 * routing = false is the baseline: the same stack with h_{l+1} = f_l(h_l), no
 * routers, no skip matrices, no penalties.
 */
import * as tf from '@tensorflow/tfjs';
import type { HostTensor } from '../training/host-tensor';
import { createRng, normalArray } from '../random';
import type { RoutingActivation } from './routing-params';
import { stackShapes, type RoutingTensorName, type StackDims } from './routing-shapes';

/** Initial router bias of the execute score: p_exec = sigmoid(2) ~ 0.88, so a new stack starts close to the baseline and learns to skip. */
export const ROUTER_EXECUTE_BIAS = 2;
/** Router weights start small so that routing first depends mostly on the bias. */
const ROUTER_WEIGHT_GAIN = 0.5;

export interface StackOptions {
  readonly activation: RoutingActivation;
  readonly routing: boolean;
}

export interface Penalties {
  readonly lambdaS: number;
  readonly lambda1: number;
}

/** Shapes of the stack's tensors: index 0 of the layer tensors is the routed layer. */
/** Seeded initial weights on the host: scaled normals, zero biases, router biased to execute, S = 0. */
export function initStackTensors(d: StackDims, activation: RoutingActivation, seed: number): Record<RoutingTensorName, HostTensor> {
  const shapes = stackShapes(d);
  const rng = createRng(seed, 3);
  const gain = activation === 'relu' ? Math.SQRT2 : 1;
  const W = d.width;
  const zeros = (shape: number[]): HostTensor => ({ shape, values: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  const normal = (shape: number[], std: number): HostTensor => ({ shape, values: normalArray(rng, shape.reduce((a, b) => a * b, 1), std) });
  const routerB = zeros(shapes.routerB);
  for (let l = 0; l < d.layers; l++) routerB.values[2 * l] = ROUTER_EXECUTE_BIAS;
  // Draw order is fixed (in, layers, routers, out) so a seed always gives the same stack.
  const inW = normal(shapes.inW, gain / Math.sqrt(d.inputSize));
  const layerW = normal(shapes.layerW, gain / Math.sqrt(W));
  const routerW = normal(shapes.routerW, ROUTER_WEIGHT_GAIN / Math.sqrt(W));
  const outW = normal(shapes.outW, 1 / Math.sqrt(W));
  return {
    inW,
    inB: zeros(shapes.inB),
    layerW,
    layerB: zeros(shapes.layerB),
    routerW,
    routerB,
    skipS: zeros(shapes.skipS),
    outW,
    outB: zeros(shapes.outB),
  };
}

export type StackWeights = Readonly<Record<RoutingTensorName, tf.Tensor>>;

export interface StackForward {
  /** [B, C] */
  readonly logits: tf.Tensor2D;
  /** Execute probability per example and routed layer [B, N] (ones without routing). */
  readonly pExec: tf.Tensor2D;
  /** 1 where the layer ran [B, N]: p_exec > 0.5 under hard routing; ones in the soft forward and without routing. */
  readonly executed: tf.Tensor2D;
  /** Mean |h| per graph node [B, N + 2]: h_0, h_1..h_N, logits (only when asked for). */
  readonly activity?: tf.Tensor2D;
}

/** The forward pass; call inside tf.tidy (or variableGrads). `hard`: route by p_exec > 0.5 instead of mixing. */
export function stackForward(w: StackWeights, x: tf.Tensor2D, opts: StackOptions, hard: boolean, withActivity = false): StackForward {
  const act = (t: tf.Tensor): tf.Tensor2D => (opts.activation === 'relu' ? tf.relu(t) : tf.tanh(t)) as tf.Tensor2D;
  const B = x.shape[0];
  const N = w.layerW.shape[0];
  let h = act(tf.add(tf.matMul(x, w.inW as tf.Tensor2D), w.inB));
  const activity: tf.Tensor[] = [];
  const meanAbs = (t: tf.Tensor2D): tf.Tensor => tf.mean(tf.abs(t), 1, true);
  if (withActivity) activity.push(meanAbs(h));
  const layerW = tf.unstack(w.layerW) as tf.Tensor2D[];
  const layerB = tf.unstack(w.layerB);
  const routerW = opts.routing ? (tf.unstack(w.routerW) as tf.Tensor2D[]) : [];
  const routerB = opts.routing ? tf.unstack(w.routerB) : [];
  const skipS = opts.routing ? (tf.unstack(w.skipS) as tf.Tensor2D[]) : [];
  const pExec: tf.Tensor[] = [];
  const executed: tf.Tensor[] = [];
  for (let l = 0; l < N; l++) {
    const f = act(tf.add(tf.matMul(h, layerW[l] as tf.Tensor2D), layerB[l] as tf.Tensor));
    if (!opts.routing) {
      h = f;
    } else {
      const p = tf.softmax(tf.add(tf.matMul(h, routerW[l] as tf.Tensor2D), routerB[l] as tf.Tensor)) as tf.Tensor2D;
      const pE = tf.slice(p, [0, 0], [B, 1]);
      const skip = tf.matMul(h, skipS[l] as tf.Tensor2D);
      pExec.push(pE);
      if (hard) {
        const run = tf.cast(tf.greater(pE, 0.5), 'float32');
        h = tf.add(tf.mul(run, f), tf.mul(tf.sub(1, run), skip));
        executed.push(run);
      } else {
        h = tf.add(tf.mul(pE, f), tf.mul(tf.slice(p, [0, 1], [B, 1]), skip));
      }
    }
    if (withActivity) activity.push(meanAbs(h));
  }
  const logits = tf.add(tf.matMul(h, w.outW as tf.Tensor2D), w.outB) as tf.Tensor2D;
  const ones = (): tf.Tensor2D => tf.ones([B, N]);
  const out: StackForward = {
    logits,
    pExec: pExec.length > 0 ? (tf.concat(pExec, 1) as tf.Tensor2D) : ones(),
    executed: executed.length > 0 ? (tf.concat(executed, 1) as tf.Tensor2D) : ones(),
  };
  if (!withActivity) return out;
  activity.push(meanAbs(logits));
  return { ...out, activity: tf.concat(activity, 1) as tf.Tensor2D };
}

export interface StackLoss {
  /** Task loss plus both penalties: what training minimises. */
  readonly total: tf.Scalar;
  /** Mean cross-entropy (nats). */
  readonly task: tf.Scalar;
  readonly logits: tf.Tensor2D;
  readonly pExec: tf.Tensor2D;
}

/** Soft forward and the training loss; `targets` one-hot [B, C]. Without routing both penalties are absent. */
export function stackLoss(w: StackWeights, x: tf.Tensor2D, targets: tf.Tensor2D, opts: StackOptions, penalties: Penalties): StackLoss {
  const { logits, pExec } = stackForward(w, x, opts, false);
  const task = tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  if (!opts.routing) return { total: task, task, logits, pExec };
  const sparsity = tf.mul(tf.mean(pExec), penalties.lambdaS);
  const l1 = tf.mul(tf.sum(tf.abs(w.skipS)), penalties.lambda1);
  return { total: tf.add(tf.add(task, sparsity), l1) as tf.Scalar, task, logits, pExec };
}

/** 1 where the argmax of `logits` is `labels` (int32 [B]), as a float [B]. */
export function correctRows(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32') as tf.Tensor1D;
}
