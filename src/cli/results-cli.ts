/**
 * npm run results [-- --seeds 3 --steps 150 --jobs N --out FILE]: writes docs/RESULTS.md (or FILE).
 * Four sections, one run pool (run-units.ts, one process per core):
 * 1. the whole battery, every model at its defaults (loopy networks once per
 *    rule), at seed 1;
 * 2. the local learning rules against loopy BPTT on the random circuit and
 *    the long-term dependency, mean ± sd over the seeds;
 * 3. the language model, mean ± sd over the seeds;
 * 4. the LARA ablation study (lara-ablation-study.ts), mean ± sd over the seeds.
 * Units shared between sections (seed 1 of 2 and 3) run once.
 * Study sections (`npm run study -- NAME --write`, results-sections.ts) of the old file are kept.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { version as tfjsVersions } from '@tensorflow/tfjs';
import { BATTERY, BATTERY_TESTS, DEFAULT_BATTERY_CONFIG, languageModelBudget, type BatteryTestId } from '../engine/battery/battery';
import { BATTERY_MODEL_NAMES, BATTERY_MODELS, type BatteryModelName } from '../engine/battery/battery-models';
import { fmt, summarise } from '../engine/battery/lara-ablations';
import { LOOPY_RULES } from '../engine/loopy/loopy-params';
import { ablationMarkdown, ablationReport, ablationUnits } from './lara-ablation-study';
import { keepStudySections } from './results-sections';
import { runPool, unitKey, type RunUnit, type UnitResult } from './run-units';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
  return v;
}

const trainSteps = flag('--steps', DEFAULT_BATTERY_CONFIG.trainSteps);
const seedCount = flag('--seeds', 3);
const jobs = flag('--jobs', cpus().length);
const seeds = Array.from({ length: seedCount }, (_, i) => i + 1);
const languageModel = languageModelBudget(trainSteps);

interface Column {
  readonly label: string;
  readonly model: BatteryModelName;
  readonly params: Readonly<Record<string, unknown>>;
}
const column = (label: string): Column => {
  const [model, rule] = label.split(' ') as [BatteryModelName, string | undefined];
  return { label, model, params: rule ? { rule } : {} };
};
/** Every model at its defaults; loopy networks once per learning rule. */
const columns = BATTERY_MODEL_NAMES.flatMap<Column>((model) => (model === 'loopy' ? LOOPY_RULES.map((rule) => column(`loopy ${rule}`)) : [column(model)]));
/**
 * The battery resets every model's state before each episode, so loopy bptt
 * and tbptt compute the same on every test but the language model, where
 * tbptt carries state across windows: tbptt runs that test only.
 */
const SAME_AS = { 'loopy tbptt': 'loopy bptt' } as const;
const onlyTests: Readonly<Record<string, readonly BatteryTestId[]>> = { 'loopy tbptt': ['language-model'] };
const LOCAL_COLUMNS = ['loopy bptt', ...LOOPY_RULES.filter((r) => r !== 'bptt' && r !== 'tbptt' && r !== 'reservoir').map((r) => `loopy ${r}`)];
const LOCAL_TESTS: readonly BatteryTestId[] = ['circuit', 'long-term'];
/**
 * Text is one long sequence: loopy tbptt (state carried across windows) is the loopy gradient
 * baseline here, and e-prop the local rule (both carry state); section 1 has every rule at seed 1.
 */
const LM_COLUMNS = ['gru', 'lstm', 'loopy tbptt', 'loopy eprop', 'lara', 'memoryless', 'unigram'].filter((l) => columns.some((c) => c.label === l));

const unit = (c: Column, test: BatteryTestId, seed: number): RunUnit => ({ column: c.label, model: c.model, params: c.params, test, seed, trainSteps, languageModel });
const byLabel = (label: string): Column => columns.find((c) => c.label === label) ?? column(label);
const units = new Map<string, RunUnit>();
const add = (u: RunUnit): void => void units.set(unitKey(u), u);
// The study's units first: the slowest go out first, so the pool ends together.
ablationUnits({ seeds, trainSteps, languageModel }).forEach(add);
for (const seed of seeds) for (const label of LM_COLUMNS) add(unit(byLabel(label), 'language-model', seed));
for (const c of columns) for (const t of onlyTests[c.label] ?? BATTERY_TESTS) add(unit(c, t, 1));
for (const seed of seeds) for (const label of LOCAL_COLUMNS) for (const t of LOCAL_TESTS) add(unit(byLabel(label), t, seed));

const started = performance.now();
const results = new Map<string, UnitResult>();
const list = [...units.values()];
await runPool(list, jobs, (r, done) => {
  results.set(unitKey(r), r);
  console.error(`[${done}/${list.length}] ${r.column} ${r.test} seed ${r.seed}: ${Number.isFinite(r.score) ? r.score.toFixed(3) : r.diverged ? 'diverged' : 'n/a'} (${(r.ms / 1000).toFixed(1)} s)`);
});
const minutes = (performance.now() - started) / 60000;

const get = (label: string, test: BatteryTestId, seed: number): UnitResult | undefined => results.get(unitKey({ column: label, test, seed }));
const score = (r: UnitResult | undefined): string =>
  !r ? '—' : r.diverged ? 'diverged' : !Number.isFinite(r.score) ? 'n/a' : Number.isInteger(r.score) ? String(r.score) : r.score.toFixed(3);
const overSeeds = (label: string, test: BatteryTestId): string => {
  const rs = seeds.map((s) => get(label, test, s)).filter((r): r is UnitResult => r !== undefined);
  const diverged = rs.filter((r) => r.diverged).length;
  const s = summarise(rs.filter((r) => !r.diverged && Number.isFinite(r.score)).map((r) => r.score));
  const digits = BATTERY[test].unit === 'steps' ? 1 : 3;
  return `${fmt(s, digits)}${diverged > 0 ? ` (${diverged} diverged)` : ''}${s.n < rs.length - diverged ? ` (${rs.length - diverged - s.n} n/a)` : ''}`;
};
const wallOf = (label: string): number => [...results.values()].filter((r) => r.column === label && r.seed === 1 && r.group === undefined).reduce((a, r) => a + r.ms, 0) / 1000;

const labels = columns.map((c) => c.label);
const mainTable = [
  `| test | unit | ${labels.join(' | ')} |`,
  `| --- | --- | ${labels.map(() => '---:').join(' | ')} |`,
  ...BATTERY_TESTS.map((t, i) => {
    const cells = labels.map((l) => {
      const r = get(l, t, 1);
      const same = (SAME_AS as Readonly<Record<string, string>>)[l];
      return !r && same ? `= ${same.split(' ')[1]}` : score(r);
    });
    return `| ${i + 1}. ${BATTERY[t].title} | ${BATTERY[t].unit} | ${cells.join(' | ')} |`;
  }),
  `| wall time | s | ${labels.map((l) => wallOf(l).toFixed(0)).join(' | ')} |`,
].join('\n');
const seedTable = (cols: readonly string[], tests: readonly BatteryTestId[]): string =>
  [
    `| test | unit | ${cols.join(' | ')} |`,
    `| --- | --- | ${cols.map(() => '---:').join(' | ')} |`,
    ...tests.map((t) => `| ${BATTERY[t].title} | ${BATTERY[t].unit} | ${cols.map((c) => overSeeds(c, t)).join(' | ')} |`),
  ].join('\n');
const ablations = ablationReport([...results.values()].filter((r) => r.group === 'ablation'));
const cpu = cpus();
const seedList = seeds.join(', ');

const doc = `# Battery results

Produced by \`npm run results\` (this file is overwritten by it) in ${minutes.toFixed(0)} minutes on ${jobs} processes:
${trainSteps} train steps per phase, 8 lanes, the language model ${languageModel.steps} steps of ${languageModel.window} characters,
tfjs ${tfjsVersions.tfjs} on the wasm backend. Sections 2-4 give mean ± sd over seeds ${seedList} (sample sd).

Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.

## 1. The battery, every model at its defaults (seed 1)

${mainTable}

What each number means (\`npm run battery -- --help\` prints the same):

${BATTERY_TESTS.map((t, i) => `${i + 1}. **${BATTERY[t].title}** (${BATTERY[t].unit}): ${BATTERY[t].description}`).join('\n')}

\`n/a\`: the score is a ratio over a base task the model did not learn (or needs no training
for), so it is not defined. The battery resets every model's state before each episode, so
\`loopy bptt\` and \`loopy tbptt\` compute the same on every test but the language model (where
tbptt carries state across windows); tbptt runs only that test, \`= bptt\` marks the rest.
Wall time: seconds of the seed-1 runs of the column, each on one core. Models: ${BATTERY_MODEL_NAMES.map((m) => `\`${m}\`: ${BATTERY_MODELS[m].description}`).join('; ')}.

## 2. Local learning rules against BPTT (seeds ${seedList})

The same loopy network (the battery's defaults) trained by each rule; \`npm run battery -- --model loopy --rule R --tests 2,3 --seed S\` runs one.

${seedTable(LOCAL_COLUMNS, LOCAL_TESTS)}

## 3. Language model (seeds ${seedList})

${languageModel.steps} train steps of ${languageModel.window} characters × 8 lanes (${((languageModel.steps * languageModel.window * 8) / 1000).toFixed(0)} k characters), held-out chapters 11-12 read once; \`memoryless\` is the bigram and \`unigram\` the character-frequency calibration; uniform is ${Math.log2(37).toFixed(2)}.
Loopy networks by truncated BPTT (state carried across windows, as text needs) and by e-prop (traces and state carried); section 1 has every rule at seed 1.

${seedTable(LM_COLUMNS, ['language-model'])}

## 4. LARA's claims by ablation (seeds ${seedList})

Each variant changes one setting of the battery's LARA (lab defaults at learning rate 0.01) and trains a fresh network on each task for ${trainSteps} steps
(text: windows of ${languageModel.window} characters), measuring held-out accuracy or bits per char every tenth of the way.
Score: mean ± sd of the final held-out score; steps: train steps to the criterion, over the seeds that reached it.
A verdict counts a difference only when it exceeds 2 standard errors and 2 accuracy points (0.05 bits); a diverged run scores chance (or uniform bits).
\`npm run study -- lara-ablations\` runs this section alone and prints JSON lines.

${ablationMarkdown(ablations)}
`;
const outAt = process.argv.indexOf('--out');
const out = outAt >= 0 ? (process.argv[outAt + 1] ?? 'docs/RESULTS.md') : 'docs/RESULTS.md';
mkdirSync(dirname(out), { recursive: true });
// Sections written by study commands (`npm run study -- NAME --write`) stay.
writeFileSync(out, keepStudySections(doc, existsSync(out) ? readFileSync(out, 'utf8') : ''));
console.error(`wrote ${out} (${minutes.toFixed(1)} min)`);
