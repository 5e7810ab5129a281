/** The backend of the side workers (battery, studies): wasm, the fastest for these small models on a CPU, else cpu; chosen once. */
import * as tf from '@tensorflow/tfjs';
import { installFastKernels } from '../engine/kernels/fast-kernels';
import { configureWasm } from './wasm-paths';

let started: Promise<void> | null = null;

export function readySmallModelBackend(): Promise<void> {
  return (started ??= (async () => {
    configureWasm();
    installFastKernels();
    if (!(await tf.setBackend('wasm').catch(() => false))) await tf.setBackend('cpu');
    await tf.ready();
  })());
}
