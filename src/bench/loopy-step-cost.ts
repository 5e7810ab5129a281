/**
 * Loopy train-step time as the lab runs it (LoopyTrainer, the lab's defaults: tbptt, 16 lanes, 16 symbols x 3
 * ticks, width 1) at a few sizes on each Node backend, and the per-backend cost model fitted to them by least
 * squares: ms = fixed + a·(node·lane·tick) + b·(edge·lane·tick), with edges = nodes x density (what the Nodes
 * slider's warning predicts, engine/loopy/loopy-step-cost.ts). The median of the timed steps (the worker reports
 * the same `stats.ms`); the first steps (checkpoint, packing caches) are warm-up. One JSON line per size, then
 * per backend the fits to the median and to the fastest step, each with its largest relative error.
 * --cpu-clock times each step by the process's CPU time instead (user + system; a step is single-threaded, so on a
 * busy machine this is close to the wall time it would take alone).
 *   npx tsx src/bench/loopy-step-cost.ts [--backends wasm,cpu] [--sizes 200x4,1000x16,3000x8,10000x4] [--steps 5] [--cpu-clock]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { installFastKernels } from '../engine/kernels/fast-kernels';
import { loopyParamsSchema, type LoopyExperiment } from '../engine/loopy/loopy-params';
import { LoopyTrainer } from '../engine/loopy/loopy-trainer';
import { loopyStepFeatures } from '../engine/loopy/loopy-step-cost';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const backends = (flag('--backends') ?? 'wasm,cpu').split(',') as ('wasm' | 'cpu')[];
const sizes = (flag('--sizes') ?? '200x4,1000x16,3000x8,10000x4').split(',').map((s) => s.split('x').map(Number) as [number, number]);
const steps = Number(flag('--steps') ?? 5);
const cpuClock = argv.includes('--cpu-clock');
const WARMUP = 2;
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Least squares of the relative error for y ≈ X·c (3 columns; rows weighted 1/y, so small sizes count as much as large ones). */
function fit3(X: readonly (readonly [number, number, number])[], y: readonly number[]): [number, number, number] {
  const w = y.map((v) => 1 / (v * v));
  const A = [0, 1, 2].map((i) => [0, 1, 2].map((j) => X.reduce((s, r, k) => s + w[k]! * r[i]! * r[j]!, 0)));
  const b = [0, 1, 2].map((i) => X.reduce((s, r, k) => s + w[k]! * r[i]! * y[k]!, 0));
  // Gaussian elimination with partial pivoting on the 3x3 system.
  for (let c = 0; c < 3; c++) {
    let p = c;
    for (let r = c + 1; r < 3; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[p]![c]!)) p = r;
    [A[c], A[p]] = [A[p]!, A[c]!];
    [b[c], b[p]] = [b[p]!, b[c]!];
    for (let r = c + 1; r < 3; r++) {
      const f = A[r]![c]! / A[c]![c]!;
      for (let k = c; k < 3; k++) A[r]![k]! -= f * A[c]![k]!;
      b[r]! -= f * b[c]!;
    }
  }
  const x = [0, 0, 0];
  for (let r = 2; r >= 0; r--) x[r] = (b[r]! - [0, 1, 2].slice(r + 1).reduce((s, k) => s + A[r]![k]! * x[k]!, 0)) / A[r]![r]!;
  return x as [number, number, number];
}

installFastKernels();
tf.env().set('PROD', true);
for (const backend of backends) {
  await tf.setBackend(backend);
  await tf.ready();
  const X: [number, number, number][] = [];
  const y: number[] = [];
  const yMin: number[] = [];
  for (const [hidden, degree] of sizes) {
    const experiment: LoopyExperiment = { model: 'loopy', task: 'recall', seed: 1, params: loopyParamsSchema.parse({ hidden, degree }) };
    const t = LoopyTrainer.create(experiment);
    const ms: number[] = [];
    for (let i = 0; i < WARMUP + steps; i++) {
      const cpu0 = cpuMs();
      const r = await t.trainStep();
      if (i >= WARMUP) ms.push(cpuClock ? cpuMs() - cpu0 : r.stats.ms);
    }
    const edges = t.currentGraph.edges.length;
    t.dispose();
    const f = loopyStepFeatures(experiment.params);
    X.push([1, f.nodeTicks, f.edgeTicks]);
    y.push(median(ms));
    yMin.push(Math.min(...ms));
    console.log(JSON.stringify({ bench: 'loopy-step-cost', clock: cpuClock ? 'cpu' : 'wall', backend, hidden, degree, edges, steps, medianMs: Number(median(ms).toFixed(1)), minMs: Number(Math.min(...ms).toFixed(1)), maxMs: Number(Math.max(...ms).toFixed(1)) }));
  }
  // The median is what a user sees; the fastest step is what the machine does undisturbed by other processes.
  for (const [of, ys] of [['median', y], ['fastest', yMin]] as const) {
    const [fixedMs, perNode, perEdge] = fit3(X, ys);
    const worst = Math.max(...X.map((r, k) => Math.abs(fixedMs + perNode * r[1] + perEdge * r[2] - ys[k]!) / ys[k]!));
    console.log(JSON.stringify({ bench: 'loopy-step-cost-fit', clock: cpuClock ? 'cpu' : 'wall', backend, of, fixedMs: Number(fixedMs.toFixed(1)), nsPerNodeTick: Number((perNode * 1e6).toFixed(1)), nsPerEdgeTick: Number((perEdge * 1e6).toFixed(1)), worstRelativeError: Number(worst.toFixed(3)) }));
  }
}
