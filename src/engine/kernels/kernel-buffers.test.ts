/** One kernel body registered on cpu and wasm through kernel-buffers.ts, against the plain tfjs ops. */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends } from '../testing/backends';
import { registerBufferKernel, type KernelOutput } from './kernel-buffers';

const KERNEL = 'KernelBuffersTestSumAndScale';
const seen: string[] = [];
// Two outputs from one body (x + y and 3 x), both allocated before either is written.
registerBufferKernel(KERNEL, (inputs, b, attrs, on) => {
  seen.push(on.name);
  const [x, y] = [inputs.x as tf.TensorInfo, inputs.y as tf.TensorInfo];
  const n = x.shape[0] as number;
  const [sum, scaled] = b.outputs([n], [n]) as [KernelOutput, KernelOutput];
  const [xv, yv] = [b.read<Float32Array>(x), b.read<Float32Array>(y)];
  const k = attrs.scale as number;
  for (let i = 0; i < n; i++) {
    sum.values[i] = (xv[i] as number) + (yv[i] as number);
    scaled.values[i] = k * (xv[i] as number);
  }
  return [sum.info, scaled.info];
});

const UNTOUCHED = 'KernelBuffersTestUntouched';
registerBufferKernel(UNTOUCHED, (inputs, b) => b.output([(inputs.x as tf.TensorInfo).shape[0] as number]).info);

describeBackends('registerBufferKernel', (backend) => {
  it('outputs start at zero, also where freed memory held other values', async () => {
    const n = 4096;
    tf.dispose(tf.fill([n], 7));
    const x = tf.zeros([n]);
    const out = tf.engine().runKernel<tf.Tensor>(UNTOUCHED, { x });
    expect(Array.from(await out.data()).every((v) => v === 0)).toBe(true);
    tf.dispose([x, out]);
  });

  it('runs the same body on the backend, equal to the plain ops, every output written through its own view; no leaks', async () => {
    const before = tf.memory().numTensors;
    const n = 1 << 20;
    const x = tf.randomNormal([n], 0, 1, 'float32', 4);
    const y = tf.randomNormal([n], 0, 1, 'float32', 5);
    const [s, k] = tf.engine().runKernel<tf.Tensor[]>(KERNEL, { x, y }, { scale: 3 }) as [tf.Tensor, tf.Tensor];
    expect(seen.at(-1)).toBe(backend);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(s, tf.add(x, y)))).add(tf.max(tf.abs(tf.sub(k, tf.mul(x, 3))))));
    expect((await diff.data())[0]).toBe(0);
    tf.dispose([x, y, s, k, diff]);
    expect(tf.memory().numTensors).toBe(before);
    // Registering again leaves the first registration in place.
    registerBufferKernel(KERNEL, () => {
      throw new Error('registered twice');
    });
    const one = tf.ones([4]);
    tf.dispose(tf.engine().runKernel<tf.Tensor[]>(KERNEL, { x: one, y: one }, { scale: 1 }));
    one.dispose();
  });
});
