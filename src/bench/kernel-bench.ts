/**
 * The kernel replacements (src/engine/kernels) against tfjs's own kernels, side by
 * side in one process, rounds alternating plain and fast so machine load hits both:
 *   - BatchMatMul GFLOP/s at LARA's message shape and its two gradient forms, beside
 *     an untransposed 2-D matmul of the same FLOPs (the machine's fast path);
 *   - row gathers (forward, and forward + backward) at L = 1,000..10,000 rows:
 *     gatherRows vs tf.gather vs the one-hot matmul;
 *   - LARA (L = 64, H = 64, K = 2, B = 32, 16 ticks) and an LSTM of the same parameter
 *     count: train steps/s with plain vs fast kernels, and their losses step by step.
 * CLI: npx tsx src/bench/kernel-bench.ts [--backend wasm|cpu] [--rounds N] [--quick] [--only matmul,gather,models]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createLstmModel } from '../engine/baselines/lstm';
import { gatherRows } from '../engine/kernels/gather-rows';
import { installFastKernels } from '../engine/kernels/fast-kernels';
import { LaraTrainer, type LaraExperiment } from '../engine/lara/lara-trainer';
import { createRng, deriveSeed } from '../engine/random';
import { createTaskStream, taskSizes } from '../engine/tasks/task-registry';
import { BENCH_EXPERIMENT, round } from './engine-vs-naive';

export type KernelBenchBackend = 'wasm' | 'cpu';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

function randomTensor(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.next() * 2 - 1), shape);
}

/** Milliseconds per call of `f`, `reps` calls in a row (results disposed), after one warm-up call. */
async function msPerCall(f: () => tf.Tensor | tf.Tensor[], reps: number): Promise<number> {
  const once = async (): Promise<void> => {
    const out = tf.tidy(f);
    const list = Array.isArray(out) ? out : [out];
    await (list[0] as tf.Tensor).data(); // the backends here run synchronously; this also syncs a GPU one
    tf.dispose(list);
  };
  await once();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await once();
  return (performance.now() - t0) / reps;
}

/** Median ms per call of each variant; variants alternate within every round. */
async function sideBySide(variants: Array<{ plain: boolean; f: () => tf.Tensor | tf.Tensor[] }>, rounds: number, reps: number): Promise<number[]> {
  const ms: number[][] = variants.map(() => []);
  for (let r = 0; r < rounds; r++)
    for (const [i, v] of variants.entries()) {
      installFastKernels({ plain: v.plain });
      (ms[i] as number[]).push(await msPerCall(v.f, reps));
    }
  installFastKernels({ plain: false });
  return ms.map(median);
}

interface MatMulCase {
  name: string;
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
  /** b is a weight reused over ticks (its packed copy is cached) rather than a fresh activation (uploaded anew each call, in both variants). */
  reusedB: boolean;
}

/** LARA's per-host message product [L, B, K*H] x [L, K*H, H] at L = 64, B = 32, K*H = 128, H = 64, and the shapes of its gradients. */
const MATMUL_CASES: MatMulCase[] = [
  { name: 'forward [64,32,128] x W [64,128,64]', a: [64, 32, 128], b: [64, 128, 64], transposeA: false, transposeB: false, reusedB: true },
  { name: 'forward, fresh b', a: [64, 32, 128], b: [64, 128, 64], transposeA: false, transposeB: false, reusedB: false },
  { name: 'dA: dY [64,32,64] x W^T [64,128,64]', a: [64, 32, 64], b: [64, 128, 64], transposeA: false, transposeB: true, reusedB: true },
  { name: 'dW: A^T [64,32,128] x dY [64,32,64]', a: [64, 32, 128], b: [64, 32, 64], transposeA: true, transposeB: false, reusedB: false },
  { name: '2-D dW: X^T [2048,128] x dY [2048,64]', a: [2048, 128], b: [2048, 64], transposeA: true, transposeB: false, reusedB: false },
  { name: '2-D dX: dY [2048,64] x W^T [128,64]', a: [2048, 64], b: [128, 64], transposeA: false, transposeB: true, reusedB: true },
];

function matMulFlops(c: MatMulCase): number {
  const ra = c.a.length;
  const M = (c.transposeA ? c.a[ra - 1] : c.a[ra - 2]) as number;
  const K = (c.transposeA ? c.a[ra - 2] : c.a[ra - 1]) as number;
  const N = (c.transposeB ? c.b[c.b.length - 2] : c.b[c.b.length - 1]) as number;
  const batch = c.a.slice(0, -2).reduce((x, y) => x * y, 1);
  return 2 * batch * M * K * N;
}

export async function benchMatMul(rounds: number, reps: number): Promise<object[]> {
  const rows: object[] = [];
  for (const [i, c] of MATMUL_CASES.entries()) {
    const a = randomTensor(c.a, 10 + i);
    const b = randomTensor(c.b, 20 + i);
    const flops = matMulFlops(c);
    // A 2-D untransposed product of the same FLOPs: [rows, 128] x [128, 64].
    const refRows = Math.round(flops / (2 * 128 * 64));
    const ra = randomTensor([refRows, 128], 30 + i);
    const rb = randomTensor([128, 64], 40 + i);
    const bValues = (await b.data()) as Float32Array;
    const mm = c.reusedB ? (): tf.Tensor => tf.matMul(a, b, c.transposeA, c.transposeB) : (): tf.Tensor => tf.matMul(a, tf.tensor(bValues, c.b), c.transposeA, c.transposeB);
    const [plainMs, fastMs, refMs] = (await sideBySide(
      [
        { plain: true, f: mm },
        { plain: false, f: mm },
        { plain: true, f: () => tf.matMul(ra, rb) },
      ],
      rounds,
      reps,
    )) as [number, number, number];
    const gflops = (ms: number): number => round(flops / (ms * 1e6), 2);
    rows.push({
      bench: 'kernel-batch-matmul',
      backend: tf.getBackend(),
      shape: c.name,
      reusedB: c.reusedB,
      mflop: round(flops / 1e6, 1),
      plainGflops: gflops(plainMs),
      fastGflops: gflops(fastMs),
      speedup: round(plainMs / fastMs, 2),
      reference2dGflops: gflops(refMs),
      fastOfReference: round(refMs / fastMs, 2),
    });
    tf.dispose([a, b, ra, rb]);
  }
  return rows;
}

/** The one-hot product lara-forward.ts uses for gathers: rows [R, N] x x [N, M], gradient via the stored transpose. */
function oneHotGather(rows: tf.Tensor2D, rowsT: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((v) => ({ value: tf.matMul(rows, v as tf.Tensor2D), gradFunc: (dy) => tf.matMul(rowsT, dy as tf.Tensor2D) }));
  return f(x) as tf.Tensor2D;
}

/** tf.gather with lara-forward.ts's gradient (tfjs-wasm has no UnsortedSegmentSum): gather dy rows through a padded reverse table and sum. */
function reverseTable(index: Int32Array, n: number): { table: tf.Tensor1D; width: number } {
  const lists: number[][] = Array.from({ length: n }, () => []);
  index.forEach((src, r) => (lists[src] as number[]).push(r));
  const width = Math.max(1, ...lists.map((l) => l.length));
  const table = new Int32Array(n * width).fill(index.length); // index.length = the zero row
  lists.forEach((l, i) => l.forEach((r, j) => (table[i * width + j] = r)));
  return { table: tf.tensor1d(table, 'int32'), width };
}

function tfGather(index: tf.Tensor1D, reverse: { table: tf.Tensor1D; width: number }, n: number, x: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((v) => ({
    value: tf.gather(v as tf.Tensor2D, index),
    gradFunc: (dy) => {
      const m = (dy as tf.Tensor2D).shape[1];
      const padded = tf.concat([dy as tf.Tensor2D, tf.zeros([1, m])]);
      return tf.sum(tf.reshape(tf.gather(padded, reverse.table), [n, reverse.width, m]), 1);
    },
  }));
  return f(x) as tf.Tensor2D;
}

/** Loopy-network style gathers: x [L, 32] (one row per neuron, batch 32), 11 incoming edges per neuron. */
export async function benchGather(rounds: number, reps: number, sizes: readonly number[]): Promise<object[]> {
  const rows: object[] = [];
  const M = 32;
  const degree = 11;
  for (const L of sizes) {
    const R = L * degree;
    const rng = createRng(deriveSeed(L, 'gather-bench'));
    const idx = Int32Array.from({ length: R }, () => Math.floor(rng.next() * L));
    const index = tf.tensor1d(idx, 'int32');
    const x = randomTensor([L, M], L) as tf.Tensor2D;
    const w = randomTensor([R, M], L + 1);
    const reverse = reverseTable(idx, L);
    // The one-hot matrices only where they fit in memory (R x L floats each).
    const oneHotFits = R * L <= 3e7;
    const oneHot = oneHotFits ? tf.tidy(() => tf.oneHot(index, L).toFloat() as tf.Tensor2D) : null;
    const oneHotT = oneHot ? tf.transpose(oneHot) : null;
    const train = (g: (v: tf.Tensor2D) => tf.Tensor2D) => (): tf.Tensor => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(g(v as tf.Tensor2D), w)))(x);
    const variants = [
      { name: 'gatherRows', fwd: () => gatherRows(x, index), bwd: train((v) => gatherRows(v, index)) },
      { name: 'tf.gather', fwd: () => tf.gather(x, index), bwd: train((v) => tfGather(index, reverse, L, v)) },
      ...(oneHot && oneHotT ? [{ name: 'one-hot matmul', fwd: () => tf.matMul(oneHot, x), bwd: train((v) => oneHotGather(oneHot, oneHotT, v)) }] : []),
    ];
    const fwd = await sideBySide(variants.map((v) => ({ plain: false, f: v.fwd })), rounds, reps);
    const both = await sideBySide(variants.map((v) => ({ plain: false, f: v.bwd })), rounds, reps);
    const ms = (xs: number[], i: number): number | null => (xs[i] === undefined ? null : round(xs[i], 4));
    const ratio = (xs: number[], i: number): number | null => (xs[i] === undefined ? null : round((xs[i]) / (xs[0] as number), 2));
    rows.push({
      bench: 'kernel-gather-rows',
      backend: tf.getBackend(),
      rows: L,
      gathered: R,
      width: M,
      forwardMs: { gatherRows: ms(fwd, 0), tfGather: ms(fwd, 1), oneHot: ms(fwd, 2) },
      trainMs: { gatherRows: ms(both, 0), tfGather: ms(both, 1), oneHot: ms(both, 2) },
      nsPerElementForward: round(((fwd[0] as number) * 1e6) / (R * M), 2),
      speedupForward: { vsTfGather: ratio(fwd, 1), vsOneHot: ratio(fwd, 2) },
      speedupTrain: { vsTfGather: ratio(both, 1), vsOneHot: ratio(both, 2) },
    });
    tf.dispose([index, x, w, reverse.table, ...(oneHot ? [oneHot] : []), ...(oneHotT ? [oneHotT] : [])]);
  }
  return rows;
}

interface Stepper {
  step(): Promise<number>;
  dispose(): void;
}

/** Two copies of one model, one always stepped on plain kernels, one on fast; rounds alternate. */
async function plainVsFast(make: () => Stepper, steps: number): Promise<{ plainStepsPerSecond: number; fastStepsPerSecond: number; speedup: number; maxLossDiff: number; firstLoss: number }> {
  const plain = make();
  const fast = make();
  const plainMs: number[] = [];
  const fastMs: number[] = [];
  let maxLossDiff = 0;
  let firstLoss = NaN;
  const timed = async (m: Stepper, plainKernels: boolean): Promise<[number, number]> => {
    installFastKernels({ plain: plainKernels });
    const t0 = performance.now();
    const loss = await m.step();
    return [loss, performance.now() - t0];
  };
  for (let s = 0; s <= steps; s++) {
    // Which copy goes first alternates, so neither always follows the other's garbage.
    let lp: number, tp: number, lf: number, tf_: number;
    if (s % 2 === 0) {
      [lp, tp] = await timed(plain, true);
      [lf, tf_] = await timed(fast, false);
    } else {
      [lf, tf_] = await timed(fast, false);
      [lp, tp] = await timed(plain, true);
    }
    installFastKernels({ plain: false });
    maxLossDiff = Math.max(maxLossDiff, Math.abs(lp - lf));
    if (s === 0) {
      firstLoss = lp;
      continue; // warm-up: operators get created and cached
    }
    plainMs.push(tp);
    fastMs.push(tf_);
  }
  plain.dispose();
  fast.dispose();
  const p = 1000 / median(plainMs);
  const f = 1000 / median(fastMs);
  return { plainStepsPerSecond: round(p), fastStepsPerSecond: round(f), speedup: round(f / p, 2), maxLossDiff, firstLoss: round(firstLoss, 5) };
}

/** LSTM hidden size with about `params` parameters (4H(I+H+1) + H*O + O), capped at the schema's 512. */
function lstmHiddenFor(params: number, inputSize: number, outputSize: number): number {
  let h = 1;
  while (h < 512 && 4 * (h + 1) * (inputSize + h + 2) + (h + 1) * outputSize + outputSize <= params) h++;
  return h;
}

export async function benchModels(steps: number): Promise<object[]> {
  const exp = BENCH_EXPERIMENT;
  const p = exp.params;
  const probe = LaraTrainer.create(exp);
  const model = await probe.exportModel();
  probe.dispose();
  const laraParams = Object.values(model.tables).reduce((n, t) => n + [...t.rows.values()].reduce((m, r) => m + r.length, 0), 0);
  const laraOf = (e: LaraExperiment) => async () =>
    await plainVsFast(() => {
      const t = LaraTrainer.create(e);
      return { step: async () => (await t.trainStep()).stats.loss, dispose: () => t.dispose() };
    }, steps);
  const lara = await laraOf(exp)();
  const dense = await laraOf({ ...exp, params: { ...p, tick: 'dense' } })();
  const sizes = taskSizes(exp.task);
  const hidden = lstmHiddenFor(laraParams, sizes.inputSize, sizes.outputSize);
  const lstm = await plainVsFast(() => {
    const m = createLstmModel({ ...sizes, lanes: p.batch, seed: exp.seed }, { hidden, gradClip: 0 });
    const stream = createTaskStream(exp.task, p.batch, exp.seed, deriveSeed(exp.seed, 'train'));
    return { step: async () => (await m.train(stream.next(p.window))).loss, dispose: () => m.dispose() };
  }, steps);
  const config = `L=${p.nodes} H=${p.width} in-degree=${p.degree} batch=${p.batch} ticks=${p.window * p.thinkTicks}`;
  return [
    { bench: 'kernel-model-steps', backend: tf.getBackend(), model: 'lara', tick: p.tick, config, params: laraParams, steps, ...lara },
    { bench: 'kernel-model-steps', backend: tf.getBackend(), model: 'lara', tick: 'dense', config, params: laraParams, steps, ...dense },
    { bench: 'kernel-model-steps', backend: tf.getBackend(), model: 'lstm', config: `hidden=${hidden} batch=${p.batch} window=${p.window}`, params: 4 * hidden * (sizes.inputSize + hidden + 1) + hidden * sizes.outputSize + sizes.outputSize, steps, ...lstm },
    { bench: 'kernel-lara-vs-lstm', backend: tf.getBackend(), plainRatio: round(lara.plainStepsPerSecond / lstm.plainStepsPerSecond, 2), fastRatio: round(lara.fastStepsPerSecond / lstm.fastStepsPerSecond, 2), denseFastRatio: round(dense.fastStepsPerSecond / lstm.fastStepsPerSecond, 2), note: 'LARA steps/s over LSTM steps/s at the same parameter count' },
  ];
}

export interface KernelBenchOptions {
  backend?: KernelBenchBackend;
  quick?: boolean;
  rounds?: number;
  /** Which figures (default all). */
  parts?: readonly KernelBenchPart[];
}

export const KERNEL_BENCH_PARTS = ['matmul', 'gather', 'models'] as const;
export type KernelBenchPart = (typeof KERNEL_BENCH_PARTS)[number];

/** Every kernel-bench figure as JSON-ready rows (the caller prints them). */
export async function kernelBench(options: KernelBenchOptions = {}): Promise<object[]> {
  const quick = options.quick ?? false;
  const rounds = options.rounds ?? (quick ? 3 : 7);
  tf.env().set('PROD', true);
  await tf.setBackend(options.backend ?? 'wasm');
  await tf.ready();
  installFastKernels({ plain: false });
  const parts = new Set(options.parts ?? KERNEL_BENCH_PARTS);
  const rows: object[] = [];
  if (parts.has('matmul')) rows.push(...(await benchMatMul(rounds, quick ? 2 : 5)));
  if (parts.has('gather')) rows.push(...(await benchGather(rounds, quick ? 2 : 5, quick ? [1000, 10000] : [1000, 3000, 10000])));
  if (parts.has('models')) rows.push(...(await benchModels(quick ? 3 : rounds)));
  return rows;
}

const isMain = typeof process !== 'undefined' && process.argv[1] !== undefined && /kernel-bench\.ts$/.test(process.argv[1]);
if (isMain) {
  const argv = process.argv.slice(2);
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const backend = arg('backend') ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'cpu') throw new Error(`--backend takes wasm or cpu, not ${backend}`);
  const rounds = arg('rounds');
  const only = arg('only')?.split(',') ?? [...KERNEL_BENCH_PARTS];
  const parts = only.filter((x): x is KernelBenchPart => (KERNEL_BENCH_PARTS as readonly string[]).includes(x));
  if (parts.length !== only.length) throw new Error(`--only takes a comma list of ${KERNEL_BENCH_PARTS.join(', ')}`);
  const rows = await kernelBench({ backend, parts, quick: argv.includes('--quick'), ...(rounds ? { rounds: Number(rounds) } : {}) });
  for (const row of rows) console.log(JSON.stringify(row));
}
