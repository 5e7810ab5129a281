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

/**
 * Why `tensors` are not exactly the tensors `want` names (a missing or
 * unknown name, another shape, a value count that does not fill the shape,
 * a NaN or infinity), or null. One check for import on the page and for a
 * trainer handed a model.
 */
export function tensorProblem(want: Readonly<Record<string, readonly number[]>>, tensors: Readonly<Record<string, HostTensor>>): string | null {
  const unknown = Object.keys(tensors).filter((n) => !Object.hasOwn(want, n));
  if (unknown.length > 0) return `unknown weight${unknown.length > 1 ? 's' : ''} ${unknown.slice(0, 3).map((n) => `"${n}"`).join(', ')}`;
  for (const [name, shape] of Object.entries(want)) {
    const t = tensors[name];
    if (!t) return `weight "${name}" is missing`;
    if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) return `weight "${name}" has shape [${t.shape.join(', ')}] but the graph and parameters need [${shape.join(', ')}]`;
    const size = shape.reduce((a, b) => a * b, 1);
    if (t.values.length !== size) return `weight "${name}" does not hold ${size} float32 values`;
    if (!t.values.every(Number.isFinite)) return `weight "${name}" contains NaN or infinite values (non-finite)`;
  }
  return null;
}
