/**
 * The active-only tick against the float64 reference (lara-reference.ts) and
 * against the dense masked unroll: loss, final states, thread moves, visit and
 * activity counts, and every weight gradient, on every reference case whose
 * routing has something to skip (all-active always runs dense).
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { LARA_ABLATION_CASES, LARA_CASES, CASE_DIMS, caseInput, caseLabel, type CaseInput } from '../reference/lara-cases';
import { asLaraWeights, oneHotRows, positionsTensor, weightVariables } from '../reference/fixtures';
import { laraReference, REFERENCE_WEIGHTS, type ReferenceWeightName } from '../reference/lara-reference';
import { describeBackends } from '../testing/backends';
import { setActiveRowKernels } from './lara-active-rows';
import { activeTickApplies } from './lara-active-tick';
import { createTopology, disposeTopology, readoutLoss, unroll, type UnrollInput } from './lara-forward';
import type { TickKind } from './lara-params';

interface Run {
  readonly loss: number;
  readonly hT: Float32Array;
  readonly threadsT: Int32Array;
  readonly visits: Float32Array;
  readonly activeCount: Float32Array;
  readonly grads: Partial<Record<ReferenceWeightName | 'nodeBias', Float32Array>>;
}

/** unroll + readoutLoss under tf.variableGrads with the given tick and no trace (a trace runs dense). */
async function runTick(input: CaseInput, tick: TickKind, oneHotGathers: boolean): Promise<Run> {
  const p = input.packing;
  const { L, K } = p;
  const { H, D, C } = CASE_DIMS;
  const B = input.lanes;
  const T = input.inputs.length / B;
  const topo = createTopology(p, input.threads, oneHotGathers);
  const vars = weightVariables(input.weights, p, CASE_DIMS);
  const nodeBias = input.weights.nodeBias ? tf.tidy(() => tf.variable(tf.tensor2d(input.weights.nodeBias as Float32Array, [L, H]))) : null;
  const varList = [...REFERENCE_WEIGHTS.map((n) => vars[n]), ...(nodeBias ? [nodeBias] : [])];
  const box: { kept?: tf.Tensor[] } = {};
  const { value, grads } = tf.variableGrads(() => {
    const out = unroll(asLaraWeights(nodeBias ? { ...vars, nodeBias } : vars), topo, {
      h0: tf.tensor3d(Float32Array.from(input.h0), [L, B, H]),
      q0: positionsTensor(input.threads0, L),
      x: tf.tensor2d(oneHotRows(input.inputs, D), [T * B, D]),
      steps: T,
      thinkTicks: input.thinkTicks,
      gate: input.gate,
      exploration: input.exploration,
      noise: input.noise ? tf.tensor3d(Float32Array.from(input.noise), [T * input.thinkTicks, B * input.threads, K]) : undefined,
      threadStays: input.threadStays ?? false,
      routing: input.laraRouting ?? 'argmax',
      tick,
    });
    const targets = tf.tensor2d(oneHotRows(input.targets, C), [T * B, C]);
    const weights = tf.tensor1d(Float32Array.from(input.targets, (t) => (t >= 0 ? 1 : 0)));
    box.kept = [out.hT, tf.argMax(out.qT, 1), out.visits, out.activeCount].map((t) => tf.keep(t));
    return readoutLoss(out.logits, targets, weights).loss;
  }, varList);
  const kept = box.kept as tf.Tensor[];
  const [hT, threadsT, visits, activeCount] = await Promise.all(kept.map((t) => t.data()));
  const out: Run['grads'] = {};
  for (const name of REFERENCE_WEIGHTS) out[name] = (await (grads[vars[name].name] as tf.Tensor).data()) as Float32Array;
  if (nodeBias) out.nodeBias = (await (grads[nodeBias.name] as tf.Tensor).data()) as Float32Array;
  const loss = (await value.data())[0] as number;
  tf.dispose([value, ...Object.values(grads), ...kept, ...varList]);
  disposeTopology(topo);
  return {
    loss,
    hT: hT as Float32Array,
    threadsT: Int32Array.from(threadsT as Int32Array),
    visits: visits as Float32Array,
    activeCount: activeCount as Float32Array,
    grads: out,
  };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

function scaleOf(a: ArrayLike<number>): number {
  return Math.max(1e-6, ...Array.from(a, Math.abs));
}

const CASES = [...LARA_CASES, ...LARA_ABLATION_CASES].filter((c) => (c.routing ?? 'argmax') !== 'all-active');

describeBackends('LARA active-only tick', () => {
  it('applies by default, not under all-active routing or a trace', () => {
    const base: UnrollInput = {
      h0: tf.zeros([1, 1, 1]) as tf.Tensor3D,
      q0: tf.zeros([1, 1]) as tf.Tensor2D,
      x: tf.zeros([1, 1]) as tf.Tensor2D,
      steps: 1,
      thinkTicks: 1,
      gate: 'gaussian',
      exploration: 'epsilon',
    };
    expect(activeTickApplies(base)).toBe(true);
    expect(activeTickApplies({ ...base, tick: 'dense' })).toBe(false);
    expect(activeTickApplies({ ...base, routing: 'all-active' })).toBe(false);
    expect(activeTickApplies({ ...base, trace: true })).toBe(false);
    tf.dispose([base.h0, base.q0, base.x]);
  });

  CASES.forEach((c, n) => {
    it(`${caseLabel(c)}: equals the reference and the dense tick`, async () => {
      const input = caseInput(c, 500 + n);
      const ref = laraReference(input);
      const before = tf.memory().numTensors;
      const dense = await runTick(input, 'dense', n % 2 === 0);
      // Both topologies, and the row kernels against their plain-tfjs formulation (the webgpu path).
      for (const [oneHot, kernels] of [[true, true], [false, true], [n % 2 === 0, false]] as const) {
        setActiveRowKernels(kernels);
        const active = await runTick(input, 'active', oneHot);
        setActiveRowKernels(true);
        expect(Array.from(active.threadsT)).toEqual(Array.from(ref.threadsT));
        expect(Array.from(active.visits)).toEqual(Array.from(ref.visits));
        expect(Array.from(active.activeCount)).toEqual(Array.from(ref.activeCount));
        expect(Math.abs(active.loss - ref.loss)).toBeLessThan(1e-5 * Math.max(1, ref.loss));
        expect(maxDiff(active.hT, ref.hT)).toBeLessThan(1e-5 * scaleOf(ref.hT));
        expect(maxDiff(active.hT, dense.hT)).toBeLessThan(1e-5 * scaleOf(dense.hT));
        expect(Math.abs(active.loss - dense.loss)).toBeLessThan(1e-5 * Math.max(1, dense.loss));
        for (const [name, g] of Object.entries(ref.grads)) {
          const key = name as ReferenceWeightName | 'nodeBias';
          const a = active.grads[key] as Float32Array;
          expect(maxDiff(a, g), `${name} vs reference`).toBeLessThan(1e-4 * scaleOf(g));
          expect(maxDiff(a, dense.grads[key] as Float32Array), `${name} vs dense`).toBeLessThan(1e-4 * scaleOf(g));
        }
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});
