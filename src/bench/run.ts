/**
 * npm run bench: prints one JSON line per figure, each measured side by side
 * with its baseline in one process. Benchmarks are not tests: nothing here
 * fails on a slow machine.
 *   1. engine vs naive one-layer-at-a-time loop, train steps/s, cpu and wasm (Node); LARA active vs dense vs
 *      the same-parameter LSTM; the wasm kernel replacements vs tfjs's own; loopy sparse vs padded
 *   2. WebGPU compute dispatches per tick (headless Chromium, SwiftShader adapter)
 *   3. activity-graph frame time at 1,000 nodes while LARA and a loopy network train, and loopy at 4,000 and 10,000 (headless Chromium)
 *   4. DNA cells on MNIST vs dense layers of about the same parameter count; routing modules vs the
 *      same stack without routing (layer executions skipped, accuracy change, a λs sweep);
 *      transition representations vs BPTT (steps and wall-clock to a target, roll-out accuracy) (Node, wasm)
 * Options: --quick (fewer rounds), --skip-node, --skip-browser, --skip-models,
 * --backend webgpu (the side-by-side figures of 1 run in a headless Chromium page on its
 * WebGPU adapter instead of on Node's cpu and wasm; with no adapter it says why and runs on wasm),
 * --painter auto|webgl|2d[,…] (the graph frame figures once per rasteriser, side by side; default auto).
 */
import * as tf from '@tensorflow/tfjs';
import { chromium, type Browser } from '@playwright/test';
import { build, createServer, preview } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../cli/headless-chromium';
import { benchDna } from './dna-bench';
import { GRAPH_FRAME_CASES, GRAPH_FRAME_LARGE_CASES, graphFrameCase } from './graph-frame-bench';
import { openWebgpuPage } from '../cli/browser-units';
import { installFastKernels } from '../engine/kernels/fast-kernels';
import { BROWSER_BENCHES, BROWSER_BENCH_NAMES } from './browser-benches';
import { round } from './engine-vs-naive';
import { kernelBench } from './kernel-bench';
import { benchLoopySparse } from './loopy-sparse-bench';
import { benchRouting } from './routing-bench';
import { benchTransitions } from './transitions-bench';

const argv = process.argv.slice(2);
const args = new Set(argv);
const quick = args.has('--quick');
const backendFlag = argv[argv.indexOf('--backend') + 1];
if (args.has('--backend') && backendFlag !== 'webgpu') throw new Error(`--backend takes webgpu (Node runs cpu and wasm without it), not ${backendFlag ?? 'nothing'}`);
const PAINTERS = ['auto', 'webgl', '2d'] as const;
const painters = (args.has('--painter') ? (argv[argv.indexOf('--painter') + 1] ?? '').split(',') : ['auto']).map((p) => {
  const painter = PAINTERS.find((q) => q === p);
  if (!painter) throw new Error(`--painter takes ${PAINTERS.join(', ')} (comma-separated), not ${p || 'nothing'}`);
  return painter;
});
const print = (o: object): void => console.log(JSON.stringify(o));
// The app's kernels (src/engine/kernels), for every side of every figure alike; LOOPY_PLAIN_KERNELS=1 keeps tfjs's own.
installFastKernels();

async function nodeBenches(backends: readonly ('wasm' | 'cpu')[]): Promise<void> {
  tf.env().set('PROD', true);
  for (const name of BROWSER_BENCH_NAMES) for (const backend of backends) for (const row of await BROWSER_BENCHES[name](backend, quick)) print(row);
  // The wasm kernel replacements against tfjs's own, op by op and per model (wasm only: they replace wasm kernels).
  if (backends.includes('wasm')) {
    for (const row of await kernelBench({ quick })) print(row);
    // Loopy networks on their edge lists against LARA's padded slots, 1,000 and 10,000 neurons.
    for (const row of await benchLoopySparse(quick ? { rounds: 2 } : {})) print(row);
  }
}

/** The same benches in a headless Chromium page on WebGPU; false where there is no adapter (the reason goes to stderr). */
async function webgpuBenches(): Promise<boolean> {
  const opened = await openWebgpuPage('src/bench/pages/bench-runner.html');
  if (typeof opened === 'string') {
    console.error(`webgpu: ${opened}; running on wasm instead`);
    return false;
  }
  console.error(`webgpu: ${opened.adapter} (headless Chromium)`);
  try {
    for (const name of BROWSER_BENCH_NAMES) {
      console.error(`webgpu: ${name}…`);
      const rows = await opened.page.evaluate(([n, q]) => (window.benchRunner as NonNullable<Window['benchRunner']>).run(n, q), [name, quick] as const);
      for (const row of rows) print({ ...row, adapter: opened.adapter });
    }
  } finally {
    await opened.close();
  }
  return true;
}

async function dispatchBench(browser: Browser): Promise<void> {
  const server = await createServer({ logLevel: 'silent', server: { port: 5199, strictPort: true } });
  await server.listen();
  try {
    const page = await browser.newPage();
    await page.goto('http://localhost:5199/src/bench/pages/webgpu-dispatch.html');
    await page.waitForFunction(() => window.benchResult !== undefined, null, { timeout: 600_000 });
    const r = (await page.evaluate(() => window.benchResult)) as { forwardPerTick?: number; trainPerTick?: number; trainStepFixed?: number; error?: string };
    const adapter = await page.evaluate(async () => {
      const a = await navigator.gpu?.requestAdapter();
      return a ? [a.info.vendor, a.info.architecture].filter(Boolean).join(' ') : null;
    });
    print({
      bench: 'webgpu-dispatches-per-tick',
      adapter,
      ...(r.error
        ? { error: r.error }
        : { forwardPerTick: round(r.forwardPerTick ?? NaN, 1), trainPerTick: round(r.trainPerTick ?? NaN, 1), trainStepFixed: round(r.trainStepFixed ?? NaN, 0) }),
      target: 4,
      config: 'default LARA: L=24 H=16 K=4; forward = predict with 4 lanes, train = one train step (fwd+bwd+Adam), marginal per tick',
    });
    await page.close();
  } finally {
    await server.close();
  }
}

/** The graph view timed while the worker trains: LARA and loopy networks at 1,000 nodes, loopy at 4,000 and 10,000 (src/bench/graph-frame-bench.ts). */
async function frameTimeBench(browser: Browser): Promise<void> {
  await build({ logLevel: 'silent' });
  const server = await preview({ logLevel: 'silent', preview: { port: 4199, strictPort: true } });
  try {
    for (const c of [...GRAPH_FRAME_CASES, ...GRAPH_FRAME_LARGE_CASES])
      for (const painter of painters) print(await graphFrameCase(browser, 'http://localhost:4199', c, { seconds: quick ? 5 : 10, painter }));
  } finally {
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
}

async function modelBenches(): Promise<void> {
  for (const row of await benchDna(quick ? { epochs: 10 } : {})) print({ bench: 'dna', ...row });
  for (const row of await benchRouting(quick ? { steps: 200, mnist: false } : {})) print({ bench: 'routing', ...row });
  for (const row of await benchTransitions(quick ? { steps: 60 } : {})) print({ bench: 'transitions', ...row });
}

if (!args.has('--skip-node')) {
  if (backendFlag !== 'webgpu') await nodeBenches(['wasm', 'cpu']);
  else if (!(await webgpuBenches())) await nodeBenches(['wasm']);
}
if (!args.has('--skip-models')) await modelBenches();
if (!args.has('--skip-browser')) {
  const browser = await chromium.launch({ ...(CHROMIUM ? { executablePath: CHROMIUM } : {}), args: [...CHROMIUM_ARGS] });
  try {
    await dispatchBench(browser);
    await frameTimeBench(browser);
  } finally {
    await browser.close();
  }
}
