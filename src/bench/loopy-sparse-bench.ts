/**
 * Loopy networks: the sparse edge-list unroll (kernels/edge-spmm.ts) against the padded one it replaced, train
 * steps per second (tbptt) side by side in one process, rounds alternating, the same seed, graph, weights and
 * batches for both. Also the useful work's GFLOP/s (2·E·B·H² per tick forward, about 3x that with the
 * backward) against a plain 2-D tf.matMul timed in the same process: the distance to the machine's limit.
 * One JSON line per size, then one for the matmul.
 *   npx tsx src/bench/loopy-sparse-bench.ts [--sizes 1000,10000] [--backend wasm|cpu] [--rounds 3] [--plain: tfjs's own kernels]
 *     [--as-filed: a third side, the padded path as issue 15 found it (tf.gather, tfjs's own matmuls), alternating with the two]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { fastKernelsInstalled, installFastKernels } from '../engine/kernels/fast-kernels';
import { setGatherRowsKernels } from '../engine/kernels/gather-rows';
import { createLoopySequenceModel, loopyGraph, type LoopyEdgeLayout } from '../engine/loopy/loopy-model';
import { loopyParamsSchema, type LoopyParamsInput } from '../engine/loopy/loopy-params';
import { packGraph } from '../engine/packing';
import { createRecallStream } from '../engine/tasks/recall-task';
import type { SequenceModel } from '../engine/sequence-model';

export interface LoopySparseBenchOptions {
  readonly backend?: 'wasm' | 'cpu';
  /** Hidden nodes per row (default 1,000 and 10,000). */
  readonly sizes?: readonly number[];
  /** Mean in-degree (default 10). */
  readonly degree?: number;
  readonly width?: number;
  /** Lanes B (default 4). */
  readonly lanes?: number;
  /** Symbols per train step (default 16, the lab's window). */
  readonly window?: number;
  /** Ticks per symbol (default 3, the lab's). */
  readonly thinkTicks?: number;
  /** Alternating rounds (default 3). */
  readonly rounds?: number;
  /** Time each layout runs per round, about (default 1,500 ms; at least one step). */
  readonly roundMs?: number;
  readonly seed?: number;
  /** The lab's kernel replacements (kernels/fast-kernels.ts) for both layouts, as the lab and battery run (default true). */
  readonly fastKernels?: boolean;
  /** Also time the padded layout as it ran before the row and matmul kernels (tf.gather and tfjs's own kernels), alternating. */
  readonly asFiled?: boolean;
}

type Row = Record<string, number | string | null>;

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** Plain 2-D matmul rate on this backend, GFLOP/s: n x n by n x n, best of a few timed batches. */
async function matmulGflops(n: number): Promise<number> {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  const once = async (): Promise<void> => {
    const c = tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D);
    await c.data();
    c.dispose();
  };
  await once();
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (let i = 0; i < 4; i++) await once();
    best = Math.min(best, (performance.now() - t) / 4);
  }
  tf.dispose([a, b]);
  return (2 * n ** 3) / (best * 1e6);
}

interface Runner {
  readonly model: SequenceModel;
  readonly next: () => ReturnType<ReturnType<typeof createRecallStream>['next']>;
  ms: number;
  steps: number;
  firstLoss: number;
}

export async function benchLoopySparse(opts: LoopySparseBenchOptions = {}): Promise<Row[]> {
  const backend = opts.backend ?? 'wasm';
  tf.env().set('PROD', true);
  installFastKernels({ plain: opts.fastKernels === false });
  await tf.setBackend(backend);
  await tf.ready();
  const fast = fastKernelsInstalled();
  const B = opts.lanes ?? 4;
  const window = opts.window ?? 16;
  const thinkTicks = opts.thinkTicks ?? 3;
  const degree = opts.degree ?? 10;
  const H = opts.width ?? 1;
  const seed = opts.seed ?? 1;
  const rounds = opts.rounds ?? 3;
  const roundMs = opts.roundMs ?? 1500;
  const symbols = 4;
  const spec = { inputSize: symbols, outputSize: symbols, lanes: B, seed };
  const rows: Row[] = [];
  const gemm = await matmulGflops(256);
  for (const hidden of opts.sizes ?? [1000, 10_000]) {
    const params: LoopyParamsInput = { hidden, degree, width: H, rule: 'tbptt', thinkTicks };
    const p = loopyParamsSchema.parse(params);
    const packing = packGraph(loopyGraph(spec, p), false);
    const E = packing.mask.reduce((s, m) => s + (m > 0 ? 1 : 0), 0);
    const ticks = window * thinkTicks;
    const flopsPerStep = 3 * 2 * E * B * H * H * ticks;
    const make = async (edges: LoopyEdgeLayout): Promise<Runner> => {
      const model = createLoopySequenceModel(spec, params, { edges });
      const stream = createRecallStream(B, seed, { delay: 2, symbols });
      const next = () => stream.next(window);
      const firstLoss = (await model.train(next())).loss; // also the warm-up
      return { model, next, ms: 0, steps: 0, firstLoss };
    };
    // The kernels each side runs with: the lab's, or (as filed) tf.gather and tfjs's own matmuls.
    const kernels = (filed: boolean): void => {
      installFastKernels({ plain: filed || opts.fastKernels === false });
      setGatherRowsKernels(!filed);
    };
    const runners = { sparse: await make('sparse'), padded: await make('padded') };
    kernels(true);
    const filed = opts.asFiled ? await make('padded') : null;
    kernels(false);
    for (let r = 0; r < rounds; r++) {
      for (const run of [runners.sparse, runners.padded, ...(filed ? [filed] : [])]) {
        kernels(run === filed);
        const start = performance.now();
        do {
          await run.model.train(run.next());
          run.steps++;
        } while (performance.now() - start < roundMs);
        run.ms += performance.now() - start;
      }
    }
    kernels(false);
    const rate = (run: Runner): number => (1000 * run.steps) / run.ms;
    const [s, q] = [rate(runners.sparse), rate(runners.padded)];
    rows.push({
      bench: 'loopy-sparse',
      backend,
      fastKernels: fast ? 'yes' : 'no',
      hidden,
      nodes: packing.L,
      edges: E,
      paddedSlots: packing.L * packing.K,
      width: H,
      lanes: B,
      window,
      thinkTicks,
      sparseStepsPerSec: round(s, 3),
      paddedStepsPerSec: round(q, 3),
      speedup: round(s / q, 2),
      sparseMsPerStep: round(1000 / s, 1),
      paddedMsPerStep: round(1000 / q, 1),
      sparseSteps: runners.sparse.steps,
      paddedSteps: runners.padded.steps,
      firstLossDiff: Math.abs(runners.sparse.firstLoss - runners.padded.firstLoss),
      sparseUsefulGflops: round((flopsPerStep * s) / 1e9, 4),
      paddedUsefulGflops: round((flopsPerStep * q) / 1e9, 4),
      matmulGflops: round(gemm, 2),
      sparseShareOfMatmul: round((flopsPerStep * s) / 1e9 / gemm, 4),
      ...(filed ? { filedMsPerStep: round(filed.ms / filed.steps, 1), filedSteps: filed.steps, speedupOverFiled: round(s / rate(filed), 2) } : {}),
    });
    filed?.model.dispose();
    runners.sparse.model.dispose();
    runners.padded.model.dispose();
  }
  rows.push({ bench: 'loopy-sparse-matmul', backend, n: 256, matmulGflops: round(gemm, 2) });
  return rows;
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const isMain = typeof process !== 'undefined' && process.argv[1] !== undefined && /loopy-sparse-bench\.ts$/.test(process.argv[1]);
if (isMain) {
  const sizes = argValue('--sizes')?.split(',').map(Number);
  const backend = argValue('--backend') as 'wasm' | 'cpu' | undefined;
  const rounds = argValue('--rounds');
  const plain = process.argv.includes('--plain');
  const asFiled = process.argv.includes('--as-filed');
  const rows = await benchLoopySparse({ ...(sizes ? { sizes } : {}), ...(backend ? { backend } : {}), ...(rounds ? { rounds: Number(rounds) } : {}), fastKernels: !plain, asFiled });
  for (const row of rows) console.log(JSON.stringify(row));
}
