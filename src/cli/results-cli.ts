/**
 * npm run results [-- --steps N --seed N]: runs the default battery on every
 * model the battery knows and writes docs/RESULTS.md (table, seed, machine).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { BATTERY, BATTERY_TESTS, DEFAULT_BATTERY_CONFIG, runBattery, type BatteryResult } from '../engine/battery/battery';
import { BATTERY_MODEL_NAMES, BATTERY_MODELS, type BatteryModelName } from '../engine/battery/battery-models';
import { LOOPY_RULES } from '../engine/loopy/loopy-params';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer`);
  return v;
}

const config = { ...DEFAULT_BATTERY_CONFIG, trainSteps: flag('--steps', DEFAULT_BATTERY_CONFIG.trainSteps), seed: flag('--seed', DEFAULT_BATTERY_CONFIG.seed) };
tf.env().set('PROD', true);
await tf.setBackend('wasm');
await tf.ready();

/** Every model at its defaults; loopy networks once per learning rule. */
interface Column {
  readonly label: string;
  readonly model: BatteryModelName;
  readonly params: Readonly<Record<string, unknown>>;
}
const columns = BATTERY_MODEL_NAMES.flatMap<Column>((model) =>
  model === 'loopy' ? LOOPY_RULES.map((rule) => ({ label: `loopy ${rule}`, model, params: { rule } })) : [{ label: model, model, params: {} }],
);
const results = new Map<string, BatteryResult[]>();
const wall = new Map<string, number>();
for (const { label, model, params } of columns) {
  const started = performance.now();
  const entry = BATTERY_MODELS[model];
  const rs = await runBattery((spec) => entry.create(spec, params), label, BATTERY_TESTS, config, {
    result: (r) => console.error(`${label} ${r.test}: ${Number.isFinite(r.score) ? r.score.toFixed(3) : 'n/a'} ${r.unit} (${(r.ms / 1000).toFixed(1)} s)`),
  });
  results.set(label, rs);
  wall.set(label, (performance.now() - started) / 1000);
}
const labels = columns.map((c) => c.label);

const fmt = (r: BatteryResult | undefined): string =>
  !r || !Number.isFinite(r.score) ? 'n/a' : Number.isInteger(r.score) ? String(r.score) : r.score.toFixed(3);
const header = `| test | unit | ${labels.join(' | ')} |`;
const rule = `| --- | --- | ${labels.map(() => '---:').join(' | ')} |`;
const rows = BATTERY_TESTS.map(
  (t, i) => `| ${i + 1}. ${BATTERY[t].title} | ${BATTERY[t].unit} | ${labels.map((m) => fmt(results.get(m)?.find((r) => r.test === t))).join(' | ')} |`,
);
const timeRow = `| wall time | s | ${labels.map((m) => (wall.get(m) ?? 0).toFixed(0)).join(' | ')} |`;
const cpu = cpus();
const doc = `# Battery results

Produced by \`npm run results\` (this file is overwritten by it), with every model at its
default parameters (loopy networks once per learning rule), seed ${config.seed}, ${config.trainSteps} train steps per phase, ${config.lanes} lanes,
tfjs ${tf.version.tfjs} on the ${tf.getBackend()} backend.

Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.

${header}
${rule}
${rows.join('\n')}
${timeRow}

What each number means (\`npm run battery -- --help\` prints the same):

${BATTERY_TESTS.map((t, i) => `${i + 1}. **${BATTERY[t].title}** (${BATTERY[t].unit}): ${BATTERY[t].description}`).join('\n')}

\`n/a\`: the score is a ratio over a base task the model did not learn (or needs no training
for), so it is not defined. The battery resets every model's state before each episode, so
\`loopy bptt\` and \`loopy tbptt\` differ only where state is carried across batches (the
language model). Models: ${BATTERY_MODEL_NAMES.map((m) => `\`${m}\`: ${BATTERY_MODELS[m].description}`).join('; ')}.
`;
mkdirSync('docs', { recursive: true });
writeFileSync('docs/RESULTS.md', doc);
console.error('wrote docs/RESULTS.md');
