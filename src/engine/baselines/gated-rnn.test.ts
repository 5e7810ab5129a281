/**
 * LSTM and GRU cells against their float64 reference (forward, state carried
 * across batches) and finite-difference checks of the loss's gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { createRng, randInt } from '../random';
import type { TaskBatch } from '../tasks/task';
import { describeBackends } from '../testing/backends';
import { batchTensors, sequenceLoss, uniformArray } from './baseline-common';
import { type HostWeights } from '../training/host-tensor';
import { gruReference, lstmReference, type ReferenceCase, type ReferenceResult } from './baseline-reference';
import { unrollCell, type CellWeightName, type GatedCell } from './gated-rnn';
import { createGruModel, GRU_CELL, type GruWeightName } from './gru';
import { createLstmModel, LSTM_CELL, type LstmWeightName } from './lstm';

const DIMS = { inputSize: 3, hidden: 4, outputSize: 3 } as const;
const LANES = 2;
const LENGTH = 5;
const COORDS_PER_TENSOR = 4;
const STEP = 1e-5;

interface CellCase<N extends string> {
  readonly cell: GatedCell<N>;
  /** The float64 reference from flat weights and flat states [B*H] each. */
  reference(w: Readonly<Record<CellWeightName<N>, ArrayLike<number>>>, c: ReferenceCase, state: readonly Float64Array[]): ReferenceResult;
}

const LSTM_CASE: CellCase<LstmWeightName> = { cell: LSTM_CELL, reference: (w, c, [h, cs]) => lstmReference(w, c, DIMS.hidden, h as Float64Array, cs as Float64Array) };
const GRU_CASE: CellCase<GruWeightName> = { cell: GRU_CELL, reference: (w, c, [h]) => gruReference(w, c, DIMS.hidden, h as Float64Array) };

function randomBatch(seed: number, lanes = LANES, length = LENGTH): TaskBatch & ReferenceCase {
  const rng = createRng(seed, 3);
  const inputs = Int32Array.from({ length: lanes * length }, () => randInt(rng, DIMS.inputSize));
  // About a third unscored, so the mask matters.
  const targets = Int32Array.from({ length: lanes * length }, () => (rng.next() < 0.3 ? -1 : randInt(rng, DIMS.outputSize)));
  return { lanes, length, inputs, targets, inputSize: DIMS.inputSize, outputSize: DIMS.outputSize };
}

/** The cell's shapes with every entry (biases too) uniform in ±0.8: every path carries signal. */
function randomWeights<N extends string>(cell: GatedCell<N>, seed: number): HostWeights<CellWeightName<N>> {
  const shapes = cell.init(DIMS, createRng(seed, 1));
  const rng = createRng(seed, 2);
  return Object.fromEntries(cell.weightNames.map((n) => [n, { shape: shapes[n].shape, values: uniformArray(rng, shapes[n].values.length, 0.8) }])) as HostWeights<CellWeightName<N>>;
}

function randomState(cell: GatedCell<string>, seed: number): Float64Array[] {
  const rng = createRng(seed, 4);
  return Array.from({ length: cell.stateCount }, () => Float64Array.from(uniformArray(rng, LANES * DIMS.hidden, 0.9)));
}

const flat = <N extends string>(w: HostWeights<N>): Record<N, Float64Array> =>
  Object.fromEntries(Object.entries<{ values: Float32Array }>(w).map(([n, t]) => [n, Float64Array.from(t.values)])) as Record<N, Float64Array>;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
  return d;
}

/** Device forward of the tiny case: logits, final state, loss. */
async function deviceForward<N extends string>(cell: GatedCell<N>, w: HostWeights<CellWeightName<N>>, batch: TaskBatch, state: readonly Float64Array[]) {
  const out = tf.tidy(() => {
    const tensors = Object.fromEntries(cell.weightNames.map((n) => [n, tf.tensor(w[n].values, [...w[n].shape])])) as Record<CellWeightName<N>, tf.Tensor>;
    const { x, targets, scored } = batchTensors(batch, DIMS.inputSize, DIMS.outputSize);
    const r = unrollCell(cell, tensors, x, state.map((s) => tf.tensor2d(Float32Array.from(s), [LANES, DIMS.hidden])), batch.length, batch.lanes);
    return { logits: r.logits, state: r.state, loss: sequenceLoss(r.logits, targets, scored) };
  });
  const result = { logits: await out.logits.data(), state: await Promise.all(out.state.map((s) => s.data())), loss: (await out.loss.data())[0] as number };
  tf.dispose([out.logits, out.loss, ...out.state]);
  return result;
}

/** Device gradient of the loss with respect to every weight tensor. */
async function deviceGrads<N extends string>(cell: GatedCell<N>, w: HostWeights<CellWeightName<N>>, batch: TaskBatch, state: readonly Float64Array[]) {
  const grads = tf.tidy(() => {
    const { x, targets, scored } = batchTensors(batch, DIMS.inputSize, DIMS.outputSize);
    const state0 = state.map((s) => tf.tensor2d(Float32Array.from(s), [LANES, DIMS.hidden]));
    const loss = (...ts: tf.Tensor[]): tf.Tensor => {
      const named = Object.fromEntries(cell.weightNames.map((n, i) => [n, ts[i] as tf.Tensor])) as Record<CellWeightName<N>, tf.Tensor>;
      return sequenceLoss(unrollCell(cell, named, x, state0, batch.length, batch.lanes).logits, targets, scored);
    };
    return tf.grads(loss)(cell.weightNames.map((n) => tf.tensor(w[n].values, [...w[n].shape])));
  });
  const host = await Promise.all(grads.map((g) => g.data()));
  tf.dispose(grads);
  return Object.fromEntries(cell.weightNames.map((n, i) => [n, Float64Array.from(host[i] as Float32Array)])) as Record<CellWeightName<N>, Float64Array>;
}

function pickCoordinates(grad: Float64Array, seed: number): number[] {
  const rng = createRng(seed, 11);
  const top = Math.max(...Array.from(grad, Math.abs));
  const sizeable = Array.from(grad.keys()).filter((i) => Math.abs(grad[i] as number) > 0.05 * top);
  return [...Array.from({ length: COORDS_PER_TENSOR - 1 }, () => sizeable[randInt(rng, sizeable.length)] as number), randInt(rng, grad.length)];
}

function cellSpecs<N extends string>(c: CellCase<N>, seed: number): void {
  const kind = c.cell.kind;

  it(`${kind}: forward matches the float64 reference (logits, state, loss)`, async () => {
    const w = randomWeights(c.cell, seed);
    const batch = randomBatch(seed);
    const state = randomState(c.cell, seed);
    const ref = c.reference(flat(w), batch, state);
    const dev = await deviceForward(c.cell, w, batch, state);
    expect(maxAbsDiff(dev.logits, ref.logits)).toBeLessThan(1e-4);
    ref.state.forEach((s, i) => expect(maxAbsDiff(dev.state[i] as Float32Array, s), `state ${i}`).toBeLessThan(1e-4));
    expect(Math.abs(dev.loss - ref.loss)).toBeLessThan(1e-4);
  });

  it(`${kind}: gradients match central differences of the float64 reference loss`, async () => {
    const w = randomWeights(c.cell, seed + 1);
    const batch = randomBatch(seed + 1);
    const state = randomState(c.cell, seed + 1);
    const grads = await deviceGrads(c.cell, w, batch, state);
    const base = flat(w);
    for (const [t, name] of c.cell.weightNames.entries()) {
      const grad = grads[name];
      const scale = Math.max(...Array.from(grad, Math.abs));
      expect(scale, `${name} has a gradient`).toBeGreaterThan(1e-3);
      for (const i of pickCoordinates(grad, 31 * seed + t)) {
        const shifted = (delta: number): number => {
          const moved = Float64Array.from(base[name]);
          moved[i] = (moved[i] as number) + delta;
          return c.reference({ ...base, [name]: moved }, batch, state).loss;
        };
        const numeric = (shifted(STEP) - shifted(-STEP)) / (2 * STEP);
        expect(Math.abs((grad[i] as number) - numeric), `${name}[${i}]`).toBeLessThan(1e-3 * scale + 1e-6);
      }
    }
  });

  it(`${kind}: the model's evaluate carries each lane's state across batches like the reference`, async () => {
    const create = kind === 'lstm' ? createLstmModel : createGruModel;
    const model = create({ ...DIMS, lanes: LANES, seed }, { hidden: DIMS.hidden });
    try {
      const { weights } = await model.readWeights();
      const first = randomBatch(seed + 2);
      const second = randomBatch(seed + 3);
      const zero = Array.from({ length: c.cell.stateCount }, () => new Float64Array(LANES * DIMS.hidden));
      const ref1 = c.reference(flat(weights as HostWeights<CellWeightName<N>>), first, zero);
      const ref2 = c.reference(flat(weights as HostWeights<CellWeightName<N>>), second, ref1.state);
      const e1 = await model.evaluate(first);
      const e2 = await model.evaluate(second);
      expect(Math.abs(e1.loss - ref1.loss)).toBeLessThan(1e-4);
      expect(Math.abs(e2.loss - ref2.loss)).toBeLessThan(1e-4);
      model.resetState();
      expect(Math.abs((await model.evaluate(second)).loss - c.reference(flat(weights as HostWeights<CellWeightName<N>>), second, zero).loss)).toBeLessThan(1e-4);
    } finally {
      model.dispose();
    }
  });
}

describeBackends('gated recurrent cells vs float64 reference', () => {
  cellSpecs(LSTM_CASE, 50);
  cellSpecs(GRU_CASE, 70);
});
