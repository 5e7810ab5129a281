/**
 * Checks the fused WebGPU tick kernels (src/engine/lara/lara-webgpu-tick.ts)
 * against the plain-tfjs unroll on the same backend, in a real browser (Node
 * has no WebGPU). Every case runs unroll + read-out loss under
 * tf.variableGrads twice, fused and with `fusedKernels: false`, and compares
 * outputs, final states, thread positions, visits, the trace and the
 * gradients of every weight table and of the start state; the small cases are
 * also compared with the float64 reference. e2e/webgpu-kernels.spec.ts opens
 * this page and asserts that every case passed.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { randomLoopyGraph } from '../../engine/graph';
import { asLaraWeights, createTopology, disposeTopology, EXPLORE_SCALE, readoutLoss, unroll } from '../../engine/lara/lara-forward';
import { packGraph } from '../../engine/packing';
import { createRng } from '../../engine/random';
import {
  explorationNoise,
  oneHotRows,
  positionsTensor,
  randomSymbols,
  randomWeights,
  relativeError,
  weightVariables,
} from '../../engine/reference/fixtures';
import { caseInput, caseLabel, LARA_CASES, type CaseInput, type LaraCase } from '../../engine/reference/lara-cases';
import { laraReference, REFERENCE_WEIGHTS } from '../../engine/reference/lara-reference';
import { withDispatchCount } from './dispatch-count';

export interface KernelCaseReport {
  readonly label: string;
  readonly ok: boolean;
  /** Largest relative error per compared float quantity, fused against plain tfjs. */
  readonly errors: Record<string, number>;
  readonly failures: string[];
  /** Compute dispatches of each run (unroll, loss and gradients). */
  readonly dispatches: { readonly fused: number; readonly plain: number };
  readonly ms: number;
}

export interface KernelCheckResult {
  readonly adapter: string | null;
  readonly cases: KernelCaseReport[];
  readonly error?: string;
}

declare global {
  interface Window {
    kernelCheck?: KernelCheckResult;
  }
}

/** Fused against plain tfjs (both float32): same math, different summation order. */
const TOLERANCE = 1e-4;
/** Against the float64 reference, as the unit tests compare. */
const REFERENCE_TOLERANCE = { values: 1e-4, grads: 1e-3 };

/** Quantities compared exactly: thread positions and counts. */
const EXACT = ['qT', 'visits', 'activeCount', 'traceThreads', 'traceActive'] as const;
/** Quantities compared within TOLERANCE. */
const CLOSE = ['loss', 'logits', 'hT', 'traceGates', 'traceActivity', ...REFERENCE_WEIGHTS.map((n) => `grad.${n}` as const), 'grad.h0'] as const;
type Quantity = (typeof EXACT)[number] | (typeof CLOSE)[number];
type RunResult = Record<Quantity, Float32Array>;

/** unroll + loss under tf.variableGrads (weights and start state), every result read back. */
async function runUnroll(input: CaseInput, fusedKernels: boolean): Promise<RunResult> {
  const p = input.packing;
  const dims = { H: input.width, D: input.inputSize, C: input.outputSize };
  const B = input.lanes;
  const T = input.inputs.length / B;
  const topo = createTopology(p, input.threads);
  const vars = weightVariables(input.weights, p, dims);
  const h0 = tf.tidy(() => tf.variable(tf.tensor3d(Float32Array.from(input.h0), [p.L, B, dims.H])));
  const varList = [...REFERENCE_WEIGHTS.map((n) => vars[n]), h0];
  const box: { kept?: Partial<Record<Quantity, tf.Tensor>> } = {};
  const { value, grads } = tf.variableGrads(() => {
    const out = unroll(asLaraWeights(vars), topo, {
      h0,
      q0: positionsTensor(input.threads0, p.L),
      x: tf.tensor2d(oneHotRows(input.inputs, dims.D), [T * B, dims.D]),
      steps: T,
      thinkTicks: input.thinkTicks,
      gate: input.gate,
      exploration: input.exploration,
      noise: input.noise ? tf.tensor3d(Float32Array.from(input.noise), [T * input.thinkTicks, B * input.threads, p.K]) : undefined,
      threadStays: input.threadStays ?? false,
      trace: true,
      fusedKernels,
    });
    const targets = tf.tensor2d(oneHotRows(input.targets, dims.C), [T * B, dims.C]);
    const weights = tf.tensor1d(Float32Array.from(input.targets, (t) => (t >= 0 ? 1 : 0)));
    const trace = out.trace as NonNullable<typeof out.trace>;
    box.kept = {
      logits: tf.keep(out.logits),
      hT: tf.keep(out.hT),
      qT: tf.keep(tf.cast(tf.argMax(out.qT, 1), 'float32')),
      visits: tf.keep(out.visits),
      activeCount: tf.keep(out.activeCount),
      traceThreads: tf.keep(tf.cast(trace.threads, 'float32')),
      traceActive: tf.keep(trace.active),
      traceGates: tf.keep(trace.gates),
      traceActivity: tf.keep(trace.activity),
    };
    return readoutLoss(out.logits, targets, weights).loss;
  }, varList);
  const kept = box.kept as Partial<Record<Quantity, tf.Tensor>>;
  const result = {} as RunResult;
  for (const [name, t] of Object.entries(kept) as [Quantity, tf.Tensor][]) result[name] = Float32Array.from(await t.data());
  for (const name of REFERENCE_WEIGHTS) result[`grad.${name}`] = Float32Array.from(await (grads[vars[name].name] as tf.Tensor).data());
  result['grad.h0'] = Float32Array.from(await (grads[h0.name] as tf.Tensor).data());
  result.loss = Float32Array.from(await value.data());
  tf.dispose([value, ...Object.values(grads), ...Object.values(kept), ...varList]);
  disposeTopology(topo);
  return result;
}

/** Fused against plain tfjs; the small cases against the float64 reference too. */
async function checkCase(label: string, input: CaseInput, withReference: boolean): Promise<KernelCaseReport> {
  const started = performance.now();
  const failures: string[] = [];
  const errors: Record<string, number> = {};
  const dispatches = { fused: 0, plain: 0 };
  try {
    const tensorsBefore = tf.memory().numTensors;
    const { value: fused, dispatches: fusedDispatches } = await withDispatchCount(() => runUnroll(input, true));
    dispatches.fused = fusedDispatches;
    const leaked = tf.memory().numTensors - tensorsBefore;
    if (leaked !== 0) failures.push(`fused unroll leaked ${leaked} tensors`);
    const { value: plain, dispatches: plainDispatches } = await withDispatchCount(() => runUnroll(input, false));
    dispatches.plain = plainDispatches;
    // Far fewer dispatches is the sign that the fused path ran at all (the loss, read-out and trace cost both the same).
    if (dispatches.fused * 2 > dispatches.plain) failures.push(`fused path not taken? ${dispatches.fused} vs ${dispatches.plain} dispatches`);
    for (const name of EXACT) {
      if (fused[name].join() !== plain[name].join()) failures.push(`${name}: fused ${fused[name].join()} plain ${plain[name].join()}`);
    }
    for (const name of CLOSE) {
      const e = relativeError(fused[name], plain[name]);
      errors[name] = e;
      if (!(e <= TOLERANCE)) failures.push(`${name}: relative error ${e}`);
    }
    if (withReference) failures.push(...againstReference(input, fused));
  } catch (e) {
    failures.push(`threw: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { label, ok: failures.length === 0, errors, failures, dispatches, ms: Math.round(performance.now() - started) };
}

function againstReference(input: CaseInput, fused: RunResult): string[] {
  const ref = laraReference(input);
  const failures: string[] = [];
  const exact: [string, ArrayLike<number>, ArrayLike<number>][] = [
    ['threadsT', fused.qT, ref.threadsT],
    ['threadTrace', fused.traceThreads, ref.threadTrace],
    ['visits', fused.visits, ref.visits],
    ['activeCount', fused.activeCount, ref.activeCount],
    ['activeTrace', fused.traceActive, ref.activeTrace],
  ];
  for (const [name, a, b] of exact) if (Array.from(a).join() !== Array.from(b).join()) failures.push(`reference ${name}: ${Array.from(a).join()} vs ${Array.from(b).join()}`);
  const close: [string, ArrayLike<number>, ArrayLike<number>, number][] = [
    ['loss', fused.loss, [ref.loss], REFERENCE_TOLERANCE.values],
    ['logits', fused.logits, ref.logits, REFERENCE_TOLERANCE.values],
    ['hT', fused.hT, ref.hT, REFERENCE_TOLERANCE.values],
    ...REFERENCE_WEIGHTS.map((n): [string, ArrayLike<number>, ArrayLike<number>, number] => [`grad.${n}`, fused[`grad.${n}`], ref.grads[n], REFERENCE_TOLERANCE.grads]),
  ];
  for (const [name, a, b, tol] of close) {
    const e = relativeError(a, b);
    if (!(e <= tol)) failures.push(`reference ${name}: relative error ${e}`);
  }
  return failures;
}

/** The lab's default graph size (L=24, K=4, H=16), too big for the scalar reference: fused against plain tfjs only. */
function defaultSizeInput(c: LaraCase, seed: number): CaseInput {
  const packing = packGraph(randomLoopyGraph({ nodes: 24, degree: 4, selfLoops: true, seed, outputDistance: 1 }), c.readAll ?? false);
  const rng = createRng(seed, 7);
  const dims = { H: 16, D: 5, C: 5 };
  const lanes = 4;
  const symbols = 4;
  const rows = lanes * c.threads;
  const first = packing.inputPositions[0] as number;
  return {
    packing,
    width: dims.H,
    inputSize: dims.D,
    outputSize: dims.C,
    weights: randomWeights(packing, dims, rng),
    lanes,
    threads: c.threads,
    h0: Float32Array.from({ length: packing.L * lanes * dims.H }, () => rng.next()),
    threads0: Int32Array.from({ length: rows }, (_, r) => (first + 3 * r) % packing.L),
    inputs: randomSymbols(rng, symbols * lanes, dims.D),
    targets: randomSymbols(rng, symbols * lanes, dims.C, 0.25),
    thinkTicks: c.thinkTicks,
    gate: c.gate,
    exploration: c.noise === 'gumbel' ? 'gumbel' : 'epsilon',
    noise:
      c.noise === 'greedy'
        ? undefined
        : explorationNoise(rng, c.noise, symbols * c.thinkTicks, rows, packing.K, c.noise === 'epsilon' ? 0.3 : 0.5, EXPLORE_SCALE),
    threadStays: c.threadStays ?? false,
  };
}

function cases(): { label: string; input: CaseInput; reference: boolean }[] {
  const list = LARA_CASES.map((c, n) => ({ label: caseLabel(c), input: caseInput(c, 100 + n), reference: true }));
  // Both threads of each lane on one node: the node computes once per lane, not twice.
  const crowded = caseInput({ gate: 'gaussian', thinkTicks: 2, threads: 2, noise: 'greedy' }, 5);
  list.push({ label: 'gaussian, 2 think, 2 threads, greedy, crowded', input: { ...crowded, threads0: [2, 2, 1, 1] }, reference: true });
  const sized: LaraCase[] = [
    { gate: 'gaussian', thinkTicks: 1, threads: 1, noise: 'epsilon' },
    { gate: 'softmax', thinkTicks: 2, threads: 2, noise: 'gumbel' },
    { gate: 'sigmoid', thinkTicks: 2, threads: 1, noise: 'greedy', readAll: true },
  ];
  sized.forEach((c, n) => list.push({ label: `L=24 K=4 H=16 B=4: ${caseLabel(c)}`, input: defaultSizeInput(c, 300 + n), reference: false }));
  return list;
}

void (async () => {
  const out = document.getElementById('out') as HTMLElement;
  const reports: KernelCaseReport[] = [];
  let adapter: string | null = null;
  try {
    if (!(await tf.setBackend('webgpu'))) throw new Error('webgpu backend did not start');
    await tf.ready();
    const a = await navigator.gpu.requestAdapter();
    adapter = a ? [a.info.vendor, a.info.architecture].filter(Boolean).join(' ') : null;
    // ?only=text runs the cases whose label contains it (a quicker loop while working on one kernel).
    const only = new URLSearchParams(location.search).get('only');
    for (const c of cases().filter((k) => only === null || k.label.includes(only))) {
      const report = await checkCase(c.label, c.input, c.reference);
      reports.push(report);
      const worst = (r: KernelCaseReport): string => Math.max(0, ...Object.values(r.errors)).toExponential(1);
      out.textContent = reports
        .map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.label}: max error ${worst(r)}, dispatches ${r.dispatches.fused} vs ${r.dispatches.plain}, ${r.ms} ms${r.ok ? '' : `\n     ${r.failures.join('\n     ')}`}`)
        .join('\n');
    }
    window.kernelCheck = { adapter, cases: reports };
  } catch (e) {
    window.kernelCheck = { adapter, cases: reports, error: e instanceof Error ? e.message : String(e) };
    out.textContent += `\nerror: ${window.kernelCheck.error}`;
  }
})();
