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
 * Router kinds (training only; inference is hard for all):
 *   soft              the mix above (the seed's)
 *   straight-through  g = 1[p_exec > 0.5] forward, dg/dp = 1 backward (Bengio et al. 2013):
 *                     h_{l+1} = g f_l(h_l) + (1 - g) skip_l(h_l)
 *   gumbel            the same with p_exec = sigmoid(z_exec - z_skip + L), L ~ Logistic(0, 1)
 *                     (the difference of two Gumbels), tau = 1 (Jang et al. 2017; ConvNet-AIG)
 * The sparsity penalty always uses the noiseless p_exec.
 *
 * Skip kinds: dense skip_l(h) = h S_l (the seed's); identity-diagonal
 * skip_l(h) = h ⊙ (1 + d_l), d_l zero at the start (ours: ConvNet-AIG's skip
 * is the identity; the learnt diagonal lets it rescale units for W
 * multiply-adds instead of W²). lambda_1 weighs |d| then.
 *
 * Hard routing (inference) executes a layer iff p_exec > 0.5 per example.
 * stackForward computes both paths and masks (one kernel sequence, for
 * training and the views); hardForwardGathered runs each layer on its
 * executing rows only and the skip on the rest (what the timing measures).
 *
 * routing = false is the baseline: the same stack with h_{l+1} = f_l(h_l), no
 * routers, no skip matrices, no penalties.
 */
import * as tf from '@tensorflow/tfjs';
import type { HostTensor } from '../training/host-tensor';
import { createRng, normalArray } from '../random';
import type { RouterKind, RoutingActivation, SkipKind } from './routing-params';
import { allShapes, stackTensorNames, type RoutingTensorName, type StackDims } from './routing-shapes';

/** Initial router bias of the execute score: p_exec = sigmoid(2) ~ 0.88, so a new stack starts close to the baseline and learns to skip. */
export const ROUTER_EXECUTE_BIAS = 2;
/** Router weights start small so that routing first depends mostly on the bias. */
const ROUTER_WEIGHT_GAIN = 0.5;

export interface StackOptions {
  readonly activation: RoutingActivation;
  readonly routing: boolean;
  readonly router: RouterKind;
  readonly skip: SkipKind;
}

export interface Penalties {
  readonly lambdaS: number;
  readonly lambda1: number;
}

/** Shapes of the stack's tensors: index 0 of the layer tensors is the routed layer. */
/** Seeded initial weights on the host: scaled normals, zero biases, router biased to execute, S = 0 (or d = 0). */
export function initStackTensors(d: StackDims, activation: RoutingActivation, seed: number, skip: SkipKind = 'dense'): Partial<Record<RoutingTensorName, HostTensor>> {
  const shapes = allShapes(d);
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
  const all: Record<RoutingTensorName, HostTensor> = {
    inW,
    inB: zeros(shapes.inB),
    layerW,
    layerB: zeros(shapes.layerB),
    routerW,
    routerB,
    skipS: zeros(shapes.skipS),
    skipD: zeros(shapes.skipD),
    outW,
    outB: zeros(shapes.outB),
  };
  return Object.fromEntries(stackTensorNames(skip).map((n) => [n, all[n]]));
}

/** The stack's tensors: skipS for the dense skip, skipD for the identity skip. */
export type StackWeights = Readonly<Partial<Record<RoutingTensorName, tf.Tensor>>>;

function need(w: StackWeights, name: RoutingTensorName): tf.Tensor {
  const t = w[name];
  if (!t) throw new Error(`routing stack: no ${name}`);
  return t;
}

/** The straight-through step: 1[p > 0.5] forward, the identity backward (Bengio et al. 2013). */
const straightThroughOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.cast(tf.greater(args[0] as tf.Tensor, 0.5), 'float32'),
  gradFunc: (dy: tf.Tensor) => dy,
}));
export const straightThrough = (p: tf.Tensor): tf.Tensor => straightThroughOp(p);

/** The skip path of layer l: h S_l (dense) or h ⊙ (1 + d_l) (identity-diagonal). */
function skipPath(h: tf.Tensor2D, skip: SkipKind, S: tf.Tensor): tf.Tensor2D {
  return (skip === 'dense' ? tf.matMul(h, S as tf.Tensor2D) : tf.add(h, tf.mul(h, S))) as tf.Tensor2D;
}

/** Host logistic noise [rows, layers] for the Gumbel router: the difference of two Gumbel(0, 1) draws. */
export function logisticNoise(rows: number, layers: number, seed: number, stream: number): Float32Array {
  const rng = createRng(seed, stream);
  return Float32Array.from({ length: rows * layers }, () => {
    const u = Math.min(Math.max(rng.next(), 1e-7), 1 - 1e-7);
    return Math.log(u) - Math.log(1 - u);
  });
}

export interface StackForward {
  /** [B, C] */
  readonly logits: tf.Tensor2D;
  /** Execute probability per example and routed layer [B, N] (ones without routing). */
  readonly pExec: tf.Tensor2D;
  /** 1 where the layer ran [B, N]: p_exec > 0.5 under hard routing, the hard gate of a straight-through or Gumbel training forward; ones in the soft forward and without routing. */
  readonly executed: tf.Tensor2D;
  /** Mean |h| per graph node [B, N + 2]: h_0, h_1..h_N, logits (only when asked for). */
  readonly activity?: tf.Tensor2D;
}

/**
 * The forward pass; call inside tf.tidy (or variableGrads). `hard`: route by
 * p_exec > 0.5 instead of training's form. `noise` [B, N]: the Gumbel
 * router's logistic noise (training forward only; required for 'gumbel').
 */
export function stackForward(w: StackWeights, x: tf.Tensor2D, opts: StackOptions, hard: boolean, withActivity = false, noise?: tf.Tensor2D): StackForward {
  const act = (t: tf.Tensor): tf.Tensor2D => (opts.activation === 'relu' ? tf.relu(t) : tf.tanh(t)) as tf.Tensor2D;
  const B = x.shape[0];
  const N = need(w, 'layerW').shape[0];
  let h = act(tf.add(tf.matMul(x, need(w, 'inW') as tf.Tensor2D), need(w, 'inB')));
  const activity: tf.Tensor[] = [];
  const meanAbs = (t: tf.Tensor2D): tf.Tensor => tf.mean(tf.abs(t), 1, true);
  if (withActivity) activity.push(meanAbs(h));
  const layerW = tf.unstack(need(w, 'layerW')) as tf.Tensor2D[];
  const layerB = tf.unstack(need(w, 'layerB'));
  const routerW = opts.routing ? (tf.unstack(need(w, 'routerW')) as tf.Tensor2D[]) : [];
  const routerB = opts.routing ? tf.unstack(need(w, 'routerB')) : [];
  const skipT = opts.routing ? tf.unstack(need(w, opts.skip === 'dense' ? 'skipS' : 'skipD')) : [];
  if (opts.routing && !hard && opts.router === 'gumbel' && !noise) throw new Error('routing stack: the Gumbel router trains with noise');
  const noiseCols = opts.routing && !hard && opts.router === 'gumbel' && noise ? (tf.unstack(noise, 1) as tf.Tensor1D[]) : [];
  const pExec: tf.Tensor[] = [];
  const executed: tf.Tensor[] = [];
  for (let l = 0; l < N; l++) {
    const f = act(tf.add(tf.matMul(h, layerW[l] as tf.Tensor2D), layerB[l] as tf.Tensor));
    if (!opts.routing) {
      h = f;
    } else {
      const z = tf.add(tf.matMul(h, routerW[l] as tf.Tensor2D), routerB[l] as tf.Tensor) as tf.Tensor2D;
      const p = tf.softmax(z) as tf.Tensor2D;
      const pE = tf.slice(p, [0, 0], [B, 1]);
      const skip = skipPath(h, opts.skip, skipT[l] as tf.Tensor);
      pExec.push(pE);
      if (hard || opts.router !== 'soft') {
        let run: tf.Tensor;
        // p_exec > 0.5 iff z_exec > z_skip; the score difference is what the gathered inference thresholds too.
        if (hard) run = tf.cast(tf.greater(tf.sub(tf.slice(z, [0, 0], [B, 1]), tf.slice(z, [0, 1], [B, 1])), 0), 'float32');
        else if (opts.router === 'straight-through') run = straightThrough(pE);
        else {
          const diff = tf.sub(tf.slice(z, [0, 0], [B, 1]), tf.slice(z, [0, 1], [B, 1]));
          run = straightThrough(tf.sigmoid(tf.add(diff, tf.reshape(noiseCols[l] as tf.Tensor, [B, 1]))));
        }
        h = tf.add(tf.mul(run, f), tf.mul(tf.sub(1, run), skip));
        executed.push(run);
      } else {
        h = tf.add(tf.mul(pE, f), tf.mul(tf.slice(p, [0, 1], [B, 1]), skip));
      }
    }
    if (withActivity) activity.push(meanAbs(h));
  }
  const logits = tf.add(tf.matMul(h, need(w, 'outW') as tf.Tensor2D), need(w, 'outB')) as tf.Tensor2D;
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

export interface GatheredForward {
  /** [B, C], the caller disposes it. */
  readonly logits: tf.Tensor2D;
  /** Layer executions skipped over all rows. */
  readonly skipped: number;
}

/**
 * Hard routing that runs each layer on its executing rows only: per layer
 * the router scores every row, the decisions come to the host, the
 * executing rows are gathered through f_l and the rest through the skip, and
 * the two parts are put back in row order. Equal to stackForward(hard) (the
 * tests check it); not for gradients. One host read per routed layer.
 */
export async function hardForwardGathered(w: StackWeights, x: tf.Tensor2D, opts: StackOptions): Promise<GatheredForward> {
  const act = (t: tf.Tensor): tf.Tensor2D => (opts.activation === 'relu' ? tf.relu(t) : tf.tanh(t)) as tf.Tensor2D;
  const B = x.shape[0];
  const N = need(w, 'layerW').shape[0];
  const layer = (h: tf.Tensor2D, l: number): tf.Tensor2D =>
    act(tf.add(tf.matMul(h, tf.gather(need(w, 'layerW'), l) as tf.Tensor2D), tf.gather(need(w, 'layerB'), l)));
  let h = tf.tidy(() => act(tf.add(tf.matMul(x, need(w, 'inW') as tf.Tensor2D), need(w, 'inB'))));
  let skipped = 0;
  for (let l = 0; l < N; l++) {
    if (!opts.routing) {
      const next = tf.tidy(() => layer(h, l));
      h.dispose();
      h = next;
      continue;
    }
    // p_exec > 0.5 iff z_exec > z_skip: one score difference per row, no softmax.
    const runT = tf.tidy(() => {
      const R = tf.gather(need(w, 'routerW'), l);
      const r = tf.gather(need(w, 'routerB'), l);
      const dR = tf.sub(tf.slice(R, [0, 0], [-1, 1]), tf.slice(R, [0, 1], [-1, 1])) as tf.Tensor2D;
      return tf.reshape(tf.greater(tf.add(tf.matMul(h, dR), tf.sub(tf.slice(r, 0, 1), tf.slice(r, 1, 1))), 0), [-1]);
    });
    // One asynchronous read-back per layer: a synchronous one stalls GPU backends.
    const run = await runT.data();
    runT.dispose();
    const exec: number[] = [];
    const rest: number[] = [];
    for (let b = 0; b < B; b++) (run[b] ? exec : rest).push(b);
    skipped += rest.length;
    const next = tf.tidy(() => {
      const S = tf.gather(need(w, opts.skip === 'dense' ? 'skipS' : 'skipD'), l);
      if (rest.length === 0) return layer(h, l);
      if (exec.length === 0) return skipPath(h, opts.skip, S);
      const f = layer(tf.gather(h, tf.tensor1d(exec, 'int32')), l);
      const s = skipPath(tf.gather(h, tf.tensor1d(rest, 'int32')), opts.skip, S);
      // Row b sits at position order[b] of [exec rows; rest rows].
      const order = new Int32Array(B);
      exec.forEach((b, i) => (order[b] = i));
      rest.forEach((b, i) => (order[b] = exec.length + i));
      return tf.gather(tf.concat([f, s]), tf.tensor1d(order, 'int32')) as tf.Tensor2D;
    });
    h.dispose();
    h = next;
  }
  const logits = tf.tidy(() => tf.add(tf.matMul(h, need(w, 'outW') as tf.Tensor2D), need(w, 'outB')) as tf.Tensor2D);
  h.dispose();
  return { logits, skipped };
}

export interface StackLoss {
  /** Task loss plus both penalties: what training minimises. */
  readonly total: tf.Scalar;
  /** Mean cross-entropy (nats). */
  readonly task: tf.Scalar;
  readonly logits: tf.Tensor2D;
  readonly pExec: tf.Tensor2D;
}

/** Training forward and loss; `targets` one-hot [B, C]; `noise` as stackForward's. Without routing both penalties are absent. */
export function stackLoss(w: StackWeights, x: tf.Tensor2D, targets: tf.Tensor2D, opts: StackOptions, penalties: Penalties, noise?: tf.Tensor2D): StackLoss {
  const { logits, pExec } = stackForward(w, x, opts, false, false, noise);
  const task = tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  if (!opts.routing) return { total: task, task, logits, pExec };
  const sparsity = tf.mul(tf.mean(pExec), penalties.lambdaS);
  const l1 = tf.mul(tf.sum(tf.abs(need(w, opts.skip === 'dense' ? 'skipS' : 'skipD'))), penalties.lambda1);
  return { total: tf.add(tf.add(task, sparsity), l1) as tf.Scalar, task, logits, pExec };
}

/** 1 where the argmax of `logits` is `labels` (int32 [B]), as a float [B]. */
export function correctRows(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32') as tf.Tensor1D;
}
