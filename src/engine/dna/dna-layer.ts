/**
 * The DNA layer's math in tfjs (docs/ARCHITECTURE.md): every cell c is an edge
 * i_c -> j_c with its own (w_c, b_c) and adds w_c·x_{i_c} + b_c to output j_c.
 *
 * Cells are flat arrays [E]. The cells of one (i, j) act as one weight, so
 * the forward pass first sums the cells into a dense [D, C] weight and a [C]
 * bias (scatterND, which adds duplicate indices) and then is one matmul:
 * logits = x·W + bias. That avoids a [B, E] intermediate: with a per-cell
 * gather of x's columns a MNIST step took ~70 ms on wasm in Node, this way
 * ~14 ms. tfjs registers no gradient for scatterND; ours gathers the dense
 * gradient back at each cell's entry (a forward gather: no
 * UnsortedSegmentSum, so it trains on every backend).
 *
 * With per-output biases (the default) b is [C], added as it is: cells
 * carry no bias, so a cell's death never takes one with it.
 *
 * Passthrough needs each cell's own |w·x_i + b| per example, so it works on
 * the per-cell inputs [R, E], gathered on the host from a few batch rows.
 */
import * as tf from '@tensorflow/tfjs';

/** Passthrough = EMA of the batch mean |w·x_i + b|: this share of the new batch per step (about ten batches of memory). */
export const PASSTHROUGH_EMA = 0.1;
/** Passthrough looks at min(batch, this / E) rows of each batch, keeping its [rows, E] work small (8 rows for MNIST's 7,840 cells). */
export const PASSTHROUGH_ELEMENTS = 65536;

/** Where the cells sit; fixed between extinction events. */
export interface CellWiring {
  readonly inputSize: number;
  readonly classes: number;
  /** Each cell's entry i·C + j in the dense [D, C] weight [E, 1], int32. */
  readonly entry: tf.Tensor2D;
  /** Each cell's output j [E, 1], int32. */
  readonly output: tf.Tensor2D;
  /** b is one bias per output [C] (else one per cell [E]). */
  readonly perOutputBias: boolean;
}

export function createWiring(input: Int32Array, output: Int32Array, inputSize: number, classes: number, perOutputBias = false): CellWiring {
  const E = input.length;
  const entry = Int32Array.from(input, (i, c) => i * classes + (output[c] as number));
  return {
    inputSize,
    classes,
    entry: tf.tensor2d(entry, [E, 1], 'int32'),
    output: tf.tensor2d(output, [E, 1], 'int32'),
    perOutputBias,
  };
}

export function disposeWiring(w: CellWiring): void {
  tf.dispose([w.entry, w.output]);
}

/** Sums per-cell values [E] into `size` slots by `index` [E, 1]; the gradient gathers back (gatherND: wasm's 1-D gather is ~40x slower). */
function sumInto(values: tf.Tensor1D, index: tf.Tensor2D, size: number): tf.Tensor1D {
  const f = tf.customGrad((...inputs) => ({
    value: tf.scatterND(index, inputs[0] as tf.Tensor, [size]),
    gradFunc: (dy: tf.Tensor) => tf.gatherND(dy, index),
  }));
  return f(values) as tf.Tensor1D;
}

/** The dense equivalent of the cells: weight [D, C] and bias [C] (b is [C] with per-output biases, else [E]). */
export function denseEquivalent(w: tf.Tensor1D, b: tf.Tensor1D, wiring: CellWiring): { weight: tf.Tensor2D; bias: tf.Tensor1D } {
  return tf.tidy(() => ({
    weight: tf.reshape(sumInto(w, wiring.entry, wiring.inputSize * wiring.classes), [wiring.inputSize, wiring.classes]),
    bias: wiring.perOutputBias ? tf.clone(b) : sumInto(b, wiring.output, wiring.classes),
  }));
}

/** Class logits [B, C] of a batch x [B, D]: output j sums its cells' w·x_i + b. */
export function dnaLogits(x: tf.Tensor2D, w: tf.Tensor1D, b: tf.Tensor1D, wiring: CellWiring): tf.Tensor2D {
  return tf.tidy(() => {
    const { weight, bias } = denseEquivalent(w, b, wiring);
    return tf.add(tf.matMul(x, weight), bias);
  });
}

/**
 * RigL's grow score: dL/dW of the dense [D, C] weight at the layer's current
 * function, x^T (softmax(logits) - targets) / B. An absent pair's entry is
 * the gradient a zero-weight cell there would get.
 */
export function denseGradient(x: tf.Tensor2D, targets: tf.Tensor2D, w: tf.Tensor1D, b: tf.Tensor1D, wiring: CellWiring): tf.Tensor2D {
  return tf.tidy(() => {
    const residual = tf.div(tf.sub(tf.softmax(dnaLogits(x, w, b, wiring)), targets), x.shape[0]);
    return tf.matMul(x, residual, true, false);
  });
}

/** Mean softmax cross-entropy (nats) against one-hot targets [B, C]. */
export function dnaLoss(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1))));
}

/** Examples whose largest logit is their label, as a float scalar. */
export function correctCount(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')));
}

/** Each cell's input value per row, [rows, E] row-major, from rows x [rows, D]. */
export function cellInputs(x: Float32Array, rows: number, inputSize: number, input: Int32Array): Float32Array {
  const E = input.length;
  const out = new Float32Array(rows * E);
  for (let r = 0; r < rows; r++) {
    const base = r * inputSize;
    for (let c = 0; c < E; c++) out[r * E + c] = x[base + (input[c] as number)] as number;
  }
  return out;
}

/** Mean |w·x_i + b| of every cell over the rows of xCells [R, E]; b null: cells without their own bias (per-output mode), |w·x_i|. */
export function batchPassthrough(xCells: tf.Tensor2D, w: tf.Tensor1D, b: tf.Tensor1D | null): tf.Tensor1D {
  return tf.tidy(() => {
    const z = tf.mul(xCells, w);
    return tf.mean(tf.abs(b ? tf.add(z, b) : z), 0);
  });
}
