/**
 * npm run battery -- [--model lara|loopy|lstm|gru|esn|oracle|random|memoryless] [--rule bptt|tbptt|reservoir|hebbian|perturbation] [--tests all|1,3,5|circuit,...]
 *   [--seed N] [--steps N] [--lanes N] [--set key=value ...] [--sweep key=v1,v2 ...]
 *   [--backend wasm|cpu|webgpu] [--json] [--shard i/N]
 * Runs the test battery in Node on the same engine as the lab. With --json it
 * prints one JSON line per test (and sweep cell):
 * {test, model, params, score, unit, steps, ms, diverged} (diverged: null, or
 * the phase and train step where the loss turned non-finite; its score is null).
 * --shard i/N (0 ≤ i < N) runs every N-th (sweep cell, test) pair from i and
 * implies --json, so N machines' lines concatenated are the whole run.
 * --backend webgpu runs in headless Chromium on its WebGPU adapter
 * (browser-units.ts), or says why it cannot and runs on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { installFastKernels } from '../engine/kernels/fast-kernels';
import '@tensorflow/tfjs-backend-wasm';
import { BATTERY, BATTERY_TESTS, DEFAULT_BATTERY_CONFIG, STUDY_TESTS, languageModelBudget, runBattery, type BatteryTestId } from '../engine/battery/battery';
import { BATTERY_MODEL_NAMES, BATTERY_MODELS, type BatteryModelName } from '../engine/battery/battery-models';
import { runUnitsOn } from './browser-units';
import { parseShard, shardItems, WHOLE, type Shard } from './run-shards';

interface CliOptions {
  model: BatteryModelName;
  tests: BatteryTestId[];
  seed: number;
  steps: number;
  lanes: number;
  backend: 'wasm' | 'cpu' | 'webgpu';
  json: boolean;
  shard: Shard;
  set: Record<string, unknown>;
  sweep: [string, unknown[]][];
}

function fail(message: string): never {
  console.error(`battery: ${message}`);
  process.exit(2);
}

function parseValue(raw: string): unknown {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  const n = Number(raw);
  return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
}

function parseTests(raw: string): BatteryTestId[] {
  if (raw === 'all') return [...BATTERY_TESTS];
  return raw.split(',').map((t) => {
    const n = Number(t);
    const id = Number.isInteger(n) && n >= 1 && n <= BATTERY_TESTS.length ? BATTERY_TESTS[n - 1] : (t as BatteryTestId);
    if (!id || !(id in BATTERY)) fail(`unknown test "${t}" (use 1-${BATTERY_TESTS.length}, ${BATTERY_TESTS.join(', ')}, or a study task: ${STUDY_TESTS.join(', ')})`);
    return id;
  });
}

function parseArgs(argv: string[]): CliOptions {
  const o: CliOptions = {
    model: 'lara',
    tests: [...BATTERY_TESTS],
    seed: DEFAULT_BATTERY_CONFIG.seed,
    steps: DEFAULT_BATTERY_CONFIG.trainSteps,
    lanes: DEFAULT_BATTERY_CONFIG.lanes,
    backend: 'wasm',
    json: false,
    shard: WHOLE,
    set: {},
    sweep: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = (): string => argv[++i] ?? fail(`${flag} needs a value`);
    const int = (name: string, v: string, min: number): number => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) fail(`${name} must be an integer >= ${min}`);
      return n;
    };
    switch (flag) {
      case '--model': {
        const m = value();
        if (!(BATTERY_MODEL_NAMES as string[]).includes(m)) fail(`unknown model "${m}" (one of ${BATTERY_MODEL_NAMES.join(', ')})`);
        o.model = m as BatteryModelName;
        break;
      }
      case '--tests':
        o.tests = parseTests(value());
        break;
      case '--seed':
        o.seed = int('--seed', value(), 0);
        break;
      case '--steps':
        o.steps = int('--steps', value(), 1);
        break;
      case '--lanes':
        o.lanes = int('--lanes', value(), 1);
        break;
      case '--backend': {
        const b = value();
        if (b !== 'wasm' && b !== 'cpu' && b !== 'webgpu') fail('--backend must be wasm, cpu or webgpu');
        o.backend = b;
        break;
      }
      case '--json':
        o.json = true;
        break;
      case '--shard': {
        const shard = parseShard(value());
        if (typeof shard === 'string') fail(shard);
        o.shard = shard;
        o.json = true;
        break;
      }
      case '--rule':
        o.set.rule = value();
        break;
      case '--set': {
        const [k, v] = value().split('=');
        if (!k || v === undefined) fail('--set needs key=value');
        o.set[k] = parseValue(v);
        break;
      }
      case '--sweep': {
        const [k, v] = value().split('=');
        if (!k || !v) fail('--sweep needs key=v1,v2,...');
        o.sweep.push([k, v.split(',').map(parseValue)]);
        break;
      }
      case '--help':
        console.log(`tests:\n${BATTERY_TESTS.map((t, n) => `  ${n + 1}. ${t} (${BATTERY[t].unit}): ${BATTERY[t].description}`).join('\n')}`);
        console.log(`models:\n${BATTERY_MODEL_NAMES.map((m) => `  ${m}: ${BATTERY_MODELS[m].description}`).join('\n')}`);
        process.exit(0);
        break;
      default:
        fail(`unknown option "${flag}" (try --help)`);
    }
  }
  return o;
}

/** Every combination of the sweep values, each merged over the fixed settings. */
function sweepCells(set: Record<string, unknown>, sweep: [string, unknown[]][]): Record<string, unknown>[] {
  return sweep.reduce<Record<string, unknown>[]>((cells, [key, values]) => cells.flatMap((c) => values.map((v) => ({ ...c, [key]: v }))), [{ ...set }]);
}

const o = parseArgs(process.argv.slice(2));
tf.env().set('PROD', true);
const entry = BATTERY_MODELS[o.model];
const cells = sweepCells(o.set, o.sweep);
for (const params of cells) {
  const problem = entry.validate(params);
  if (problem) fail(`${o.model} parameters ${JSON.stringify(params)}: ${problem}`);
}
const config = { ...DEFAULT_BATTERY_CONFIG, seed: o.seed, trainSteps: o.steps, lanes: o.lanes, languageModel: languageModelBudget(o.steps) };
// Each test trains a fresh model, so (cell, test) pairs are independent runs and a shard takes every N-th.
const pairs = shardItems(cells.flatMap((params) => o.tests.map((test) => ({ params, test }))), o.shard);

interface Line {
  readonly test: string;
  readonly score: number;
  readonly unit: string;
  readonly steps: number;
  readonly ms: number;
  readonly diverged: unknown;
  readonly details: Readonly<Record<string, number>>;
}
function print(r: Line, params: Readonly<Record<string, unknown>>): void {
  const line = { test: r.test, model: o.model, params, score: Number.isFinite(r.score) ? r.score : null, unit: r.unit, steps: r.steps, ms: r.ms, diverged: r.diverged };
  if (o.json) console.log(JSON.stringify({ ...line, details: r.details }));
  else console.log(`${r.test.padEnd(13)} ${r.diverged ? 'diverged' : line.score === null ? '   n/a' : line.score.toFixed(3).padStart(7)} ${r.unit.padEnd(11)} ${String(r.steps).padStart(5)} steps ${(r.ms / 1000).toFixed(1).padStart(6)} s  ${JSON.stringify(params)}`);
}

if (o.backend === 'webgpu') {
  const units = pairs.map(({ params, test }) => ({ column: o.model, model: o.model, params, test, seed: o.seed, trainSteps: o.steps, languageModel: config.languageModel, lanes: o.lanes }));
  const { ranOn } = await runUnitsOn('webgpu', units, 1, (r) => print(r, r.params));
  console.error(`ran on ${ranOn}`);
} else {
  installFastKernels();
  await tf.setBackend(o.backend);
  await tf.ready();
  for (const params of cells) {
    const tests = pairs.filter((p) => p.params === params).map((p) => p.test);
    if (tests.length > 0) await runBattery((spec) => entry.create(spec, params), o.model, tests, config, { result: (r) => print(r, params) });
  }
}
