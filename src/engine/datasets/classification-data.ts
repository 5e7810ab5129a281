/**
 * Classification datasets for the feed-forward models (DNA cells, routing
 * modules): the four 2-D datasets of TensorFlow Playground, MNIST digits and
 * a person's own CSV file.
 * Every dataset is a seeded train/test split of dense float rows.
 */
import { playgroundDataset, PLAYGROUND_DATASETS } from './playground-datasets';
import { loadMnist } from './mnist-data';
import { ownCsvData } from './own-data';
import { ownCsvDataset } from './own-csv';
import type { ClassificationData, DatasetId, Split } from './dataset-info';

export * from './dataset-info';

export interface DatasetOptions {
  /** Playground's noise, 0..0.5 (2-D datasets only). */
  readonly noise?: number;
}

/** The dataset, split deterministically from `seed`. MNIST loads lazily (about 20 MB of JSON). */
export async function loadDataset(id: DatasetId, seed: number, options: DatasetOptions = {}): Promise<ClassificationData> {
  if (id === 'mnist') return loadMnist(seed);
  if (id === 'own-csv') {
    const { csv, file } = ownCsvData();
    return ownCsvDataset(csv, file.name, seed);
  }
  if ((PLAYGROUND_DATASETS as readonly string[]).includes(id)) return playgroundDataset(id, seed, options.noise ?? 0);
  throw new Error(`unknown dataset ${String(id)}`);
}

/** Rows `indices` of a split gathered into one batch. */
export function gatherRows(split: Split, inputSize: number, indices: ArrayLike<number>): Split {
  const n = indices.length;
  const x = new Float32Array(n * inputSize);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = indices[i] as number;
    x.set(split.x.subarray(r * inputSize, (r + 1) * inputSize), i * inputSize);
    y[i] = split.y[r] as number;
  }
  return { n, x, y };
}
