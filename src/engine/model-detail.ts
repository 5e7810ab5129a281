/**
 * What a model streams for its own view beside the common frame: the DNA
 * layer's cells, the routing stack's execute probabilities and decision
 * boundary. Typed arrays only, so frames travel as transferables.
 */

export interface DnaDetail {
  readonly kind: 'dna';
  /** Epochs done. */
  readonly epoch: number;
  /** Cell (edge) ids, in the order of the arrays below. */
  readonly cellIds: Int32Array;
  /** Input index i and output index j of each cell. */
  readonly cellInput: Int32Array;
  readonly cellOutput: Int32Array;
  readonly weights: Float32Array;
  readonly biases: Float32Array;
  /** Mean |w·x_i + b| over recent batches. */
  readonly passthrough: Float32Array;
  /** One test example shown on the input nodes [inputSize], its label and the layer's class probabilities [classes]. */
  readonly sampleX: Float32Array;
  readonly sampleLabel: number;
  readonly sampleProbabilities: Float32Array;
  /** Accuracy on the whole test split at the last epoch end (NaN before the first). */
  readonly testAccuracy: number;
}

export interface RoutingDetail {
  readonly kind: 'routing';
  readonly layers: number;
  /** Mean execute probability per layer over the last train batch [layers]. */
  readonly batchPExec: Float32Array;
  /** Probe examples from the test split: inputs [n, inputSize], labels [n], execute probability per layer [n, layers]. */
  readonly sampleX: Float32Array;
  readonly sampleLabels: Int32Array;
  readonly samplePExec: Float32Array;
  /** Hard routing (execute iff p_exec > 0.5) on the test split: accuracy and share of layer executions skipped. */
  readonly hardAccuracy: number;
  readonly skippedFraction: number;
  /** Accuracy on the test split with every layer executed softly as in training. */
  readonly softAccuracy: number;
  /** 2-D datasets: class-1 probability under hard routing on a gridSize x gridSize grid over [-1, 1]^2, row-major from the top-left; empty otherwise. */
  readonly boundary: Float32Array;
  readonly gridSize: number;
}

export type ModelDetail = DnaDetail | RoutingDetail;

/** The buffers of a detail, for postMessage's transfer list. */
export function detailBuffers(d: ModelDetail): ArrayBuffer[] {
  const arrays =
    d.kind === 'dna'
      ? [d.cellIds, d.cellInput, d.cellOutput, d.weights, d.biases, d.passthrough, d.sampleX, d.sampleProbabilities]
      : [d.batchPExec, d.sampleX, d.sampleLabels, d.samplePExec, d.boundary];
  return arrays.map((a) => a.buffer as ArrayBuffer);
}
