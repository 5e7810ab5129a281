import * as tf from '@tensorflow/tfjs';
import { afterEach, expect, it, vi } from 'vitest';
import { describeBackends } from '../testing/backends';
import { fastKernelsInstalled, installFastKernels, plainKernelsRequested } from './fast-kernels';

describeBackends('installFastKernels', (backend) => {
  afterEach(() => {
    vi.unstubAllEnvs();
    installFastKernels({ plain: false });
  });

  it('is idempotent, and plain restores the very kernel tfjs registered', () => {
    installFastKernels({ plain: true });
    const original = tf.getKernel('BatchMatMul', 'wasm');
    installFastKernels({ plain: false });
    const fast = tf.getKernel('BatchMatMul', 'wasm');
    installFastKernels({ plain: false });
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(fast);
    expect(fast).not.toBe(original);
    expect(fastKernelsInstalled()).toBe(true);
    installFastKernels({ plain: true });
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(original);
    expect(fastKernelsInstalled()).toBe(false);
    // The cpu backend keeps its own matmul either way.
    expect(tf.getKernel('BatchMatMul', 'cpu')?.kernelFunc).toBeDefined();
    expect(backend === 'cpu' || backend === 'wasm').toBe(true);
  });

  it('LOOPY_PLAIN_KERNELS=1 keeps tfjs kernels unless told otherwise', () => {
    vi.stubEnv('LOOPY_PLAIN_KERNELS', '1');
    expect(plainKernelsRequested()).toBe(true);
    installFastKernels();
    expect(fastKernelsInstalled()).toBe(false);
    installFastKernels({ plain: false });
    expect(fastKernelsInstalled()).toBe(true);
    vi.stubEnv('LOOPY_PLAIN_KERNELS', '');
    expect(plainKernelsRequested()).toBe(false);
  });
});
