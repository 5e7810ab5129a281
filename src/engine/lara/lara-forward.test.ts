/**
 * The packed tensor unroll against the plain-TS reference (float64 scalar
 * loops): values, routing, visits and gradients, for every gate kind, think
 * ticks, thread counts and exploration noise.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { packGraph } from '../packing';
import { relativeError, twoPortGraph } from '../reference/fixtures';
import {
  caseInput,
  caseLabel,
  CASE_DIMS,
  CASE_LANES,
  CASE_SYMBOLS,
  LARA_ABLATION_CASES,
  LARA_CASES,
  runDevice,
  type CaseInput,
  type DeviceResult,
} from '../reference/lara-cases';
import { laraReference, REFERENCE_WEIGHTS, type ReferenceResult } from '../reference/lara-reference';
import { describeBackends } from '../testing/backends';
import { createTopology, disposeTopology, startPositions } from './lara-forward';

const CASES = [...LARA_CASES, ...LARA_ABLATION_CASES];
const seedOf = (n: number): number => 100 + n;

/** Whether two threads of one lane ever start a tick on the same node. */
function crowded(r: ReferenceResult, threads: number): boolean {
  const rows = CASE_LANES * threads;
  for (let at = 0; at < r.threadTrace.length; at += rows) {
    for (let b = 0; b < CASE_LANES; b++) {
      const here = r.threadTrace.subarray(at + b * threads, at + (b + 1) * threads);
      if (new Set(here).size < threads) return true;
    }
  }
  return false;
}

function expectMatch(dev: DeviceResult, ref: ReferenceResult, mask: Float32Array): void {
  expect(Math.abs(dev.loss - ref.loss) / Math.abs(ref.loss)).toBeLessThan(1e-4);
  expect(relativeError(dev.logits, ref.logits)).toBeLessThan(1e-4);
  expect(relativeError(dev.hT, ref.hT)).toBeLessThan(1e-4);
  expect(Array.from(dev.threadTrace)).toEqual(Array.from(ref.threadTrace));
  expect(Array.from(dev.threadsT)).toEqual(Array.from(ref.threadsT));
  expect(Array.from(dev.visits)).toEqual(Array.from(ref.visits));
  expect(Array.from(dev.activeCount)).toEqual(Array.from(ref.activeCount));
  expect(Array.from(dev.activeTrace)).toEqual(Array.from(ref.activeTrace));
  for (const name of REFERENCE_WEIGHTS) {
    const refGrad = ref.grads[name];
    // A vanishing reference gradient would make the comparison vacuous.
    expect(Math.max(...Array.from(refGrad, Math.abs)), `${name} gradient is not zero`).toBeGreaterThan(1e-3);
    expect(relativeError(dev.grads[name], refGrad), `${name} gradient`).toBeLessThan(1e-3);
  }
  expect(dev.grads.nodeBias === undefined).toBe(ref.grads.nodeBias === undefined);
  if (ref.grads.nodeBias) {
    expect(Math.max(...Array.from(ref.grads.nodeBias, Math.abs)), 'nodeBias gradient is not zero').toBeGreaterThan(1e-3);
    expect(relativeError(dev.grads.nodeBias as Float32Array, ref.grads.nodeBias), 'nodeBias gradient').toBeLessThan(1e-3);
  }
  // Padding slots (random weights in the fixtures) take no part: exactly zero gradient.
  const H = CASE_DIMS.H;
  expect(Array.from(mask)).toContain(0);
  mask.forEach((m, slot) => {
    if (m > 0) return;
    expect(dev.grads.edgeW.subarray(slot * H * H, (slot + 1) * H * H).every((g) => g === 0)).toBe(true);
    expect(dev.grads.gateU.subarray(slot * H, (slot + 1) * H).every((g) => g === 0)).toBe(true);
    expect(dev.grads.gateV.subarray(slot * H, (slot + 1) * H).every((g) => g === 0)).toBe(true);
  });
}

describeBackends('LARA unroll vs plain-TS reference', () => {
  it('argMax breaks ties towards the first index (routing relies on it)', async () => {
    const i = tf.argMax(tf.tensor2d([0.5, 0.9, 0.9, 0.1, 0.2, 0.2, 0.2, 0.2], [2, 4]), 1);
    expect(Array.from(await i.data())).toEqual([1, 0]);
    i.dispose();
  });

  for (const dense of [true, false]) {
    CASES.forEach((c, n) => {
      const input = caseInput(c, seedOf(n));
      const expected = laraReference(input);
      it(`${caseLabel(c)}, ${dense ? 'one-hot matmuls' : 'gathers'}`, async () => {
        expectMatch(await runDevice(input, dense), expected, input.packing.mask);
      });
    });
  }

  it('the cases exercise routing: threads move, crowd and explore', () => {
    const results = CASES.map((c, n) => laraReference(caseInput(c, seedOf(n))));
    // Most cases visit at least three distinct nodes.
    expect(results.filter((r) => new Set(r.threadTrace).size >= 3).length).toBeGreaterThan(CASES.length / 2);
    expect(CASES.some((c, n) => c.threads > 1 && !crowded(results[n] as ReferenceResult, c.threads))).toBe(true);
  });

  it('zero states tie every gate on the first tick and the thread takes slot 0', () => {
    const input = caseInput({ gate: 'gaussian', thinkTicks: 1, threads: 1, noise: 'greedy', zeroState: true }, 1);
    const r = laraReference(input);
    const p = input.packing;
    const start = r.threadTrace[0] as number;
    expect(r.threadTrace[CASE_LANES]).toBe(p.source[start * p.K]);
  });

  // Two threads on one node make it active once: a cast to bool on wasm would keep the 2 (and double gradients).
  it('activeCount counts (tick, lane) pairs, not threads', async () => {
    const input = caseInput({ gate: 'gaussian', thinkTicks: 2, threads: 2, noise: 'greedy' }, 5);
    const crowdedInput = { ...input, threads0: [2, 2, 1, 1] }; // both threads of each lane on one node
    const expected = laraReference(crowdedInput);
    const actual = await runDevice(crowdedInput);
    expect(Array.from(actual.activeTrace)).toEqual(Array.from(expected.activeTrace));
    expect(Array.from(actual.activeCount)).toEqual(Array.from(expected.activeCount));
  });

  it("random-walk routes ignore the gate weights; argmax routes follow them", () => {
    const moveGates = (input: CaseInput): CaseInput => ({
      ...input,
      weights: { ...input.weights, gateU: input.weights.gateU.map((x) => -2 * x + 0.3), gateV: input.weights.gateV.map((x) => 1.5 * x - 0.7) },
    });
    const walk = caseInput({ gate: 'gaussian', thinkTicks: 2, threads: 2, noise: 'greedy', routing: 'random-walk' }, 41);
    expect(Array.from(laraReference(moveGates(walk)).threadTrace)).toEqual(Array.from(laraReference(walk).threadTrace));
    const argmax = caseInput({ gate: 'gaussian', thinkTicks: 2, threads: 2, noise: 'greedy' }, 41);
    expect(Array.from(laraReference(moveGates(argmax)).threadTrace)).not.toEqual(Array.from(laraReference(argmax).threadTrace));
  });

  it('random-walk routes ignore the gate weights on the device too', async () => {
    const walk = caseInput({ gate: 'sigmoid', thinkTicks: 1, threads: 1, noise: 'greedy', routing: 'random-walk' }, 43);
    const moved = { ...walk, weights: { ...walk.weights, gateU: walk.weights.gateU.map((x) => 3 * x), gateV: walk.weights.gateV.map((x) => -x) } };
    const [a, b] = [await runDevice(walk), await runDevice(moved)];
    expect(Array.from(b.threadTrace)).toEqual(Array.from(a.threadTrace));
    expect(a.loss).not.toBe(b.loss); // the gates still scale the messages
  });

  it('a random walk visits the slots of a host about uniformly', () => {
    // Long walk on one lane: count how often each routable slot of each host is taken.
    const base = caseInput({ gate: 'gaussian', thinkTicks: 4, threads: 1, noise: 'greedy', routing: 'random-walk' }, 47);
    const p = base.packing;
    const ticks = 4 * CASE_SYMBOLS;
    const counts = new Map<string, number>();
    const totals = new Map<number, number>();
    for (let run = 0; run < 150; run++) {
      const input = caseInput({ gate: 'gaussian', thinkTicks: 4, threads: 1, noise: 'greedy', routing: 'random-walk' }, 1000 + run);
      const r = laraReference(input);
      for (let t = 0; t + 1 < ticks; t++) {
        const from = r.threadTrace[t * CASE_LANES] as number;
        const to = r.threadTrace[(t + 1) * CASE_LANES] as number;
        counts.set(`${from}>${to}`, (counts.get(`${from}>${to}`) ?? 0) + 1);
        totals.set(from, (totals.get(from) ?? 0) + 1);
      }
    }
    let checked = 0;
    for (let a = 0; a < p.L; a++) {
      const total = totals.get(a) ?? 0;
      // Routable sources of a: real slots, self-loop only when there is no other source (threadStays off).
      const sources = new Set<number>();
      for (let s = 0; s < p.K; s++) if ((p.mask[a * p.K + s] as number) > 0 && p.source[a * p.K + s] !== a) sources.add(p.source[a * p.K + s] as number);
      if (total < 200 || sources.size < 2) continue;
      for (const b of sources) {
        const share = (counts.get(`${a}>${b}`) ?? 0) / total;
        expect(Math.abs(share - 1 / sources.size), `host ${a} -> ${b}`).toBeLessThan(0.1);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('all-active: every node computes every tick of every lane', () => {
    const input = caseInput({ gate: 'gaussian', thinkTicks: 2, threads: 1, noise: 'greedy', routing: 'all-active' }, 51);
    const r = laraReference(input);
    expect(Array.from(r.activeCount)).toEqual(new Array(input.packing.L).fill(2 * CASE_SYMBOLS * CASE_LANES));
    // Threads still move (for display).
    expect(new Set(r.threadTrace).size).toBeGreaterThan(1);
  });

  it('bias: zero biases equal no bias exactly; nonzero biases change the loss', async () => {
    const off = caseInput({ gate: 'gaussian', thinkTicks: 2, threads: 1, noise: 'epsilon' }, 53);
    const zero = { ...off, weights: { ...off.weights, nodeBias: new Float32Array(off.packing.L * CASE_DIMS.H) } };
    const on = { ...off, weights: { ...off.weights, nodeBias: new Float32Array(off.packing.L * CASE_DIMS.H).fill(0.3) } };
    const [dOff, dZero, dOn] = [await runDevice(off), await runDevice(zero), await runDevice(on)];
    expect(Array.from(dZero.logits)).toEqual(Array.from(dOff.logits));
    expect(dZero.loss).toBe(dOff.loss);
    expect(Array.from(dZero.grads.edgeW)).toEqual(Array.from(dOff.grads.edgeW));
    expect(Math.abs(dOn.loss - dOff.loss)).toBeGreaterThan(1e-3);
    expect(laraReference(zero).loss).toBe(laraReference(off).loss);
  });

  it('startPositions puts the threads on the input nodes in turn', async () => {
    const topo = createTopology(packGraph(twoPortGraph(), false), 3);
    const q = startPositions(topo, 2);
    const at = tf.argMax(q, 1);
    // Input nodes sit at positions 0 and 3.
    expect(Array.from(await at.data())).toEqual([0, 3, 0, 0, 3, 0]);
    tf.dispose([q, at]);
    disposeTopology(topo);
  });
});
