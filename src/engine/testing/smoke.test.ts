import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends } from './backends';

describeBackends('backend', (backend) => {
  it('runs a matmul', async () => {
    expect(tf.getBackend()).toBe(backend);
    const y = tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([1, 0, 0, 1], [2, 2]));
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4]);
  });
});
