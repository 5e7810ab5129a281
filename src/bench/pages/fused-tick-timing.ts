/**
 * Times one LARA train step (unroll, read-out loss, every gradient, read
 * back) on the fused WebGPU kernels against the same step on tf ops
 * (`fusedKernels: false`), side by side in one page, at growing L with the
 * active set fixed (one thread per lane). Figures only: no assertions.
 * The two alternate and each keeps its fastest step (other work on the
 * machine only slows steps down). Open with ?L=64,256 (default) &reps=5;
 * results land in window.fusedTiming.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { randomLoopyGraph } from '../../engine/graph';
import { asLaraWeights, createTopology, disposeTopology, readoutLoss, unroll } from '../../engine/lara/lara-forward';
import { packGraph } from '../../engine/packing';
import { createRng } from '../../engine/random';
import { oneHotRows, positionsTensor, randomSymbols, randomWeights, weightVariables } from '../../engine/reference/fixtures';
import { REFERENCE_WEIGHTS } from '../../engine/reference/lara-reference';
import { withDispatchCount } from './dispatch-count';

export interface FusedTimingRow {
  readonly L: number;
  readonly H: number;
  readonly B: number;
  readonly ticks: number;
  /** Fastest train step, ms. */
  readonly fusedMs: number;
  readonly opsMs: number;
  readonly fusedDispatches: number;
  readonly opsDispatches: number;
}

declare global {
  interface Window {
    fusedTiming?: { rows: FusedTimingRow[]; error?: string };
  }
}

const H = 16;
const B = 8;
const SYMBOLS = 8;
const D = 5;

/** A train step's work at size L: returns a function running one step and reading every gradient back. */
function trainStep(L: number, fusedKernels: boolean): { step: () => Promise<void>; dispose: () => void } {
  const p = packGraph(randomLoopyGraph({ nodes: L, degree: 4, selfLoops: true, seed: 11, outputDistance: 3 }), false);
  const rng = createRng(11, 3);
  const dims = { H, D, C: D };
  const vars = weightVariables(randomWeights(p, dims, rng), p, dims);
  const topo = createTopology(p, 1);
  const h0 = tf.tidy(() => tf.variable<tf.Rank.R3>(tf.randomUniform([p.L, B, H], 0, 1, 'float32', 5)));
  const inputs = randomSymbols(rng, SYMBOLS * B, D);
  const targets = randomSymbols(rng, SYMBOLS * B, D, 0.25);
  const first = p.inputPositions[0] as number;
  const varList = [...REFERENCE_WEIGHTS.map((n) => vars[n]), h0];
  const step = async (): Promise<void> => {
    const { value, grads } = tf.variableGrads(() => {
      const out = unroll(asLaraWeights(vars), topo, {
        h0,
        q0: positionsTensor(Int32Array.from({ length: B }, () => first), p.L),
        x: tf.tensor2d(oneHotRows(inputs, D), [SYMBOLS * B, D]),
        steps: SYMBOLS,
        thinkTicks: 1,
        gate: 'gaussian',
        exploration: 'epsilon',
        noise: undefined,
        threadStays: false,
        fusedKernels,
      });
      const t = tf.tensor2d(oneHotRows(targets, D), [SYMBOLS * B, D]);
      const w = tf.tensor1d(Float32Array.from(targets, (v) => (v >= 0 ? 1 : 0)));
      return readoutLoss(out.logits, t, w).loss;
    }, varList);
    await Promise.all([value, ...Object.values(grads)].map((g) => g.data()));
    tf.dispose([value, ...Object.values(grads)]);
  };
  return { step, dispose: () => (tf.dispose(varList), disposeTopology(topo)) };
}

/** The fastest of `reps` steps of each run, alternating (after one step each to compile shaders). */
async function fastest(runs: readonly (() => Promise<void>)[], reps: number): Promise<{ ms: number; dispatches: number }[]> {
  for (const run of runs) await run();
  const best = runs.map(() => ({ ms: Infinity, dispatches: 0 }));
  for (let i = 0; i < reps; i++) {
    for (const [k, run] of runs.entries()) {
      const t0 = performance.now();
      const { dispatches } = await withDispatchCount(run);
      const ms = performance.now() - t0;
      const b = best[k] as { ms: number; dispatches: number };
      b.ms = Math.min(b.ms, Math.round(ms * 10) / 10);
      b.dispatches = dispatches;
    }
  }
  return best;
}

void (async () => {
  const out = document.getElementById('out') as HTMLElement;
  const rows: FusedTimingRow[] = [];
  try {
    if (!(await tf.setBackend('webgpu'))) throw new Error('webgpu backend did not start');
    await tf.ready();
    const query = new URLSearchParams(location.search);
    const sizes = (query.get('L') ?? '64,256').split(',').map(Number);
    const reps = Number(query.get('reps') ?? 5);
    for (const L of sizes) {
      const fused = trainStep(L, true);
      const ops = trainStep(L, false);
      const [f, o] = (await fastest([fused.step, ops.step], reps)) as [{ ms: number; dispatches: number }, { ms: number; dispatches: number }];
      fused.dispose();
      ops.dispose();
      rows.push({ L, H, B, ticks: SYMBOLS, fusedMs: f.ms, opsMs: o.ms, fusedDispatches: f.dispatches, opsDispatches: o.dispatches });
      out.textContent = rows.map((r) => JSON.stringify(r)).join('\n');
    }
    window.fusedTiming = { rows };
  } catch (e) {
    window.fusedTiming = { rows, error: e instanceof Error ? e.message : String(e) };
    out.textContent += `\nerror: ${window.fusedTiming.error}`;
  }
})();
