/** Runs engine specs once per backend, the way tfjs's own tests do (describeWithFlags). */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe } from 'vitest';
import { installFastKernels } from '../kernels/fast-kernels';

export const NODE_BACKENDS = ['cpu', 'wasm'] as const;
export type NodeBackend = (typeof NODE_BACKENDS)[number];

/** Selects `backend`; PROD silences tfjs's "install tfjs-node" banner. */
export async function useBackend(backend: NodeBackend): Promise<void> {
  tf.env().set('PROD', true);
  installFastKernels();
  await tf.setBackend(backend);
  await tf.ready();
}

export function describeBackends(name: string, body: (backend: NodeBackend) => void, backends: readonly NodeBackend[] = NODE_BACKENDS): void {
  for (const backend of backends) {
    describe(`${name} [${backend}]`, () => {
      beforeAll(async () => {
        await useBackend(backend);
      });
      body(backend);
    });
  }
}
