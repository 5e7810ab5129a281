/**
 * GRU baseline in the PyTorch / cuDNN convention (not Cho et al. 2014's
 * original): the reset gate scales the recurrent projection *after* the
 * matmul, with its own recurrent bias, and z weighs the old state. Gates in
 * PyTorch's order (r, z, n), row-vector convention:
 *   r  = σ(x Wx_r + bx_r + h Wh_r + bh_r)
 *   z  = σ(x Wx_z + bx_z + h Wh_z + bh_z)
 *   n  = tanh(x Wx_n + bx_n + r ⊙ (h Wh_n + bh_n))
 *   h' = (1 - z) ⊙ n + z ⊙ h
 *   logits = h' Wy + by
 * (Cho et al. apply r before the matmul: n = tanh(x Wx_n + (r ⊙ h) Wh_n).)
 * Init: Wx, Wh, Wy uniform in ±1/sqrt(H) (PyTorch's default), biases 0.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../sequence-model';
import type { GatedRnnParamsInput } from './baseline-params';
import { uniformArray } from './baseline-common';
import { cellInitScale, createGatedRnnModel, type GatedCell, type GatedRnnModel } from './gated-rnn';

export const GRU_GATES = 3;

export type GruWeightName = 'inputW' | 'recurrentW' | 'inputB' | 'recurrentB' | 'readoutW' | 'readoutB';

export const GRU_CELL: GatedCell<GruWeightName> = {
  kind: 'gru',
  weightNames: ['inputW', 'recurrentW', 'inputB', 'recurrentB', 'readoutW', 'readoutB'],
  stateCount: 1,
  init({ inputSize, hidden, outputSize }, rng) {
    const scale = cellInitScale(hidden);
    return {
      inputW: { shape: [inputSize, GRU_GATES * hidden], values: uniformArray(rng, inputSize * GRU_GATES * hidden, scale) },
      recurrentW: { shape: [hidden, GRU_GATES * hidden], values: uniformArray(rng, hidden * GRU_GATES * hidden, scale) },
      inputB: { shape: [GRU_GATES * hidden], values: new Float32Array(GRU_GATES * hidden) },
      recurrentB: { shape: [GRU_GATES * hidden], values: new Float32Array(GRU_GATES * hidden) },
      readoutW: { shape: [hidden, outputSize], values: uniformArray(rng, hidden * outputSize, scale) },
      readoutB: { shape: [outputSize], values: new Float32Array(outputSize) },
    };
  },
  project: (w, x) => tf.add(tf.matMul(x, w.inputW as tf.Tensor2D), w.inputB),
  step(w, projected, [h]) {
    const hPrev = h as tf.Tensor2D;
    const [xr, xz, xn] = tf.split(projected, GRU_GATES, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const recurrent = tf.add(tf.matMul(hPrev, w.recurrentW as tf.Tensor2D), w.recurrentB);
    const [hr, hz, hn] = tf.split(recurrent, GRU_GATES, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const r = tf.sigmoid(tf.add(xr, hr));
    const z = tf.sigmoid(tf.add(xz, hz));
    const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
    // (1 - z) n + z h, written n + z (h - n): one op fewer.
    return [tf.add<tf.Tensor2D>(n, tf.mul(z, tf.sub(hPrev, n)))];
  },
};

export function createGruModel(spec: ModelSpec, params: GatedRnnParamsInput = {}): GatedRnnModel<GruWeightName> {
  return createGatedRnnModel(GRU_CELL, spec, params);
}
