/** What a routing stack streams for its own view: execute probabilities, probe examples, the decision boundary. Typed arrays only (transferables). */
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
  /**
   * 2-D datasets, under hard routing on a gridSize x gridSize grid over
   * [-1, 1]^2, row-major from the top-left; empty otherwise. Two classes:
   * class 1's probability. More: the winning class's probability, with the
   * class in `boundaryClass`.
   */
  readonly boundary: Float32Array;
  /** Three or more classes: the winning class per grid point (empty for two). */
  readonly boundaryClass: Int32Array;
  readonly classes: number;
  readonly gridSize: number;
}
