/** What a DNA layer streams for its own view beside the common frame: its cells and one test example. Typed arrays only (transferables). */
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
