/** Checkpoints of device variables: what rollback after a non-finite loss goes back to. */
import * as tf from '@tensorflow/tfjs';

/** Undoes weight changes made after it was taken. */
export interface WeightCheckpoint {
  restore(): void;
  dispose(): void;
}

/**
 * Copies of `variables` now; restore assigns them back exactly and calls
 * `restoreHost` (host-side state saved with them); can be restored again.
 */
export function checkpointVariables(variables: readonly tf.Variable[], restoreHost: () => void, disposeHost: () => void = () => undefined): WeightCheckpoint {
  let copies: tf.Tensor[] | null = variables.map((v) => tf.clone(v));
  return {
    restore() {
      if (!copies) throw new Error('checkpoint used after dispose()');
      variables.forEach((v, i) => v.assign(copies?.[i] as tf.Tensor));
      restoreHost();
    },
    dispose() {
      if (copies) tf.dispose(copies);
      copies = null;
      disposeHost();
    },
  };
}
