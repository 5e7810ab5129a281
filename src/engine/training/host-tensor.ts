/** Weights on the host: what export writes, import reads and a backend switch carries across. */
import type * as tf from '@tensorflow/tfjs';
import type { Graph } from '../graph';

/** A weight tensor on the host, row-major. */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

export type HostWeights<N extends string> = Readonly<Record<N, HostTensor>>;

export async function downloadHost(v: tf.Tensor): Promise<HostTensor> {
  return { shape: [...v.shape], values: Float32Array.from(await v.data()) };
}

/** A model whose weights are a few named tensors beside its graph (DNA, routing modules, gated RNNs); export stores them as they are. */
export interface TensorHostModel {
  readonly graph: Graph;
  readonly tensors: Readonly<Record<string, HostTensor>>;
}
