/**
 * The DNA layer (seed 004) on MNIST with its default parameters against two
 * dense baselines trained side by side in the same process, same data,
 * batch, optimiser (Adam, same learning rate) and number of epochs:
 *   - dense-linear: the softmax layer D -> C, D·C + C parameters. It is the
 *     function class of any DNA layer (parallel cells add up to one weight,
 *     per-cell biases to one bias per output), so it is the fair ceiling.
 *   - mlp: one ReLU hidden layer sized to the DNA layer's final parameter
 *     count, counting 2 parameters (w, b) per cell: hidden =
 *     round((2·cells - C) / (D + 1 + C)).
 *   - dna-no-extinction: the same DNA layer with split and delete at 0%, the
 *     control that isolates what extinction does.
 * Each row reports test accuracy on the 2,000 held-out digits; the DNA row
 * adds its final cell count, births, deaths and extinction events, and the
 * other rows the DNA accuracy as a ratio of theirs.
 *   npx tsx -e "import('./src/bench/dna-bench.ts').then(async m=>console.log(JSON.stringify(await m.benchDna())))"
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { uniformArray } from '../engine/baselines/baseline-common';
import { gatherRows, loadDataset, type ClassificationData } from '../engine/datasets/classification-data';
import { dnaParamsSchema, type DnaParams, type DnaParamsInput } from '../engine/dna/dna-params';
import { DnaTrainer } from '../engine/dna/dna-trainer';
import { createRng, deriveSeed, shuffle } from '../engine/random';

export interface DnaBenchOptions {
  readonly backend?: 'wasm' | 'cpu';
  /** Epochs for every model (default 100: about 2-3 minutes on wasm in Node). */
  readonly epochs?: number;
  readonly seed?: number;
  /** Overrides of the DNA defaults (the baselines take learningRate and batch from the result). */
  readonly params?: DnaParamsInput;
}

type Row = Record<string, number | string | null>;

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

export async function benchDna(opts: DnaBenchOptions = {}): Promise<Row[]> {
  const backend = opts.backend ?? 'wasm';
  const epochs = opts.epochs ?? 100;
  const seed = opts.seed ?? 1;
  tf.env().set('PROD', true);
  await tf.setBackend(backend);
  await tf.ready();
  const params = dnaParamsSchema.parse(opts.params ?? {});

  const dna = await runDna(params, epochs, seed);
  // The control: the same layer with extinction off, to tell what the births and deaths do.
  const still = await runDna({ ...params, extinction: 'percent', splitPercent: 0, deletePercent: 0 }, epochs, seed);
  const cells = dna.cells;

  const data = await loadDataset('mnist', seed);
  const { inputSize: D, classes: C } = data.info;
  const hidden = Math.max(1, Math.round((2 * cells - C) / (D + 1 + C)));
  const linear = await trainDense(data, [], params, epochs, seed);
  const mlp = await trainDense(data, [hidden], params, epochs, seed);

  const common = { bench: 'dna-mnist', backend: tf.getBackend(), epochs, batch: params.batch, learningRate: params.learningRate };
  const ratio = (accuracy: number): number => round(dna.accuracy / accuracy, 3);
  return [
    {
      ...common,
      model: 'dna',
      params: 2 * cells,
      initialCells: dna.initialCells,
      cells,
      connections: dna.connections,
      births: dna.births,
      deaths: dna.deaths,
      extinctions: dna.extinctions,
      testAccuracy: round(dna.accuracy, 4),
      seconds: round(dna.seconds, 1),
      config: `default DNA params (${params.extinction}, split ${params.splitPercent}%, delete ${params.deletePercent}%, patience ${params.patience}, warm-up ${params.warmupEpochs}, w0 ${params.initialWeight})`,
    },
    { ...common, model: 'dna-no-extinction', params: 2 * still.cells, cells: still.cells, testAccuracy: round(still.accuracy, 4), seconds: round(still.seconds, 1), dnaAccuracyRatio: ratio(still.accuracy) },
    { ...common, model: 'dense-linear', params: linear.params, testAccuracy: round(linear.accuracy, 4), seconds: round(linear.seconds, 1), dnaAccuracyRatio: ratio(linear.accuracy) },
    { ...common, model: 'mlp', hidden, params: mlp.params, testAccuracy: round(mlp.accuracy, 4), seconds: round(mlp.seconds, 1), dnaAccuracyRatio: ratio(mlp.accuracy) },
  ];
}

export interface DnaRun {
  readonly accuracy: number;
  readonly initialCells: number;
  readonly cells: number;
  /** Distinct (input, output) pairs among the cells: splits duplicate a pair, deaths can remove one for good. */
  readonly connections: number;
  readonly births: number;
  readonly deaths: number;
  readonly extinctions: number;
  /** Training time, dataset loading excluded. */
  readonly seconds: number;
}

/** One DNA layer on MNIST for `epochs` epochs (the study dna-density reuses it). */
export async function runDna(params: DnaParams, epochs: number, seed: number): Promise<DnaRun> {
  const dna = await DnaTrainer.create({ model: 'dna', task: 'mnist', seed, params });
  const initialCells = dna.cellCount;
  let births = 0;
  let deaths = 0;
  let extinctions = 0;
  const started = performance.now();
  while (dna.tick < epochs) {
    const r = await dna.trainStep();
    if (r.rolledBack) throw new Error(`DNA rolled back: ${r.rolledBack.reason}`);
    if (r.events.length > 0) extinctions++;
    for (const e of r.events) {
      if (e.kind === 'birth') births++;
      else deaths++;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const accuracy = (await dna.detail()).testAccuracy;
  const cells = dna.cellCount;
  const connections = new Set(dna.currentGraph.edges.map((e) => `${e.source}>${e.target}`)).size;
  dna.dispose();
  return { accuracy, initialCells, cells, connections, births, deaths, extinctions, seconds };
}

/** A dense ReLU net D -> hidden... -> C (Glorot-uniform weights, zero biases), Adam, seeded epoch orders; test accuracy at the end. */
export async function trainDense(data: ClassificationData, hidden: readonly number[], p: DnaParams, epochs: number, seed: number): Promise<{ accuracy: number; params: number; seconds: number }> {
  const { inputSize: D, classes: C } = data.info;
  const sizes = [D, ...hidden, C];
  const rng = createRng(deriveSeed(seed, `dense-${sizes.join('-')}`));
  const layers = sizes.slice(1).map((out, k) => {
    const fanIn = sizes[k] as number;
    return {
      w: tf.variable(tf.tensor2d(uniformArray(rng, fanIn * out, Math.sqrt(6 / (fanIn + out))), [fanIn, out])),
      b: tf.variable(tf.zeros([out])),
    };
  });
  const vars = layers.flatMap((l) => [l.w, l.b]);
  const params = vars.reduce((n, v) => n + v.size, 0);
  const logits = (x: tf.Tensor2D): tf.Tensor2D =>
    layers.reduce<tf.Tensor2D>((h, l, k) => {
      const z = tf.add(tf.matMul(h, l.w), l.b) as tf.Tensor2D;
      return k < layers.length - 1 ? tf.relu(z) : z;
    }, x);
  const optimizer = tf.train.adam(p.learningRate);
  const n = data.train.n;
  const B = Math.min(p.batch, n);
  const started = performance.now();
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = shuffle(createRng(deriveSeed(seed, 'dense-order'), epoch), Array.from({ length: n }, (_, i) => i));
    for (let start = 0; start < n; start += B) {
      const batch = gatherRows(data.train, D, Array.from({ length: B }, (_, r) => order[(start + r) % n] as number));
      const cost = tf.tidy(() => {
        const x = tf.tensor2d(batch.x, [B, D]);
        const targets = tf.oneHot(tf.tensor1d(batch.y, 'int32'), C).toFloat();
        return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(targets, logits(x)), true, vars) as tf.Scalar;
      });
      await cost.data();
      cost.dispose();
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const test = data.test;
  const right = tf.tidy(() => {
    const predicted = tf.argMax(logits(tf.tensor2d(test.x, [test.n, D])), 1);
    return tf.sum(tf.cast(tf.equal(predicted, tf.tensor1d(test.y, 'int32')), 'float32'));
  });
  const [correct = 0] = (await right.data()) as Float32Array;
  right.dispose();
  optimizer.dispose();
  tf.dispose(vars);
  return { accuracy: correct / test.n, params, seconds };
}
