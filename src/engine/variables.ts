import * as tf from '@tensorflow/tfjs';

/**
 * A variable holding `make()`'s value. tf.variable(x) keeps its own reference
 * to x's data, so x itself must be freed: tidy does it.
 */
export function newVariable(make: () => tf.Tensor, trainable = true): tf.Variable {
  return tf.tidy(() => tf.variable(make(), trainable));
}
