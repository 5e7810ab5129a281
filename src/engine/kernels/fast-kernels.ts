/**
 * One install point for the lab's kernel replacements. They are backend-level,
 * so every model (LARA, loopy, the LSTM/GRU baselines) gets them alike.
 * `LOOPY_PLAIN_KERNELS=1` in the environment (Node) or `plain: true` keeps tfjs's own.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { registerGatherRowsKernels } from './gather-rows';
import { makeFastBatchMatMul, makeFastFusedMatMul } from './wasm-batch-matmul';

interface Replacement {
  kernelName: string;
  backendName: string;
  make: (original: KernelConfig) => KernelConfig;
}

const REPLACEMENTS: Replacement[] = [
  { kernelName: 'BatchMatMul', backendName: 'wasm', make: makeFastBatchMatMul },
  { kernelName: '_FusedMatMul', backendName: 'wasm', make: makeFastFusedMatMul },
];

/** The original configs, kept from the first install so reinstalling never wraps a wrapper. */
const originals = new Map<string, KernelConfig>();
/** Keys whose replacement is registered now. */
const replaced = new Set<string>();
let wantFast = false;

function key(r: Replacement): string {
  return `${r.backendName}/${r.kernelName}`;
}

function replace(config: KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName)) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}

/** True where the environment asks for tfjs's own kernels. */
export function plainKernelsRequested(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.['LOOPY_PLAIN_KERNELS'] === '1';
}

export interface FastKernelOptions {
  /** Keep (or restore) tfjs's own kernels; defaults to LOOPY_PLAIN_KERNELS=1. */
  plain?: boolean;
}

/**
 * Installs the replacement kernels (idempotent) or, with `plain`, restores tfjs's own.
 * Call after importing the backends it replaces kernels of (their modules register the
 * originals) and before or after setBackend: kernel lookup happens per op.
 */
export function installFastKernels(options: FastKernelOptions = {}): void {
  registerGatherRowsKernels();
  wantFast = !(options.plain ?? plainKernelsRequested());
  for (const r of REPLACEMENTS) {
    const k = key(r);
    if (wantFast === replaced.has(k)) continue;
    if (!originals.has(k)) {
      const current = tf.getKernel(r.kernelName, r.backendName);
      if (!current) continue; // that backend is not loaded here
      originals.set(k, current);
    }
    const original = originals.get(k) as KernelConfig;
    replace(wantFast ? r.make(original) : original);
    if (wantFast) replaced.add(k);
    else replaced.delete(k);
  }
}

/** Whether the replacement kernels are installed now (all of those whose backend is loaded). */
export function fastKernelsInstalled(): boolean {
  return wantFast && replaced.size > 0;
}
