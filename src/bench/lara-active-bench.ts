/**
 * LARA's active-only tick against the dense masked tick and an LSTM of about
 * the same parameter count: train steps/s side by side in one process
 * (rounds alternate the three models so machine load hits all alike), the
 * slope of ms/step in L for the active tick, and its achieved GFLOP/s of
 * useful work against a plain 2-D tf.matMul of the same work, timed here.
 * With --compare-taps it also times the active tick with its gradient taps off
 * (one dense weight gradient per tick, as before them), in the same rounds.
 * --cpu-clock times by this process's CPU time (for a loaded machine; see the clock option).
 * CLI: npx tsx src/bench/lara-active-bench.ts [--quick] [--fast] [--compare-taps] [--cpu-clock] [--sizes 64x64,256x16] [--backend cpu|wasm]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createLstmModel } from '../engine/baselines/lstm';
import { setGatherRowsTaps } from '../engine/kernels/gather-rows';
import { setGatheredMatMulTaps } from '../engine/kernels/gathered-matmul';
import { DEFAULT_LARA_PARAMS, type TickKind } from '../engine/lara/lara-params';
import { LaraTrainer, type LaraExperiment } from '../engine/lara/lara-trainer';
import { deriveSeed } from '../engine/random';
import { createTaskStream, taskSizes } from '../engine/tasks/task-registry';
import { round } from './engine-vs-naive';

export interface LaraActiveBenchOptions {
  readonly sizes?: readonly { readonly L: number; readonly H: number }[];
  /** Timed rounds per size (after one warm-up step of each model). */
  readonly rounds?: number;
  /** The dense tick runs only this many timed rounds at L above 256 (about 10 s a step there). */
  readonly denseRoundsLarge?: number;
  /**
   * Largest L*H at which the dense tick runs: at L = 1024, H = 64 its per-tick [L, K, B, H]
   * tensors, kept for the backward pass, pass the wasm heap's 4 GB and abort the module.
   */
  readonly denseMaxLH?: number;
  /** Also time the active tick with its gradient taps off (kernels/gathered-matmul.ts, gather-rows.ts). */
  readonly compareTaps?: boolean;
  /**
   * 'cpu': time steps by this process's CPU time (user + system) rather than the wall clock, so other
   * processes on a shared machine inflate the figures less (tfjs-wasm runs on one thread here).
   */
  readonly clock?: 'wall' | 'cpu';
  /** Called with each row as soon as it is measured. */
  readonly onRow?: (row: object) => void;
}

// The targets' sizes first (L = 64 and 256 at H = 64), the slowest (dense at L = 1024, H = 64) last.
const SIZES = [
  { L: 64, H: 64 },
  { L: 256, H: 64 },
  { L: 64, H: 16 },
  { L: 256, H: 16 },
  { L: 1024, H: 16 },
  { L: 1024, H: 64 },
];
/** The LSTM schema's largest hidden size: past it the LSTM has fewer parameters than LARA (lstmParams says how many). */
const LSTM_MAX_HIDDEN = 512;
const K = 2;
const BATCH = 32;
const WINDOW = 16;

function experiment(L: number, H: number, tick: TickKind): LaraExperiment {
  return {
    model: 'lara',
    task: 'recall',
    seed: 1,
    params: { ...DEFAULT_LARA_PARAMS, nodes: L, width: H, degree: K, selfLoops: false, batch: BATCH, window: WINDOW, thinkTicks: 1, explore: 0, gradClip: 0, tick },
  };
}

/** LARA weights: edges L*K*H*H, gates 2*L*K*H, input nIn*D*H, read-out nRead*H*C (one input, one output node). */
function laraParamCount(L: number, H: number, D: number, C: number): number {
  return L * K * H * H + 2 * L * K * H + D * H + H * C;
}

/** Hidden units of the LSTM whose 4h(D+h+1) + hC + C is nearest `target`. */
function lstmHiddenFor(target: number, D: number, C: number): number {
  const a = 4;
  const b = 4 * (D + 1) + C;
  return Math.max(1, Math.round((-b + Math.sqrt(b * b + 4 * a * (target - C))) / (2 * a)));
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** GFLOP/s of one [M, P] x [P, Q] matMul, the best of a few timed reps. */
async function plainMatMulGflops(M: number, P: number, Q: number): Promise<number> {
  const a = tf.randomNormal([M, P]);
  const b = tf.randomNormal([P, Q]);
  let best = Infinity;
  for (let r = 0; r < 6; r++) {
    const t0 = performance.now();
    const y = tf.matMul(a, b);
    await y.data();
    best = Math.min(best, performance.now() - t0);
    y.dispose();
  }
  tf.dispose([a, b]);
  return (2 * M * P * Q) / (best * 1e6);
}

export interface LaraActiveRow {
  bench: 'lara-active-vs-dense';
  backend: string;
  clock: 'wall' | 'cpu';
  L: number;
  H: number;
  lstmHidden: number;
  laraParams: number;
  lstmParams: number;
  activeStepsPerSecond: number;
  /** null where the dense tick does not fit the wasm heap (see denseMaxLH). */
  denseStepsPerSecond: number | null;
  lstmStepsPerSecond: number;
  activeOverDense: number | null;
  activeOverLstm: number;
  /** Useful work: at most B*(threads + forced) rows per tick, messages and gates, forward and both gradients. */
  activeGflops: number;
  plainMatMulGflops: number;
  activeRounds: number;
  denseRounds: number;
  /** --compare-taps: the active tick with one dense weight gradient per tick, and how much faster the taps make it. */
  activeNoTapsStepsPerSecond?: number;
  tapSpeedup?: number;
}

/** Runs `f` with the gradient taps off. */
async function withoutTaps<T>(f: () => Promise<T>): Promise<T> {
  setGatheredMatMulTaps(false);
  setGatherRowsTaps(false);
  try {
    return await f();
  } finally {
    setGatheredMatMulTaps(true);
    setGatherRowsTaps(true);
  }
}

/** This process's CPU time in ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Least-squares slope of ms in L. */
function lsSlope(pts: readonly { L: number; ms: number }[]): number {
  const mx = pts.reduce((s, p) => s + p.L, 0) / pts.length;
  const my = pts.reduce((s, p) => s + p.ms, 0) / pts.length;
  return pts.reduce((s, p) => s + (p.L - mx) * (p.ms - my), 0) / pts.reduce((s, p) => s + (p.L - mx) ** 2, 0);
}

export async function benchLaraActive(backend: 'cpu' | 'wasm' | 'webgpu', opts: LaraActiveBenchOptions = {}): Promise<object[]> {
  await tf.setBackend(backend);
  await tf.ready();
  const rounds = opts.rounds ?? 4;
  const clock = opts.clock === 'cpu' ? cpuMs : (): number => performance.now();
  const { inputSize: D, outputSize: C } = taskSizes('recall');
  const rows: object[] = [];
  const perH = new Map<number, { L: number; ms: number }[]>();
  const perHNoTaps = new Map<number, { L: number; ms: number }[]>();
  for (const { L, H } of opts.sizes ?? SIZES) {
    const active = LaraTrainer.create(experiment(L, H, 'active'));
    const noTaps = opts.compareTaps ? LaraTrainer.create(experiment(L, H, 'active')) : null;
    const dense = L * H <= (opts.denseMaxLH ?? 32768) ? LaraTrainer.create(experiment(L, H, 'dense')) : null;
    const hidden = Math.min(LSTM_MAX_HIDDEN, lstmHiddenFor(laraParamCount(L, H, D, C), D, C));
    const lstm = createLstmModel({ inputSize: D, outputSize: C, lanes: BATCH, seed: 1 }, { hidden, gradClip: 0 });
    const stream = createTaskStream('recall', BATCH, 1, deriveSeed(1, 'lstm-bench'));
    const denseRuns = L * H <= (opts.denseMaxLH ?? 32768);
    const denseRounds = !denseRuns ? -1 : L > 256 ? Math.min(rounds, opts.denseRoundsLarge ?? 1) : rounds;
    const ms = { active: [] as number[], noTaps: [] as number[], dense: [] as number[], lstm: [] as number[] };
    for (let r = 0; r <= rounds; r++) {
      let t0 = clock();
      await active.trainStep();
      if (r > 0) ms.active.push(clock() - t0);
      if (noTaps) {
        t0 = clock();
        await withoutTaps(() => noTaps.trainStep());
        if (r > 0) ms.noTaps.push(clock() - t0);
      }
      if (r <= denseRounds) {
        t0 = clock();
        await dense?.trainStep();
        if (r > 0) ms.dense.push(clock() - t0);
      }
      const batch = stream.next(WINDOW);
      t0 = clock();
      await lstm.train(batch);
      if (r > 0) ms.lstm.push(clock() - t0);
    }
    active.dispose();
    noTaps?.dispose();
    dense?.dispose();
    lstm.dispose();
    const [a, d, l] = [median(ms.active), median(ms.dense), median(ms.lstm)];
    // Rows per tick (threads + input + output node at most), MACs per row: K*H*H messages + 2*K*H gates; x3 for the two gradients.
    const rowsPerTick = BATCH * (1 + 2);
    const flops = 2 * 3 * WINDOW * rowsPerTick * (K * H * H + 2 * K * H);
    const plain = await plainMatMulGflops(WINDOW * rowsPerTick, K * H, H);
    const row: LaraActiveRow = {
      bench: 'lara-active-vs-dense',
      backend,
      clock: opts.clock ?? 'wall',
      L,
      H,
      lstmHidden: hidden,
      laraParams: laraParamCount(L, H, D, C),
      lstmParams: 4 * hidden * (D + hidden + 1) + hidden * C + C,
      activeStepsPerSecond: round(1000 / a),
      denseStepsPerSecond: denseRuns ? round(1000 / d) : null,
      lstmStepsPerSecond: round(1000 / l),
      activeOverDense: denseRuns ? round(d / a) : null,
      activeOverLstm: round(l / a),
      activeGflops: round(flops / (a * 1e6)),
      plainMatMulGflops: round(plain),
      activeRounds: ms.active.length,
      denseRounds: ms.dense.length,
      ...(noTaps ? { activeNoTapsStepsPerSecond: round(1000 / median(ms.noTaps)), tapSpeedup: round(median(ms.noTaps) / a) } : {}),
    };
    rows.push(row);
    opts.onRow?.(row);
    perH.set(H, [...(perH.get(H) ?? []), { L, ms: a }]);
    if (noTaps) perHNoTaps.set(H, [...(perHNoTaps.get(H) ?? []), { L, ms: median(ms.noTaps) }]);
  }
  for (const [H, pts] of perH) {
    if (pts.length < 2) continue;
    // Least-squares slope of ms/step in L: the cost of a node that does not compute.
    const slope = lsSlope(pts);
    const first = pts[0] as { L: number; ms: number };
    const noTapsPts = perHNoTaps.get(H);
    const slopeRow = {
      bench: 'lara-active-slope',
      backend,
      clock: opts.clock ?? 'wall',
      H,
      msPerStepPerNode: round(slope, 5),
      msAtSmallestL: round(first.ms),
      smallestL: first.L,
      msPer1000Nodes: round(slope * 1000),
      ...(noTapsPts ? { noTapsMsPerStepPerNode: round(lsSlope(noTapsPts), 5) } : {}),
    };
    rows.push(slopeRow);
    opts.onRow?.(slopeRow);
  }
  return rows;
}

const isMain = typeof process !== 'undefined' && process.argv[1] !== undefined && /lara-active-bench\.ts$/.test(process.argv[1]);
if (isMain) {
  const argv = process.argv.slice(2);
  const backend = (argv[argv.indexOf('--backend') + 1] ?? 'wasm') as 'cpu' | 'wasm';
  tf.env().set('PROD', true);
  const quick = argv.includes('--quick');
  // --sizes 64x64,256x64: L x H pairs.
  const sizesArg = argv.includes('--sizes') ? argv[argv.indexOf('--sizes') + 1] : undefined;
  const sizes = sizesArg
    ? sizesArg.split(',').map((p) => {
        const [L, H] = p.split('x').map(Number);
        return { L: L ?? 64, H: H ?? 64 };
      })
    : SIZES;
  const print = (r: object): void => console.log(JSON.stringify(r));
  // --fast: the app's kernel replacements (kernels/fast-kernels.ts) for all three models alike, as npm run bench does.
  const setup = argv.includes('--fast') ? import('../engine/kernels/fast-kernels').then((m) => m.installFastKernels()) : Promise.resolve();
  void setup.then(() => benchLaraActive(argv.includes('--backend') ? backend : 'wasm', { rounds: quick ? 2 : 4, sizes, compareTaps: argv.includes('--compare-taps'), clock: argv.includes('--cpu-clock') ? 'cpu' : 'wall', onRow: print }));
}
