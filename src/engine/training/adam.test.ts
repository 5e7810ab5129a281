/** Resting-phase Adam against a hand-written float64 Adam. */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { relativeError } from '../reference/fixtures';
import { ADAM_DEFAULTS, clipByGlobalNorm, restingAdamStep, type AdamSlot, type NodeCounters } from './adam';
import { describeBackends } from '../testing/backends';

const HYPER = { learningRate: 0.05, ...ADAM_DEFAULTS };
const L = 3;
const ROW = 2; // floats per node in the node-owned tensor

/** Plain Adam on one array, float64. */
class HandAdam {
  readonly value: Float64Array;
  readonly m: Float64Array;
  readonly v: Float64Array;
  private t = 0;
  constructor(initial: ArrayLike<number>) {
    this.value = Float64Array.from(initial);
    this.m = new Float64Array(initial.length);
    this.v = new Float64Array(initial.length);
  }
  step(g: ArrayLike<number>): void {
    const { beta1, beta2, epsilon, learningRate } = HYPER;
    this.t += 1;
    for (let i = 0; i < this.value.length; i++) {
      const gi = g[i] as number;
      this.m[i] = beta1 * (this.m[i] as number) + (1 - beta1) * gi;
      this.v[i] = beta2 * (this.v[i] as number) + (1 - beta2) * gi * gi;
      const mHat = (this.m[i] as number) / (1 - beta1 ** this.t);
      const vHat = (this.v[i] as number) / (1 - beta2 ** this.t);
      this.value[i] = (this.value[i] as number) - (learningRate * mHat) / (Math.sqrt(vHat) + epsilon);
    }
  }
}

function slot(initial: Float32Array, shape: number[], nodeOwned: boolean): AdamSlot {
  const base = {
    value: tf.variable(tf.tensor(initial, shape)),
    m: tf.variable(tf.zeros(shape)),
    v: tf.variable(tf.zeros(shape)),
  };
  return nodeOwned ? { ...base, acc: tf.variable(tf.zeros(shape)) } : base;
}

function counters(): NodeCounters {
  return { steps: tf.variable(tf.zeros([L])), rest: tf.variable(tf.zeros([L])) };
}

const read = async (t: tf.Tensor): Promise<Float32Array> => (await t.data()) as Float32Array;

/** Deterministic, varied gradients for step `k`. */
function grad(k: number, length: number, salt: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => Math.sin(1.3 * k + 0.7 * i + salt) * (1 + 0.3 * i));
}

function disposeAll(slots: AdamSlot[], c: NodeCounters): void {
  for (const s of slots) tf.dispose([s.value, s.m, s.v, ...(s.acc ? [s.acc] : [])]);
  tf.dispose([c.steps, c.rest]);
}

describeBackends('restingAdamStep', () => {
  it('with resting off is plain Adam, for node-owned and global tensors', async () => {
    const nodeInit = Float32Array.from({ length: L * ROW }, (_, i) => 0.1 * i - 0.2);
    const globalInit = Float32Array.from([0.5, -0.25, 1]);
    const slots = [slot(nodeInit, [L, ROW], true), slot(globalInit, [3], false)];
    const c = counters();
    const hand = [new HandAdam(nodeInit), new HandAdam(globalInit)];
    const start = tf.memory().numTensors;
    for (let k = 1; k <= 4; k++) {
      const grads = [grad(k, L * ROW, 0), grad(k, 3, 5)];
      const gt = [tf.tensor(grads[0] as Float32Array, [L, ROW]), tf.tensor(grads[1] as Float32Array, [3])];
      // The active mask must not matter with resting off.
      const active = tf.tensor1d([0, 1, 0]);
      restingAdamStep(slots, gt, c, active, false, k, HYPER);
      tf.dispose([...gt, active]);
      hand.forEach((h, i) => h.step(grads[i] as Float32Array));
    }
    expect(tf.memory().numTensors).toBe(start);
    for (const [i, s] of slots.entries()) {
      const h = hand[i] as HandAdam;
      expect(relativeError(await read(s.value), h.value)).toBeLessThan(1e-5);
      expect(relativeError(await read(s.m), h.m)).toBeLessThan(1e-5);
      expect(relativeError(await read(s.v), h.v)).toBeLessThan(1e-5);
    }
    disposeAll(slots, c);
  });

  it('with resting on, a node that rested 3 steps takes one step with the mean of its 4 gradients', async () => {
    const nodeInit = Float32Array.from({ length: L * ROW }, (_, i) => 0.2 * i - 0.3);
    const globalInit = Float32Array.from([0.5, -0.25]);
    const slots = [slot(nodeInit, [L, ROW], true), slot(globalInit, [2], false)];
    const c = counters();
    // Node 0 rests for steps 1-3 and computes on step 4; node 1 always computes; node 2 never.
    const activity = [
      [0, 2, 0],
      [0, 1, 0],
      [0, 3, 0],
      [1, 1, 0],
    ];
    const node1 = new HandAdam(nodeInit.subarray(ROW, 2 * ROW));
    const globalHand = new HandAdam(globalInit);
    const sums = new Float64Array(L * ROW);
    for (let k = 1; k <= 4; k++) {
      const g = grad(k, L * ROW, 1);
      const gGlobal = grad(k, 2, 9);
      g.forEach((x, i) => (sums[i] = (sums[i] as number) + x));
      const gt = [tf.tensor(g, [L, ROW]), tf.tensor(gGlobal, [2])];
      const active = tf.tensor1d(activity[k - 1] as number[]);
      restingAdamStep(slots, gt, c, active, true, k, HYPER);
      tf.dispose([...gt, active]);
      node1.step(g.subarray(ROW, 2 * ROW));
      globalHand.step(gGlobal);

      const value = await read((slots[0] as AdamSlot).value);
      // Node 0 and node 2 do not move while they rest.
      if (k < 4) expect(Array.from(value.subarray(0, ROW))).toEqual(Array.from(nodeInit.subarray(0, ROW)));
      expect(Array.from(value.subarray(2 * ROW))).toEqual(Array.from(nodeInit.subarray(2 * ROW)));
      // Global parameters move every step.
      expect(relativeError(await read((slots[1] as AdamSlot).value), globalHand.value)).toBeLessThan(1e-5);
    }
    const [nodeSlot] = slots as [AdamSlot];
    const value = await read(nodeSlot.value);
    const m = await read(nodeSlot.m);
    const acc = await read(nodeSlot.acc as tf.Variable);

    // Node 0: exactly one (first) Adam step with g = sum / 4.
    const node0 = new HandAdam(nodeInit.subarray(0, ROW));
    node0.step(Array.from(sums.subarray(0, ROW), (s) => s / 4));
    expect(relativeError(value.subarray(0, ROW), node0.value)).toBeLessThan(1e-5);
    expect(relativeError(m.subarray(0, ROW), node0.m)).toBeLessThan(1e-5);
    expect(acc.subarray(0, ROW).every((x) => x === 0)).toBe(true);

    // Node 1: plain Adam.
    expect(relativeError(value.subarray(ROW, 2 * ROW), node1.value)).toBeLessThan(1e-5);

    // Node 2: still resting, its gradients accumulated.
    expect(m.subarray(2 * ROW).every((x) => x === 0)).toBe(true);
    expect(relativeError(acc.subarray(2 * ROW), sums.subarray(2 * ROW))).toBeLessThan(1e-5);
    expect(Array.from(await read(c.steps))).toEqual([1, 4, 0]);
    expect(Array.from(await read(c.rest))).toEqual([0, 0, 4]);
    disposeAll(slots, c);
  });

  it('with resting off, skipping the accumulator and the x1 update gates gives the full formula bit for bit', async () => {
    const width = 5;
    const init = Float32Array.from({ length: L * width }, (_, i) => Math.cos(0.9 * i) * 0.7);
    const [s] = [slot(init, [L, 1, width], true)] as [AdamSlot];
    const c = counters();
    // The node-owned step as written for both modes (every op, upd all ones with resting off), on plain arrays of tensors.
    let [value, m, v] = [tf.tensor(init, [L, width]), tf.zeros([L, width]), tf.zeros([L, width])];
    let acc = tf.zeros([L, width]);
    const hyper = { ...HYPER, learningRate: 0.013 };
    const start = tf.memory().numTensors;
    for (let k = 1; k <= 5; k++) {
      // Zeros (rows that did not compute) and a large gradient among them.
      const g = grad(k, L * width, 3).map((x, i) => (i % 7 === 0 ? 0 : i === 4 ? x * 1e3 : x));
      const gt = tf.tensor(g, [L, 1, width]);
      const active = tf.tensor1d([1, 0, 1]);
      restingAdamStep([s], [gt], c, active, false, k, hyper);
      tf.dispose([gt, active]);
      const next = tf.tidy(() => {
        const { beta1, beta2, epsilon, learningRate } = hyper;
        const upd = tf.ones([L, 1]);
        const bc1 = tf.sub(1, tf.pow(beta1, tf.fill([L, 1], k)));
        const bc2 = tf.sub(1, tf.pow(beta2, tf.fill([L, 1], k)));
        const gr = tf.tensor(g, [L, width]);
        const a = tf.add(acc, gr);
        const m1 = tf.add(m, tf.mul(upd, tf.mul(tf.sub(gr, m), 1 - beta1)));
        const v1 = tf.add(v, tf.mul(upd, tf.mul(tf.sub(tf.square(gr), v), 1 - beta2)));
        const step = tf.div(tf.div(m1, bc1), tf.add(tf.sqrt(tf.div(v1, bc2)), epsilon));
        return [tf.sub(value, tf.mul(upd, tf.mul(learningRate, step))), m1, v1, tf.zerosLike(a)];
      });
      tf.dispose([value, m, v, acc]);
      [value, m, v, acc] = next as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    }
    expect(tf.memory().numTensors).toBe(start);
    expect(Array.from(await read(s.value))).toEqual(Array.from(await read(value)));
    expect(Array.from(await read(s.m))).toEqual(Array.from(await read(m)));
    expect(Array.from(await read(s.v))).toEqual(Array.from(await read(v)));
    expect(Array.from(await read(s.acc as tf.Variable))).toEqual(Array.from(await read(acc)));
    tf.dispose([value, m, v, acc]);
    disposeAll([s], c);
  });

  it('clipByGlobalNorm scales all gradients to the clip norm, and 0 turns it off', async () => {
    const gs = [tf.tensor1d([3, 0]), tf.tensor2d([[0, 4]])];
    const { clipped, norm } = clipByGlobalNorm(gs, 1);
    expect((await norm.data())[0]).toBeCloseTo(5, 5);
    expect(Array.from(await (clipped[0] as tf.Tensor).data())[0]).toBeCloseTo(0.6, 5);
    expect(Array.from(await (clipped[1] as tf.Tensor).data())[1]).toBeCloseTo(0.8, 5);
    const loose = clipByGlobalNorm(gs, 10);
    expect(Array.from(await (loose.clipped[1] as tf.Tensor).data())).toEqual([0, 4]);
    const off = clipByGlobalNorm(gs, 0);
    expect(off.clipped).toBe(gs);
    tf.dispose([...gs, ...clipped, norm, ...loose.clipped, loose.norm, off.norm]);
  });
});
