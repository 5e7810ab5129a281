/**
 * Multiple shooting and re-anchoring: the segmented loss against its float64
 * reference (uneven last segment included), its two identities (S = 1 is the
 * transitions loss, S >= T is BPTT's), finite-difference gradients, the
 * stopgrad at segment ends, the re-anchored target, leaks and determinism.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { uniformArray } from '../baselines/baseline-common';
import { gruReference, referenceLoss } from '../baselines/baseline-reference';
import type { CellWeightName } from '../baselines/gated-rnn';
import { GRU_CELL, type GruWeightName } from '../baselines/gru';
import { createRng, randInt } from '../random';
import { shootingLossReference, type ShootingCase } from '../reference/transition-shooting-reference';
import { gruReferenceCell, transitionLossReference } from '../reference/transition-reference';
import type { TaskBatch } from '../tasks/task';
import { describeBackends } from '../testing/backends';
import type { HostWeights } from '../training/host-tensor';
import { createGruTransitionCell } from './transition-cell';
import { sequentialDepth } from './transition-depth';
import { bpttLoss, disposeSequenceSet, segmentedLoss, segmentGeometry, sequenceSet, TransitionRun, transitionLoss, type TransitionRunInput } from './transition-training';

const DIMS = { inputSize: 3, hidden: 4, outputSize: 3 } as const;
const N = 2;
const T = 5;
const W = DIMS.hidden;
const STEP = 1e-5;

type GruWeights = HostWeights<CellWeightName<GruWeightName>>;
type Flat = Record<CellWeightName<GruWeightName>, Float64Array>;

function randomWeights(seed: number): GruWeights {
  const shapes = GRU_CELL.init(DIMS, createRng(seed, 1));
  const rng = createRng(seed, 2);
  return Object.fromEntries(GRU_CELL.weightNames.map((n) => [n, { shape: shapes[n].shape, values: uniformArray(rng, shapes[n].values.length, 0.8) }])) as GruWeights;
}

const flat = (w: GruWeights): Flat => Object.fromEntries(Object.entries<{ values: Float32Array }>(w).map(([n, t]) => [n, Float64Array.from(t.values)])) as Flat;

/** Random symbols (a third unscored), embeddings at the segment starts in ±0.9, a target near them. */
function randomCase(seed: number, segmentLength: number, beta = 0.7): ShootingCase & TaskBatch & { readonly inputSize: number } {
  const rng = createRng(seed, 3);
  const rows = (segmentGeometry(T, segmentLength).segments - 1) * N * W;
  const inputs = Int32Array.from({ length: T * N }, () => randInt(rng, DIMS.inputSize));
  const targets = Int32Array.from({ length: T * N }, () => (rng.next() < 0.7 ? randInt(rng, DIMS.outputSize) : -1));
  const embeddings = uniformArray(rng, rows, 0.9);
  const target = embeddings.map((e) => e + 0.3 * (2 * rng.next() - 1));
  return { sequences: N, length: T, stateSize: W, ...DIMS, inputs, targets, embeddings, target, beta, segmentLength, lanes: N };
}

const reference = (w: Flat, c: ShootingCase) => shootingLossReference(gruReferenceCell(w, W, DIMS.inputSize), c);

async function device(w: GruWeights, c: ShootingCase & TaskBatch) {
  const cell = createGruTransitionCell(DIMS, 0, w);
  const data = sequenceSet(c, cell);
  const rows = c.embeddings.length / W;
  const e = tf.variable(tf.tensor2d(Float32Array.from(c.embeddings), [rows, W]));
  const target = tf.tensor2d(Float32Array.from(c.target), [rows, W]);
  const terms: { ce?: tf.Scalar; consistency?: tf.Scalar; flat?: tf.Scalar; bptt?: tf.Scalar } = {};
  const { value, grads } = tf.variableGrads(() => {
    const r = segmentedLoss(cell, e as tf.Tensor2D, target, data, c.beta, c.segmentLength);
    terms.ce = tf.keep(r.ce);
    terms.consistency = tf.keep(r.consistency);
    if (c.segmentLength === 1) terms.flat = tf.keep(transitionLoss(cell, e as tf.Tensor2D, target, data, c.beta).loss);
    if (c.segmentLength >= T) terms.bptt = tf.keep(bpttLoss(cell, data).ce);
    return r.loss;
  }, [e, ...cell.variables]);
  const num = async (t?: tf.Tensor): Promise<number> => (t ? ((await t.data())[0] as number) : NaN);
  const read = async (t: tf.Tensor): Promise<Float64Array> => Float64Array.from(await t.data());
  const out = {
    loss: await num(value),
    ce: await num(terms.ce),
    consistency: await num(terms.consistency),
    flat: await num(terms.flat),
    bptt: await num(terms.bptt),
    embeddingGrad: rows > 0 ? await read(grads[e.name] as tf.Tensor) : new Float64Array(0),
    weightGrads: Object.fromEntries(await Promise.all(GRU_CELL.weightNames.map(async (n, i) => [n, await read(grads[(cell.variables[i] as tf.Variable).name] as tf.Tensor)] as const))) as Flat,
  };
  tf.dispose([value, e, target, ...Object.values(terms), ...Object.values(grads)]);
  disposeSequenceSet(data);
  cell.dispose();
  return out;
}

function coordinates(g: Float64Array, seed: number): number[] {
  let top = 0;
  g.forEach((v, i) => {
    if (Math.abs(v) > Math.abs(g[top] as number)) top = i;
  });
  return [top, randInt(createRng(seed, 11), g.length)];
}

const central = (f: (delta: number) => number): number => (f(STEP) - f(-STEP)) / (2 * STEP);

const SMALL_RUN: TransitionRunInput = { cell: 'gru', task: 'recall', seed: 5, hidden: 4, sequences: 4, length: 7, evalSequences: 4, segmentLength: 3 };

describeBackends('transition representations: multiple shooting', () => {
  it.each([1, 2, 3, 5])('S = %i: the segmented loss matches its float64 reference (T = 5)', async (S) => {
    const w = randomWeights(S);
    const c = randomCase(S, S);
    const ref = reference(flat(w), c);
    const dev = await device(w, c);
    expect(Math.abs(dev.ce - ref.ce)).toBeLessThan(1e-5);
    expect(Math.abs(dev.consistency - ref.consistency)).toBeLessThan(1e-5);
    expect(Math.abs(dev.loss - ref.loss)).toBeLessThan(1e-5);
    if (S < T) expect(ref.consistency).toBeGreaterThan(0.01);
  });

  it('S = 1 is the seed transitions loss; S >= T is BPTT on the whole sequence (reference and device)', async () => {
    const w = randomWeights(7);
    const one = randomCase(7, 1);
    const flatRef = transitionLossReference(gruReferenceCell(flat(w), W, DIMS.inputSize), one);
    const shootRef = reference(flat(w), one);
    expect(Math.abs(shootRef.loss - flatRef.loss)).toBeLessThan(1e-12);
    expect(Math.abs(shootRef.consistency - flatRef.consistency)).toBeLessThan(1e-12);
    const devOne = await device(w, one);
    expect(Math.abs(devOne.loss - devOne.flat)).toBeLessThan(1e-6);

    const seqRef = gruReference(flat(w), { ...one, lanes: N }, W, new Float64Array(N * W));
    const bpttRef = referenceLoss(seqRef.logits, one.targets, DIMS.outputSize);
    for (const S of [T, T + 3]) {
      const whole = randomCase(7, S);
      expect(whole.embeddings.length).toBe(0);
      const ref = reference(flat(w), whole);
      expect(Math.abs(ref.ce - bpttRef)).toBeLessThan(1e-12);
      expect(ref.consistency).toBe(0);
      const dev = await device(w, whole);
      expect(Math.abs(dev.loss - dev.bptt)).toBeLessThan(1e-6);
      expect(Math.abs(dev.loss - bpttRef)).toBeLessThan(1e-5);
    }
    // The identities are not trivial: S = 2 differs from both.
    const two = reference(flat(w), randomCase(7, 2));
    expect(Math.abs(two.ce - bpttRef)).toBeGreaterThan(1e-3);
  });

  it.each([2, 3])('S = %i: gradients match central differences of the reference (embedding entries, every weight tensor)', async (S) => {
    const w = randomWeights(20 + S);
    const c = randomCase(20 + S, S);
    const dev = await device(w, c);
    const base = flat(w);
    const scaleE = Math.max(...Array.from(dev.embeddingGrad, Math.abs));
    expect(scaleE).toBeGreaterThan(1e-3);
    for (const k of coordinates(dev.embeddingGrad, S)) {
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

  it('stopgrad at segment ends: with nothing scored, the last segment start gets no gradient, the earlier ones do', async () => {
    const w = randomWeights(31);
    // T = 5, S = 2: starts at t = 2 and 4; only segments 0 and 1 end inside the sequence.
    const c = { ...randomCase(31, 2), targets: new Int32Array(T * N).fill(-1) };
    const g = (await device(w, c)).embeddingGrad;
    expect(Array.from(g.subarray(N * W))).toEqual(new Array(N * W).fill(0));
    expect(Math.max(...Array.from(g.subarray(0, N * W), Math.abs))).toBeGreaterThan(1e-3);
  });

  it('re-anchoring: the target comes from the roll-out of the current cell (target, states); off keeps the seed form', async () => {
    for (const reanchor of ['off', 'target', 'states'] as const) {
      const run = new TransitionRun({ ...SMALL_RUN, reanchor, refreshEvery: 2, learningRate: 0.05, embeddingLearningRate: 0.05 });
      try {
        const first = await run.readEmbeddings();
        if (!first) throw new Error('no embeddings');
        // T = 7, S = 3: starts at t = 3 and 6.
        expect(first.embeddings).toHaveLength(2 * 4 * 4);
        expect(first.rolloutGap).toBeLessThan(1e-10);
        await run.trainStep();
        const mid = await run.readEmbeddings();
        if (!mid) throw new Error('no embeddings');
        // Between refreshes the target stays, while the weights move it away from the roll-out.
        expect(Array.from(mid.target)).toEqual(Array.from(first.target));
        expect(mid.targetGap).toBeGreaterThan(1e-9);
        expect((await run.trainStep()).refreshed).toBe(true);
        const after = await run.readEmbeddings();
        if (!after) throw new Error('no embeddings');
        if (reanchor === 'off') {
          expect(Array.from(after.target)).toEqual(Array.from(after.embeddings));
          expect(after.targetGap).toBeGreaterThan(1e-9);
        } else {
          expect(after.targetGap).toBeLessThan(1e-10);
          if (reanchor === 'states') expect(after.rolloutGap).toBeLessThan(1e-10);
          else expect(after.rolloutGap).toBeGreaterThan(1e-9);
        }
      } finally {
        run.dispose();
      }
    }
  });

  it('no tensor leaks: segment lengths, re-anchoring, S >= T, the loopy cell', async () => {
    const before = tf.memory().numTensors;
    const runs: TransitionRunInput[] = [
      { ...SMALL_RUN, reanchor: 'target', refreshEvery: 2 },
      { ...SMALL_RUN, reanchor: 'states', refreshEvery: 1, embeddingInit: 'zeros' },
      { ...SMALL_RUN, segmentLength: 7 },
      { ...SMALL_RUN, cell: 'loopy', hidden: 6, thinkTicks: 2, segmentLength: 2, reanchor: 'target', refreshEvery: 2 },
    ];
    for (const opts of runs) {
      const run = new TransitionRun(opts);
      const live = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        const r = await run.trainStep();
        expect(Number.isFinite(r.loss)).toBe(true);
        expect(tf.memory().numTensors, `${JSON.stringify(opts)} step ${i}`).toBe(live);
      }
      await run.rollout();
      await run.readEmbeddings();
      expect(tf.memory().numTensors).toBe(live);
      run.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('S >= T trains exactly as BPTT does; sequential depth per step is S (+ T/K when re-anchored), T for BPTT', async () => {
    const a = new TransitionRun({ ...SMALL_RUN, segmentLength: 7 });
    const b = new TransitionRun({ ...SMALL_RUN, mode: 'bptt' });
    try {
      expect(await a.readEmbeddings()).toBeNull();
      for (let i = 0; i < 3; i++) expect((await a.trainStep()).loss).toBe((await b.trainStep()).loss);
      expect(a.sequentialDepth).toBe(7);
      expect(b.sequentialDepth).toBe(7);
    } finally {
      a.dispose();
      b.dispose();
    }
    const base = { mode: 'transitions', length: 64, segmentLength: 16, reanchor: 'off', refreshEvery: 8 } as const;
    expect(sequentialDepth(base)).toBe(16);
    expect(sequentialDepth({ ...base, reanchor: 'target' })).toBe(24);
    expect(sequentialDepth({ ...base, segmentLength: 1 })).toBe(1);
    expect(sequentialDepth({ ...base, mode: 'bptt' })).toBe(64);
  });
});

describeBackends(
  'transition representations: multiple shooting, seeded determinism',
  () => {
    it('two runs with the same seed give the same numbers (S = 3, re-anchored)', async () => {
      const trace = async (): Promise<number[]> => {
        const run = new TransitionRun({ ...SMALL_RUN, reanchor: 'target', refreshEvery: 2 });
        const out: number[] = [];
        for (let i = 0; i < 4; i++) {
          const r = await run.trainStep();
          out.push(r.loss, r.consistency, r.accuracy);
        }
        const ro = await run.rollout();
        const e = await run.readEmbeddings();
        run.dispose();
        return [...out, ro.loss, ro.accuracy, ...Array.from(e?.embeddings ?? []), ...Array.from(e?.target ?? [])];
      };
      expect(await trace()).toEqual(await trace());
    });
  },
  ['cpu'],
);
