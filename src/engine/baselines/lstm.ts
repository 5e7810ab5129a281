/**
 * LSTM baseline: the standard cell without peepholes (Hochreiter & Schmidhuber
 * 1997 with the forget gate of Gers et al. 2000), as PyTorch and Keras write it,
 * gates in PyTorch's order (i, f, g, o), row-vector convention:
 *   z  = x Wx + h Wh + b            (Wx [I, 4H], Wh [H, 4H], b [4H])
 *   i = σ(z_i), f = σ(z_f), g = tanh(z_g), o = σ(z_o)
 *   c' = f ⊙ c + i ⊙ g
 *   h' = o ⊙ tanh(c')
 *   logits = h' Wy + by
 * Init: Wx, Wh, Wy uniform in ±1/sqrt(H) (PyTorch's default), biases 0 except
 * the forget gate's, 1 (Gers et al.; Keras's unit_forget_bias), so the cell
 * remembers from the start.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../sequence-model';
import type { GatedRnnParamsInput } from './baseline-params';
import { uniformArray } from './baseline-common';
import { cellInitScale, createGatedRnnModel, type GatedCell, type GatedRnnModel } from './gated-rnn';

export const LSTM_GATES = 4;
export const LSTM_FORGET_BIAS = 1;

export type LstmWeightName = 'inputW' | 'recurrentW' | 'bias' | 'readoutW' | 'readoutB';

export const LSTM_CELL: GatedCell<LstmWeightName> = {
  kind: 'lstm',
  weightNames: ['inputW', 'recurrentW', 'bias', 'readoutW', 'readoutB'],
  stateCount: 2,
  init({ inputSize, hidden, outputSize }, rng) {
    const scale = cellInitScale(hidden);
    const bias = new Float32Array(LSTM_GATES * hidden);
    bias.fill(LSTM_FORGET_BIAS, hidden, 2 * hidden);
    return {
      inputW: { shape: [inputSize, LSTM_GATES * hidden], values: uniformArray(rng, inputSize * LSTM_GATES * hidden, scale) },
      recurrentW: { shape: [hidden, LSTM_GATES * hidden], values: uniformArray(rng, hidden * LSTM_GATES * hidden, scale) },
      bias: { shape: [LSTM_GATES * hidden], values: bias },
      readoutW: { shape: [hidden, outputSize], values: uniformArray(rng, hidden * outputSize, scale) },
      readoutB: { shape: [outputSize], values: new Float32Array(outputSize) },
    };
  },
  project: (w, x) => tf.add(tf.matMul(x, w.inputW as tf.Tensor2D), w.bias),
  step(w, projected, [h, c]) {
    const z = tf.add(projected, tf.matMul(h as tf.Tensor2D, w.recurrentW as tf.Tensor2D));
    const [zi, zf, zg, zo] = tf.split(z, LSTM_GATES, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const cNext = tf.add<tf.Tensor2D>(tf.mul(tf.sigmoid(zf), c as tf.Tensor2D), tf.mul(tf.sigmoid(zi), tf.tanh(zg)));
    return [tf.mul<tf.Tensor2D>(tf.sigmoid(zo), tf.tanh(cNext)), cNext];
  },
};

export function createLstmModel(spec: ModelSpec, params: GatedRnnParamsInput = {}): GatedRnnModel<LstmWeightName> {
  return createGatedRnnModel(LSTM_CELL, spec, params);
}
