/**
 * LARA's active-only tick against the dense masked tick and an LSTM of about
 * the same parameter count: train steps/s side by side in one process
 * (rounds alternate the three models so machine load hits all alike), the
 * slope of ms/step in L for the active tick, and its achieved GFLOP/s of
 * useful work against a plain 2-D tf.matMul of the same work, timed here.
 * CLI: npx tsx src/bench/lara-active-bench.ts [--quick] [--backend cpu|wasm]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createLstmModel } from '../engine/baselines/lstm';
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
}

const SIZES = [16, 64].flatMap((H) => [64, 256, 1024].map((L) => ({ L, H })));
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
  L: number;
  H: number;
  lstmHidden: number;
  activeStepsPerSecond: number;
  denseStepsPerSecond: number;
  lstmStepsPerSecond: number;
  activeOverDense: number;
  activeOverLstm: number;
  /** Useful work: at most B*(threads + forced) rows per tick, messages and gates, forward and both gradients. */
  activeGflops: number;
  plainMatMulGflops: number;
  activeRounds: number;
  denseRounds: number;
}

export async function benchLaraActive(backend: 'cpu' | 'wasm' | 'webgpu', opts: LaraActiveBenchOptions = {}): Promise<object[]> {
  await tf.setBackend(backend);
  await tf.ready();
  const rounds = opts.rounds ?? 4;
  const { inputSize: D, outputSize: C } = taskSizes('recall');
  const rows: object[] = [];
  const perH = new Map<number, { L: number; ms: number }[]>();
  for (const { L, H } of opts.sizes ?? SIZES) {
    const active = LaraTrainer.create(experiment(L, H, 'active'));
    const dense = LaraTrainer.create(experiment(L, H, 'dense'));
    const hidden = lstmHiddenFor(laraParamCount(L, H, D, C), D, C);
    const lstm = createLstmModel({ inputSize: D, outputSize: C, lanes: BATCH, seed: 1 }, { hidden, gradClip: 0 });
    const stream = createTaskStream('recall', BATCH, 1, deriveSeed(1, 'lstm-bench'));
    const denseRounds = L > 256 ? Math.min(rounds, opts.denseRoundsLarge ?? 1) : rounds;
    const ms = { active: [] as number[], dense: [] as number[], lstm: [] as number[] };
    for (let r = 0; r <= rounds; r++) {
      let t0 = performance.now();
      await active.trainStep();
      if (r > 0) ms.active.push(performance.now() - t0);
      if (r <= denseRounds) {
        t0 = performance.now();
        await dense.trainStep();
        if (r > 0) ms.dense.push(performance.now() - t0);
      }
      const batch = stream.next(WINDOW);
      t0 = performance.now();
      await lstm.train(batch);
      if (r > 0) ms.lstm.push(performance.now() - t0);
    }
    active.dispose();
    dense.dispose();
    lstm.dispose();
    const [a, d, l] = [median(ms.active), median(ms.dense), median(ms.lstm)];
    // Rows per tick (threads + input + output node at most), MACs per row: K*H*H messages + 2*K*H gates; x3 for the two gradients.
    const rowsPerTick = BATCH * (1 + 2);
    const flops = 2 * 3 * WINDOW * rowsPerTick * (K * H * H + 2 * K * H);
    const plain = await plainMatMulGflops(WINDOW * rowsPerTick, K * H, H);
    const row: LaraActiveRow = {
      bench: 'lara-active-vs-dense',
      backend,
      L,
      H,
      lstmHidden: hidden,
      activeStepsPerSecond: round(1000 / a),
      denseStepsPerSecond: round(1000 / d),
      lstmStepsPerSecond: round(1000 / l),
      activeOverDense: round(d / a),
      activeOverLstm: round(l / a),
      activeGflops: round(flops / (a * 1e6)),
      plainMatMulGflops: round(plain),
      activeRounds: ms.active.length,
      denseRounds: ms.dense.length,
    };
    rows.push(row);
    perH.set(H, [...(perH.get(H) ?? []), { L, ms: a }]);
  }
  for (const [H, pts] of perH) {
    if (pts.length < 2) continue;
    // Least-squares slope of ms/step in L: the cost of a node that does not compute.
    const mx = pts.reduce((s, p) => s + p.L, 0) / pts.length;
    const my = pts.reduce((s, p) => s + p.ms, 0) / pts.length;
    const slope = pts.reduce((s, p) => s + (p.L - mx) * (p.ms - my), 0) / pts.reduce((s, p) => s + (p.L - mx) ** 2, 0);
    const first = pts[0] as { L: number; ms: number };
    rows.push({ bench: 'lara-active-slope', backend, H, msPerStepPerNode: round(slope, 5), msAtSmallestL: round(first.ms), smallestL: first.L, msPer1000Nodes: round(slope * 1000) });
  }
  return rows;
}

const isMain = typeof process !== 'undefined' && process.argv[1] !== undefined && /lara-active-bench\.ts$/.test(process.argv[1]);
if (isMain) {
  const argv = process.argv.slice(2);
  const backend = (argv[argv.indexOf('--backend') + 1] ?? 'wasm') as 'cpu' | 'wasm';
  tf.env().set('PROD', true);
  const quick = argv.includes('--quick');
  const sizes = argv.includes('--small') ? [{ L: 64, H: 64 }] : SIZES;
  void benchLaraActive(argv.includes('--backend') ? backend : 'wasm', { rounds: quick ? 2 : 4, sizes }).then((rows) => {
    for (const r of rows) console.log(JSON.stringify(r));
  });
}
