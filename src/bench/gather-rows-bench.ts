/**
 * The row kernels (kernels/gather-rows.ts) in LARA's dense unroll (lara-forward.ts gatherSources /
 * gatherHosts), side by side in one process, rounds alternating:
 * - `loopy-padded-step`: a padded loopy network's train step (tbptt) with the kernels on against the
 *   plain tf.gather + padded-reverse gradient they replace, on the same model, graph and batches;
 * - `gather-pair`: gatherSources + gatherHosts forward and backward on [L, B*H], the one-hot matmul
 *   (the path up to DENSE_MAX_NODES) against the kernels, to check where the one-hot path still wins.
 * - `lara-dense-step`: a reference case's dense LARA unroll, loss and every gradient (lara-active-check.ts
 *   runTick, a graph of a few nodes), on one-hot topologies against gather ones (the kernels).
 * One JSON line per size.
 *   npx tsx src/bench/gather-rows-bench.ts [--sizes 1000] [--pairs 40,80,160,320] [--backend wasm|cpu] [--rounds 3]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { setGatherRowsKernels } from '../engine/kernels/gather-rows';
import { installFastKernels } from '../engine/kernels/fast-kernels';
import { runTick } from '../engine/lara/lara-active-check';
import { createTopology, DENSE_MAX_NODES, disposeTopology, gatherHosts, gatherSources, type LaraTopology } from '../engine/lara/lara-forward';
import { createLoopySequenceModel, loopyGraph } from '../engine/loopy/loopy-model';
import { loopyParamsSchema } from '../engine/loopy/loopy-params';
import { packGraph } from '../engine/packing';
import { caseInput, caseLabel, LARA_CASES } from '../engine/reference/lara-cases';
import { createRecallStream } from '../engine/tasks/recall-task';

type Row = Record<string, number | string>;
const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** Runs each variant for about `roundMs` per round, alternating; returns ms per call. */
async function alternate(variants: ReadonlyArray<() => Promise<void>>, rounds: number, roundMs: number): Promise<number[]> {
  const ms = variants.map(() => 0);
  const calls = variants.map(() => 0);
  for (const v of variants) await v(); // warm-up
  for (let r = 0; r < rounds; r++)
    for (let i = 0; i < variants.length; i++) {
      const start = performance.now();
      do {
        await (variants[i] as () => Promise<void>)();
        calls[i] = (calls[i] as number) + 1;
      } while (performance.now() - start < roundMs);
      ms[i] = (ms[i] as number) + performance.now() - start;
    }
  return ms.map((m, i) => m / (calls[i] as number));
}

const spec = (B: number, seed: number) => ({ inputSize: 4, outputSize: 4, lanes: B, seed });

async function loopyPaddedStep(hidden: number, backend: string, rounds: number, roundMs: number): Promise<Row> {
  const B = 4;
  const model = createLoopySequenceModel(spec(B, 1), { hidden, degree: 10, width: 1, rule: 'tbptt', thinkTicks: 3 }, { edges: 'padded' });
  const stream = createRecallStream(B, 1, { delay: 2, symbols: 4 });
  const batch = stream.next(16);
  const step = (on: boolean) => async (): Promise<void> => {
    setGatherRowsKernels(on);
    try {
      await model.train(batch);
    } finally {
      setGatherRowsKernels(true);
    }
  };
  const [kernel, plain] = (await alternate([step(true), step(false)], rounds, roundMs)) as [number, number];
  model.dispose();
  return { bench: 'loopy-padded-step', backend, hidden, kernelMsPerStep: round(kernel, 1), plainMsPerStep: round(plain, 1), speedup: round(plain / kernel, 2) };
}

async function gatherPair(L: number, H: number, backend: string, rounds: number, roundMs: number): Promise<Row> {
  const B = 4;
  const p = loopyParamsSchema.parse({ hidden: L, degree: 10, width: H, rule: 'tbptt' });
  const packing = packGraph(loopyGraph(spec(B, 1), p), false);
  const topos: [LaraTopology, LaraTopology] = [createTopology(packing, 1, true), createTopology(packing, 1, false)];
  const x = tf.randomNormal([packing.L, B * H]) as tf.Tensor2D;
  const w = tf.randomNormal([packing.L * packing.K, B * H]);
  const pair = (topo: LaraTopology) => async (): Promise<void> => {
    const g = tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.add(gatherSources(topo, v as tf.Tensor2D), gatherHosts(topo, v as tf.Tensor2D)), w)))(x));
    await g.data();
    g.dispose();
  };
  const [oneHot, kernel] = (await alternate([pair(topos[0]), pair(topos[1])], rounds, roundMs)) as [number, number];
  tf.dispose([x, w]);
  topos.forEach(disposeTopology);
  return {
    bench: 'gather-pair',
    backend,
    nodes: packing.L,
    K: packing.K,
    width: H,
    lanes: B,
    defaultPath: packing.L <= DENSE_MAX_NODES ? 'one-hot' : 'kernel',
    oneHotMs: round(oneHot, 3),
    kernelMs: round(kernel, 3),
    kernelSpeedup: round(oneHot / kernel, 2),
  };
}

async function laraDenseStep(backend: string, rounds: number, roundMs: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const c of LARA_CASES.slice(0, 3)) {
    const input = caseInput(c, 7);
    const run = (oneHot: boolean) => async (): Promise<void> => void (await runTick(input, 'dense', oneHot));
    const [oneHot, kernel] = (await alternate([run(true), run(false)], rounds, roundMs)) as [number, number];
    rows.push({ bench: 'lara-dense-step', backend, case: caseLabel(c), nodes: input.packing.L, K: input.packing.K, oneHotMs: round(oneHot, 3), kernelMs: round(kernel, 3), kernelSpeedup: round(oneHot / kernel, 2) });
  }
  return rows;
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const isMain = typeof process !== 'undefined' && process.argv[1] !== undefined && /gather-rows-bench\.ts$/.test(process.argv[1]);
if (isMain) {
  const backend = argValue('--backend') ?? 'wasm';
  const rounds = Number(argValue('--rounds') ?? 3);
  const sizes = (argValue('--sizes') ?? '1000').split(',').filter(Boolean).map(Number);
  const pairs = (argValue('--pairs') ?? '40,80,160,320').split(',').filter(Boolean).map(Number);
  tf.env().set('PROD', true);
  installFastKernels();
  await tf.setBackend(backend);
  await tf.ready();
  for (const row of await laraDenseStep(backend, rounds, 400)) console.log(JSON.stringify(row));
  for (const L of pairs) for (const H of [1, 8]) console.log(JSON.stringify(await gatherPair(L, H, backend, rounds, 400)));
  for (const hidden of sizes) console.log(JSON.stringify(await loopyPaddedStep(hidden, backend, rounds, 1500)));
}
