/**
 * Adam with the seed's resting-phase rule. Parameters owned by nodes keep a
 * gradient accumulator and a resting counter per node: while a node rests its
 * gradient accumulates; on the step it is active again it is updated with
 * accumulated / restingSteps and both reset. With the rule off every row
 * updates every step (plain Adam). Parameters not owned by a node (input and
 * read-out weights) always update. AdamOptimizer is the plain form over a
 * list of variables, for every model without resting nodes.
 */
import * as tf from '@tensorflow/tfjs';
import { newVariable } from '../variables';

export interface AdamHyper {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

export const ADAM_DEFAULTS = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;

/** A trained tensor with its moments; `acc` marks rows grouped by node (axis 0 splits into L equal blocks). */
export interface AdamSlot {
  readonly value: tf.Variable;
  readonly m: tf.Variable;
  readonly v: tf.Variable;
  readonly acc?: tf.Variable;
}

/** Per-node counters: Adam steps taken and steps rested since the last update. */
export interface NodeCounters {
  readonly steps: tf.Variable; // [L]
  readonly rest: tf.Variable; // [L]
}

/**
 * Applies one step. `grads[i]` belongs to `slots[i]`; `active` [L] (> 0 where
 * the node computed during the step) selects the rows that update when
 * `resting` is on. `globalStep` counts steps including this one.
 */
export function restingAdamStep(
  slots: readonly AdamSlot[],
  grads: readonly tf.Tensor[],
  counters: NodeCounters,
  active: tf.Tensor1D,
  resting: boolean,
  globalStep: number,
  hyper: AdamHyper,
): void {
  tf.tidy(() => {
    const L = counters.steps.shape[0];
    const { beta1, beta2, epsilon, learningRate } = hyper;
    const update = resting ? tf.cast(tf.greater(active, 0), 'float32') : tf.onesLike(counters.steps);
    const rest = tf.add(counters.rest, 1); // steps this update covers, this one included
    const steps = tf.add(counters.steps, update);
    const col = (t: tf.Tensor): tf.Tensor2D => tf.reshape(t, [L, 1]);
    const bc1 = col(tf.sub(1, tf.pow(beta1, tf.maximum(steps, 1))));
    const bc2 = col(tf.sub(1, tf.pow(beta2, tf.maximum(steps, 1))));
    const upd = col(update);

    slots.forEach((slot, i) => {
      const g = grads[i] as tf.Tensor;
      if (!slot.acc) {
        const m = tf.add(tf.mul(slot.m, beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(slot.v, beta2), tf.mul(tf.square(g), 1 - beta2));
        const mHat = tf.div(m, 1 - beta1 ** globalStep);
        const vHat = tf.div(v, 1 - beta2 ** globalStep);
        slot.m.assign(m);
        slot.v.assign(v);
        slot.value.assign(tf.sub(slot.value, tf.mul(learningRate, tf.div(mHat, tf.add(tf.sqrt(vHat), epsilon)))));
        return;
      }
      const shape = slot.value.shape;
      const rows = (t: tf.Tensor): tf.Tensor2D => tf.reshape(t, [L, -1]);
      // Resting off: every row updates (upd is 1, and x * 1 is x exactly) and the accumulator is only cleared,
      // so those passes over the table are skipped; the result is the same bit for bit.
      const acc = resting ? tf.add(rows(slot.acc), rows(g)) : null;
      const gEff = acc ? tf.div(acc, col(rest)) : rows(g);
      const gated = (t: tf.Tensor): tf.Tensor => (resting ? tf.mul(upd, t) : t);
      const m0 = rows(slot.m);
      const v0 = rows(slot.v);
      const m = tf.add(m0, gated(tf.mul(tf.sub(gEff, m0), 1 - beta1)));
      const v = tf.add(v0, gated(tf.mul(tf.sub(tf.square(gEff), v0), 1 - beta2)));
      const step = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), epsilon));
      slot.m.assign(tf.reshape(m, shape));
      slot.v.assign(tf.reshape(v, shape));
      slot.value.assign(tf.reshape(tf.sub(rows(slot.value), gated(tf.mul(learningRate, step))), shape));
      slot.acc.assign(acc ? tf.reshape(tf.mul(acc, tf.sub(1, upd)), shape) : tf.zerosLike(slot.acc));
    });
    counters.steps.assign(steps);
    counters.rest.assign(resting ? tf.mul(rest, tf.sub(1, update)) : tf.zerosLike(rest));
  });
}

/** Scales all gradients so their global L2 norm is at most `clip` (0 = no clipping); returns the norm before. */
export function clipByGlobalNorm(grads: tf.Tensor[], clip: number): { clipped: tf.Tensor[]; norm: tf.Scalar } {
  // stack + sum rather than addN: WebGPU's AddN binds one buffer per input and has a small limit.
  const norm = tf.sqrt(tf.sum(tf.stack(grads.map((g) => tf.sum(tf.square(g)))))) as tf.Scalar;
  if (clip <= 0) return { clipped: grads, norm };
  const scale = tf.minimum(1, tf.div(clip, tf.add(norm, 1e-6)));
  return { clipped: grads.map((g) => tf.mul(g, scale)), norm };
}

/** Plain Adam (the engine's, with resting off) plus global-norm clipping, over a fixed list of variables. */
export class AdamOptimizer {
  private readonly slots: AdamSlot[];
  /** One node-counter pair: restingAdamStep's plain path ignores it, but needs it. */
  private readonly counters: NodeCounters;
  private globalStep = 0;

  constructor(
    readonly variables: readonly tf.Variable[],
    /** Mutable: the lab changes it while training runs. */
    public learningRate: number,
    private readonly gradClip: number,
  ) {
    this.slots = variables.map((value) => ({ value, m: newVariable(() => tf.zerosLike(value), false), v: newVariable(() => tf.zerosLike(value), false) }));
    this.counters = { steps: newVariable(() => tf.zeros([1]), false), rest: newVariable(() => tf.zeros([1]), false) };
  }

  /** One step; `grads[i]` belongs to `variables[i]`. */
  apply(grads: readonly tf.Tensor[]): void {
    this.globalStep += 1;
    tf.tidy(() => {
      const { clipped } = clipByGlobalNorm([...grads], this.gradClip);
      restingAdamStep(this.slots, clipped, this.counters, tf.ones([1]), false, this.globalStep, { ...ADAM_DEFAULTS, learningRate: this.learningRate });
    });
  }

  /** Moments and counters (the variables themselves are the model's to save). */
  stateVariables(): tf.Variable[] {
    return [...this.slots.flatMap((s) => [s.m, s.v]), this.counters.steps, this.counters.rest];
  }

  get step(): number {
    return this.globalStep;
  }

  set step(n: number) {
    this.globalStep = n;
  }

  dispose(): void {
    tf.dispose(this.stateVariables());
  }
}
