/**
 * Transition-representation training: the loss against its float64
 * reference, finite-difference gradients, the frozen target and its
 * stopgrad, seeded determinism, no leaks, and that it learns.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { uniformArray } from '../baselines/baseline-common';
import { type HostWeights } from '../training/host-tensor';
import { gruReference } from '../baselines/baseline-reference';
import type { CellWeightName } from '../baselines/gated-rnn';
import { GRU_CELL, type GruWeightName } from '../baselines/gru';
import { createRng, randInt } from '../random';
import { gruReferenceCell, transitionLossReference, type TransitionCase } from '../reference/transition-reference';
import { TASKS } from '../tasks/task-registry';
import type { TaskBatch } from '../tasks/task';
import { describeBackends } from '../testing/backends';
import { createGruTransitionCell } from './transition-cell';
import { compareModes } from './transition-compare';
import { disposeSequenceSet, rollCell, sequenceSet, TransitionRun, transitionLoss, type TransitionRunInput } from './transition-training';

const DIMS = { inputSize: 3, hidden: 4, outputSize: 3 } as const;
const N = 2;
const T = 4;
const S = DIMS.hidden;
const STEP = 1e-5;

type GruWeights = HostWeights<CellWeightName<GruWeightName>>;

/** Every GRU entry, biases too, uniform in ±0.8: every path carries signal. */
function randomWeights(seed: number): GruWeights {
  const shapes = GRU_CELL.init(DIMS, createRng(seed, 1));
  const rng = createRng(seed, 2);
  return Object.fromEntries(GRU_CELL.weightNames.map((n) => [n, { shape: shapes[n].shape, values: uniformArray(rng, shapes[n].values.length, 0.8) }])) as GruWeights;
}

/** Random symbols, about a third unscored; embeddings in ±0.9 and a target near them (as a few steps after a refresh). */
function randomCase(seed: number, beta = 0.7, scoredShare = 0.7): TransitionCase & TaskBatch {
  const rng = createRng(seed, 3);
  const inputs = Int32Array.from({ length: T * N }, () => randInt(rng, DIMS.inputSize));
  const targets = Int32Array.from({ length: T * N }, () => (rng.next() < scoredShare ? randInt(rng, DIMS.outputSize) : -1));
  const embeddings = uniformArray(rng, (T - 1) * N * S, 0.9);
  const target = embeddings.map((e) => e + 0.3 * (2 * rng.next() - 1));
  return { sequences: N, length: T, stateSize: S, ...DIMS, inputs, targets, embeddings, target, beta, lanes: N };
}

const flat = (w: GruWeights): Record<CellWeightName<GruWeightName>, Float64Array> =>
  Object.fromEntries(Object.entries<{ values: Float32Array }>(w).map(([n, t]) => [n, Float64Array.from(t.values)])) as Record<CellWeightName<GruWeightName>, Float64Array>;

const reference = (w: Record<GruWeightName, ArrayLike<number>>, c: TransitionCase) => transitionLossReference(gruReferenceCell(w, S, DIMS.inputSize), c);

/** Device loss terms and gradients with respect to the embeddings and every weight (target: a constant). */
async function device(w: GruWeights, c: TransitionCase & TaskBatch) {
  const cell = createGruTransitionCell(DIMS, 0, w);
  const data = sequenceSet(c, cell);
  const e = tf.variable(tf.tensor2d(Float32Array.from(c.embeddings), [(T - 1) * N, S]));
  const target = tf.tensor2d(Float32Array.from(c.target), [(T - 1) * N, S]);
  const terms: { ce?: tf.Scalar; consistency?: tf.Scalar } = {};
  const { value, grads } = tf.variableGrads(() => {
    const r = transitionLoss(cell, e as tf.Tensor2D, target, data, c.beta);
    terms.ce = tf.keep(r.ce);
    terms.consistency = tf.keep(r.consistency);
    return r.loss;
  }, [e, ...cell.variables]);
  const read = async (t: tf.Tensor): Promise<Float64Array> => Float64Array.from(await t.data());
  const out = {
    loss: ((await value.data())[0] as number),
    ce: ((await (terms.ce as tf.Scalar).data())[0] as number),
    consistency: ((await (terms.consistency as tf.Scalar).data())[0] as number),
    embeddingGrad: await read(grads[e.name] as tf.Tensor),
    weightGrads: Object.fromEntries(
      await Promise.all(GRU_CELL.weightNames.map(async (n, i) => [n, await read(grads[(cell.variables[i] as tf.Variable).name] as tf.Tensor)] as const)),
    ) as Record<CellWeightName<GruWeightName>, Float64Array>,
  };
  tf.dispose([value, terms.ce as tf.Scalar, terms.consistency as tf.Scalar, e, target, ...Object.values(grads)]);
  disposeSequenceSet(data);
  cell.dispose();
  return out;
}

/** The index of the largest |g| and one drawn at random. */
function coordinates(g: Float64Array, seed: number): number[] {
  let top = 0;
  g.forEach((v, i) => {
    if (Math.abs(v) > Math.abs(g[top] as number)) top = i;
  });
  return [top, randInt(createRng(seed, 11), g.length)];
}

function central(f: (delta: number) => number): number {
  return (f(STEP) - f(-STEP)) / (2 * STEP);
}

const SMALL_RUN: TransitionRunInput = { cell: 'gru', task: 'recall', seed: 5, hidden: 4, sequences: 4, length: 5, evalSequences: 4 };

describeBackends('transition representations', () => {
  it('the transition loss matches its float64 reference; the roll-out matches the GRU reference', async () => {
    const w = randomWeights(1);
    const c = randomCase(1);
    const ref = reference(flat(w), c);
    const dev = await device(w, c);
    expect(Math.abs(dev.ce - ref.ce)).toBeLessThan(1e-5);
    expect(Math.abs(dev.consistency - ref.consistency)).toBeLessThan(1e-5);
    expect(Math.abs(dev.loss - ref.loss)).toBeLessThan(1e-5);
    expect(ref.consistency).toBeGreaterThan(0.01);

    const cell = createGruTransitionCell(DIMS, 0, w);
    const data = sequenceSet(c, cell);
    const logits = tf.tidy(() => rollCell(cell, data).logits);
    const seqRef = gruReference(flat(w), { ...c, lanes: N }, S, new Float64Array(N * S));
    const got = await logits.data();
    seqRef.logits.forEach((v, i) => expect(Math.abs((got[i] as number) - v)).toBeLessThan(1e-5));
    tf.dispose(logits);
    disposeSequenceSet(data);
    cell.dispose();
  });

  it('gradients match central differences of the reference (an embedding entry, every weight tensor)', async () => {
    const w = randomWeights(2);
    const c = randomCase(2);
    const dev = await device(w, c);
    const base = flat(w);
    const scaleE = Math.max(...Array.from(dev.embeddingGrad, Math.abs));
    expect(scaleE).toBeGreaterThan(1e-3);
    for (const k of coordinates(dev.embeddingGrad, 2)) {
      const numeric = central((d) => {
        const moved = Float64Array.from(c.embeddings);
        moved[k] = (moved[k] as number) + d;
        return reference(base, { ...c, embeddings: moved }).loss;
      });
      expect(Math.abs((dev.embeddingGrad[k] as number) - numeric), `e[${k}]`).toBeLessThan(1e-3 * scaleE + 1e-6);
    }
    for (const [n, name] of GRU_CELL.weightNames.entries()) {
      const g = dev.weightGrads[name];
      const scale = Math.max(...Array.from(g, Math.abs));
      expect(scale, `${name} has a gradient`).toBeGreaterThan(1e-3);
      for (const k of coordinates(g, 10 + n)) {
        const numeric = central((d) => {
          const moved = Float64Array.from(base[name]);
          moved[k] = (moved[k] as number) + d;
          return reference({ ...base, [name]: moved }, c).loss;
        });
        expect(Math.abs((g[k] as number) - numeric), `${name}[${k}]`).toBeLessThan(1e-3 * scale + 1e-6);
      }
    }
  });

  it('stopgrad: the consistency term sends no gradient to e_{t+1}, even when the target equals the embeddings', async () => {
    const w = randomWeights(3);
    // Right after a refresh: target = embeddings.
    const fresh = randomCase(3, 2);
    const c = { ...fresh, target: Float32Array.from(fresh.embeddings) };
    const dev = await device(w, c);
    const base = flat(w);
    // An entry of e_{i,2}: the input of transition 2 and the target of transition 1.
    const k = 1 * N * S + 1;
    const fixedTarget = central((d) => {
      const moved = Float64Array.from(c.embeddings);
      moved[k] = (moved[k] as number) + d;
      return reference(base, { ...c, embeddings: moved }).loss;
    });
    const movingTarget = central((d) => {
      const moved = Float64Array.from(c.embeddings);
      moved[k] = (moved[k] as number) + d;
      return reference(base, { ...c, embeddings: moved, target: moved }).loss;
    });
    expect(Math.abs((dev.embeddingGrad[k] as number) - fixedTarget)).toBeLessThan(1e-4);
    // The check can tell the two apart.
    expect(Math.abs(fixedTarget - movingTarget)).toBeGreaterThan(1e-3);

    // Consistency term alone (nothing scored): e_{i,T-1} feeds only the last transition, which has no consistency term.
    const onlyConsistency = { ...c, targets: new Int32Array(T * N).fill(-1) };
    const g = (await device(w, onlyConsistency)).embeddingGrad;
    expect(Array.from(g.subarray((T - 2) * N * S))).toEqual(new Array(N * S).fill(0));
    expect(Math.max(...Array.from(g.subarray(0, (T - 2) * N * S), Math.abs))).toBeGreaterThan(1e-3);
  });

  it('the frozen target stays frozen between refreshes and equals the embeddings right after one', async () => {
    const run = new TransitionRun({ ...SMALL_RUN, refreshEvery: 3, learningRate: 0.05, embeddingLearningRate: 0.05 });
    try {
      const first = await run.readEmbeddings();
      if (!first) throw new Error('no embeddings in transitions mode');
      expect(Array.from(first.target)).toEqual(Array.from(first.embeddings));
      // Initialised by a roll-out of the initial weights: the embeddings are the states the cell reaches.
      expect(first.rolloutGap).toBeLessThan(1e-10);
      let frozen = first.target;
      const flags: boolean[] = [];
      for (let i = 0; i < 7; i++) {
        const r = await run.trainStep();
        flags.push(r.refreshed);
        const now = await run.readEmbeddings();
        if (!now) throw new Error('no embeddings');
        expect(Array.from(now.embeddings)).not.toEqual(Array.from(frozen));
        if (r.refreshed) {
          expect(Array.from(now.target)).toEqual(Array.from(now.embeddings));
          frozen = now.target;
        } else {
          expect(Array.from(now.target)).toEqual(Array.from(frozen));
        }
      }
      expect(flags).toEqual([false, false, true, false, false, true, false]);
      // A live change of the refresh period counts from the last refresh.
      run.setLive({ refreshEvery: 1 });
      expect((await run.trainStep()).refreshed).toBe(true);
    } finally {
      run.dispose();
    }
  });

  it('no tensor leaks: every cell and mode, train steps, roll-outs, reads', async () => {
    const before = tf.memory().numTensors;
    const cells: TransitionRunInput[] = [
      { ...SMALL_RUN },
      { ...SMALL_RUN, cell: 'loopy', hidden: 6, thinkTicks: 2 },
      { ...SMALL_RUN, cell: 'lara', hidden: 5, width: 2 },
    ];
    for (const opts of cells) {
      for (const mode of ['transitions', 'bptt'] as const) {
        const run = new TransitionRun({ ...opts, mode });
        const live = tf.memory().numTensors;
        for (let i = 0; i < 3; i++) {
          const r = await run.trainStep();
          expect(Number.isFinite(r.loss), `${opts.cell} ${mode}`).toBe(true);
          expect(tf.memory().numTensors, `${opts.cell} ${mode} step ${i}`).toBe(live);
        }
        await run.rollout();
        await run.rollout('train');
        await run.readEmbeddings();
        expect(tf.memory().numTensors).toBe(live);
        run.dispose();
        expect(tf.memory().numTensors).toBe(before);
      }
    }
  });

  it('learns recall: the honest roll-out beats chance after a few dozen steps (GRU); the loopy cell trains with finite losses', async () => {
    const run = new TransitionRun({ cell: 'gru', task: 'recall', seed: 1, hidden: 16, sequences: 16, length: 8, learningRate: 0.03 });
    try {
      const start = await run.rollout();
      for (let i = 0; i < 30; i++) await run.trainStep();
      const end = await run.rollout();
      expect(end.accuracy).toBeGreaterThan(TASKS.recall.chance + 0.12);
      expect(end.accuracy).toBeGreaterThan(start.accuracy);
    } finally {
      run.dispose();
    }
    const loopy = new TransitionRun({ cell: 'loopy', task: 'recall', seed: 1, hidden: 12, sequences: 8, length: 6, learningRate: 0.03 });
    try {
      for (let i = 0; i < 4; i++) {
        const r = await loopy.trainStep();
        expect(Number.isFinite(r.loss) && Number.isFinite(r.consistency)).toBe(true);
      }
      expect(Number.isFinite((await loopy.rollout()).loss)).toBe(true);
    } finally {
      loopy.dispose();
    }
  });

  it('compareModes returns both curves on the same data', async () => {
    const r = await compareModes({ ...SMALL_RUN, refreshEvery: 2 }, { steps: 4, targetLoss: 100, evalEvery: 2 });
    for (const curve of [r.transitions, r.bptt]) {
      expect(curve.loss).toHaveLength(4);
      expect(curve.cumulativeMs).toHaveLength(4);
      expect(curve.cumulativeMs.every((ms, i) => i === 0 || ms >= (curve.cumulativeMs[i - 1] as number))).toBe(true);
      expect(curve.rollouts.map((p) => p.step)).toEqual([2, 4]);
      expect(curve.stepsToTarget).toBe(2);
      expect(curve.msToTarget).toBe(curve.cumulativeMs[1]);
      expect(Number.isFinite(curve.finalRolloutAccuracy)).toBe(true);
    }
    expect(r.transitions.refreshSteps).toEqual([2, 4]);
    expect(r.bptt.refreshSteps).toEqual([]);
  });
});

describeBackends(
  'transition representations: seeded determinism',
  () => {
    it('two runs with the same seed give the same numbers', async () => {
      const trace = async (): Promise<number[]> => {
        const run = new TransitionRun({ ...SMALL_RUN, cell: 'gru' });
        const out: number[] = [];
        for (let i = 0; i < 4; i++) {
          const r = await run.trainStep();
          out.push(r.loss, r.consistency, r.accuracy);
        }
        const ro = await run.rollout();
        const e = await run.readEmbeddings();
        run.dispose();
        return [...out, ro.loss, ro.accuracy, ...Array.from(e?.embeddings ?? [])];
      };
      expect(await trace()).toEqual(await trace());
    });
  },
  ['cpu'],
);
