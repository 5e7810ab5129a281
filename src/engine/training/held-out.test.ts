/**
 * The held-out evaluation: its metrics against a hand computation, and on two
 * tiny models (a GRU on a sequence task, a DNA layer on a dataset) the loss a
 * trainer reports equals a plain float64 reference on the held-out data, and
 * differs from the same reference on the training data.
 */
import { describe, expect, it } from 'vitest';
import { gruReference } from '../baselines/baseline-reference';
import type { GruWeightName } from '../baselines/gru';
import { loadDataset, gatherRows } from '../datasets/classification-data';
import { DnaTrainer } from '../dna/dna-trainer';
import { dnaParamsSchema, type DnaExperiment } from '../dna/dna-params';
import { gatedParamsSchema, type GatedExperiment } from '../gated/gated-params';
import { GatedTrainer } from '../gated/gated-trainer';
import { deriveSeed } from '../random';
import { dnaReference } from '../reference/dna-reference';
import { createTaskStream, taskSizes } from '../tasks/task-registry';
import { describeBackends } from '../testing/backends';
import { EVAL_LANES, EVAL_SYMBOLS, evaluationBatch, heldOutMetrics, heldOutRows } from './held-out';

describe('heldOutMetrics', () => {
  it('is the mean cross-entropy in nats and the argmax accuracy over scored rows', () => {
    // Three rows of two classes; the middle one is not scored.
    const p = [0.9, 0.1, 0.5, 0.5, 0.2, 0.8];
    const m = heldOutMetrics(p, [0, -1, 0]);
    expect(m.scored).toBe(2);
    expect(m.loss).toBeCloseTo((-Math.log(0.9) - Math.log(0.2)) / 2, 12);
    expect(m.accuracy).toBe(0.5);
  });

  it('stays finite when a float32 softmax rounds the target class to 0, and refuses a size mismatch', () => {
    expect(Number.isFinite(heldOutMetrics([1, 0], [1]).loss)).toBe(true);
    expect(() => heldOutMetrics([0.5, 0.5, 1], [0, 1])).toThrow(/do not fit/);
    expect(heldOutMetrics([0.5, 0.5], [-1]).scored).toBe(0);
  });

  it('spreads its rows over a split sorted by class, so every class is in it', () => {
    const rows = heldOutRows(2000, 500);
    expect(rows.length).toBe(500);
    const perClass = new Array<number>(10).fill(0);
    for (const r of rows) perClass[Math.floor(r / 200)] = (perClass[Math.floor(r / 200)] ?? 0) + 1; // ten classes of 200 rows, in order
    expect(perClass).toEqual(new Array<number>(10).fill(50));
    expect(Array.from(heldOutRows(5, 500))).toEqual([0, 1, 2, 3, 4]);
  });

  it('draws the evaluation stream from its own seed, not the training stream', () => {
    const e = evaluationBatch('recall', 3);
    const train = createTaskStream('recall', EVAL_LANES, 3, deriveSeed(3, 'train')).next(EVAL_SYMBOLS);
    expect(e.inputs.length).toBe(EVAL_SYMBOLS * EVAL_LANES);
    expect(Array.from(e.inputs)).not.toEqual(Array.from(train.inputs));
  });
});

describeBackends('held-out evaluation on tiny models', () => {
  it('GRU on recall: the loss equals a float64 GRU on the evaluation stream, not on the training stream', async () => {
    const experiment: GatedExperiment = { model: 'gru', task: 'recall', seed: 5, params: gatedParamsSchema.parse({ hidden: 4, batch: 4, window: 6 }) };
    const t = GatedTrainer.create(experiment);
    for (let i = 0; i < 5; i++) await t.trainStep();
    const h = await t.heldOut();
    const weights = Object.fromEntries(Object.entries((await t.exportModel()).tensors).map(([k, v]) => [k, v.values])) as Record<GruWeightName, Float32Array>;
    const { inputSize, outputSize } = taskSizes('recall');
    const reference = (batch: { inputs: Int32Array; targets: Int32Array }) =>
      gruReference(weights, { inputSize, outputSize, lanes: EVAL_LANES, length: EVAL_SYMBOLS, ...batch }, 4, new Float64Array(EVAL_LANES * 4));
    const onEval = reference(evaluationBatch('recall', experiment.seed));
    const onTrain = reference(createTaskStream('recall', EVAL_LANES, experiment.seed, deriveSeed(experiment.seed, 'train')).next(EVAL_SYMBOLS));
    expect(h?.step).toBe(5);
    expect(h?.scored).toBe((EVAL_SYMBOLS - 2) * EVAL_LANES); // recall 2 back scores from the third symbol on
    expect(h?.loss).toBeCloseTo(onEval.loss, 4);
    expect(Math.abs(onTrain.loss - onEval.loss)).toBeGreaterThan(1e-3);
    t.dispose();
  });

  it('DNA on a 2-D dataset: the loss equals the float64 layer on the test split, not on the train split', async () => {
    const experiment: DnaExperiment = { model: 'dna', task: 'gaussian', seed: 2, params: dnaParamsSchema.parse({ batch: 16 }) };
    const t = await DnaTrainer.create(experiment);
    for (let i = 0; i < 4; i++) await t.trainStep();
    const h = await t.heldOut();
    const d = await t.detail();
    const cells = { input: d.cellInput, output: d.cellOutput, w: d.weights, b: d.biases };
    const data = await loadDataset('gaussian', experiment.seed, { noise: experiment.params.noise });
    const test = gatherRows(data.test, 2, heldOutRows(data.test.n));
    const train = gatherRows(data.train, 2, heldOutRows(data.train.n));
    const onTest = dnaReference(cells, test.x, test.y, 2, 2);
    const onTrain = dnaReference(cells, train.x, train.y, 2, 2);
    expect(h?.scored).toBe(test.n);
    expect(h?.loss).toBeCloseTo(onTest.loss, 4);
    expect(Math.abs(onTrain.loss - onTest.loss)).toBeGreaterThan(1e-4);
    // No held-out row is a training row.
    const key = (x: Float32Array, i: number): string => `${x[2 * i]},${x[2 * i + 1]}`;
    const trainRows = new Set(Array.from({ length: data.train.n }, (_, i) => key(data.train.x, i)));
    expect(Array.from({ length: test.n }, (_, i) => key(test.x, i)).filter((k) => trainRows.has(k))).toEqual([]);
    t.dispose();
  });
});
