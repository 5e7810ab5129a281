/**
 * What `npm run results` runs and how it writes it, as pure functions, so a
 * single run, a shard and a merge of shards (run-shards.ts) share them:
 * `resultsUnits(plan)` lists every (model, test, seed) unit in a fixed order,
 * `resultsDocument(plan, results, timing)` turns their results into
 * docs/RESULTS.md. Four sections:
 * 1. the whole battery, every model at its defaults (loopy networks once per
 *    rule), at seed 1;
 * 2. the local learning rules against loopy BPTT on the random circuit and
 *    the long-term dependency, mean ± sd over the seeds;
 * 3. the language model, mean ± sd over the seeds;
 * 4. the LARA ablation study (lara-ablation-study.ts), mean ± sd over the seeds.
 * Units shared between sections (seed 1 of 2 and 3) run once.
 */
import { cpus, totalmem } from 'node:os';
import { version as tfjsVersions } from '@tensorflow/tfjs';
import { BATTERY, BATTERY_TESTS, languageModelBudget, type BatteryTestId } from '../engine/battery/battery';
import { BATTERY_MODEL_NAMES, BATTERY_MODELS, type BatteryModelName } from '../engine/battery/battery-models';
import { fmt, summarise } from '../engine/battery/lara-ablations';
import { LOOPY_RULES } from '../engine/loopy/loopy-params';
import { ablationMarkdown, ablationReport, ablationUnits } from './lara-ablation-study';
import { unitKey, type RunUnit, type UnitResult } from './run-units';

/** What a results run covers: its budget, seeds and (for a quick or a test run) a subset of the columns. */
export interface ResultsPlan {
  readonly trainSteps: number;
  readonly seeds: readonly number[];
  /** Column labels to keep ("gru", "loopy eprop"); null: every column and the ablation study. */
  readonly columns: readonly string[] | null;
}

/** How the results were computed, for the file's first lines; null leaves timings out (a test comparing two runs). */
export interface ResultsTiming {
  readonly minutes: number;
  readonly processes: number;
  /** 1 for a single run; N for a merge of N shards. */
  readonly shards: number;
  /** The machines that ran it (machineLine() of each), once each. */
  readonly machines: readonly string[];
  /** The backends the runs used ("wasm", "webgpu (adapter, headless Chromium)"), once each. */
  readonly backends: readonly string[];
}

/** This machine, as the results file names it. */
export function machineLine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

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
export const RESULTS_COLUMNS: readonly string[] = BATTERY_MODEL_NAMES.flatMap((model) => (model === 'loopy' ? LOOPY_RULES.map((rule) => `loopy ${rule}`) : [model]));
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
const LM_COLUMNS = ['gru', 'lstm', 'loopy tbptt', 'loopy eprop', 'lara', 'memoryless', 'unigram'];

/** The plan's problem, or null: unknown column labels. */
export function planProblem(plan: ResultsPlan): string | null {
  const unknown = (plan.columns ?? []).filter((c) => !RESULTS_COLUMNS.includes(c));
  return unknown.length > 0 ? `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `"${c}"`).join(', ')} (${RESULTS_COLUMNS.join(', ')})` : null;
}

const kept = (plan: ResultsPlan) => (labels: readonly string[]): string[] => labels.filter((l) => plan.columns === null || plan.columns.includes(l));
const withAblations = (plan: ResultsPlan): boolean => plan.columns === null;

/** Every unit of the plan once, in hand-out order (the slowest first, so a pool ends together). */
export function resultsUnits(plan: ResultsPlan): RunUnit[] {
  const { trainSteps, seeds } = plan;
  const languageModel = languageModelBudget(trainSteps);
  const keep = kept(plan);
  const unit = (label: string, test: BatteryTestId, seed: number): RunUnit => {
    const c = column(label);
    return { column: c.label, model: c.model, params: c.params, test, seed, trainSteps, languageModel };
  };
  const units = new Map<string, RunUnit>();
  const add = (u: RunUnit): void => void units.set(unitKey(u), u);
  if (withAblations(plan)) ablationUnits({ seeds, trainSteps, languageModel }).forEach(add);
  for (const seed of seeds) for (const label of keep(LM_COLUMNS)) add(unit(label, 'language-model', seed));
  for (const label of keep(RESULTS_COLUMNS)) for (const t of onlyTests[label] ?? BATTERY_TESTS) add(unit(label, t, 1));
  for (const seed of seeds) for (const label of keep(LOCAL_COLUMNS)) for (const t of LOCAL_TESTS) add(unit(label, t, seed));
  return [...units.values()];
}

const processes = (n: number): string => `${n} process${n === 1 ? '' : 'es'}`;

/** docs/RESULTS.md from the plan's results (any order; each unit once). */
export function resultsDocument(plan: ResultsPlan, list: readonly UnitResult[], timing: ResultsTiming | null): string {
  const { trainSteps, seeds } = plan;
  const languageModel = languageModelBudget(trainSteps);
  const keep = kept(plan);
  const results = new Map(list.map((r) => [unitKey(r), r]));
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
  const wallOf = (label: string): number => list.filter((r) => r.column === label && r.seed === 1 && r.group === undefined).reduce((a, r) => a + r.ms, 0) / 1000;

  const labels = keep(RESULTS_COLUMNS);
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
    ...(timing ? [`| wall time | s | ${labels.map((l) => wallOf(l).toFixed(0)).join(' | ')} |`] : []),
  ].join('\n');
  const seedTable = (cols: readonly string[], tests: readonly BatteryTestId[]): string =>
    [
      `| test | unit | ${cols.join(' | ')} |`,
      `| --- | --- | ${cols.map(() => '---:').join(' | ')} |`,
      ...tests.map((t) => `| ${BATTERY[t].title} | ${BATTERY[t].unit} | ${cols.map((c) => overSeeds(c, t)).join(' | ')} |`),
    ].join('\n');
  const seedList = seeds.join(', ');
  const produced = !timing
    ? 'Produced by `npm run results` (this file is overwritten by it):'
    : timing.shards > 1
      ? `Produced by \`npm run results -- --merge\` (this file is overwritten by it) from ${timing.shards} shards, ${timing.minutes.toFixed(0)} minutes for the slowest, ${processes(timing.processes)} in all:`
      : `Produced by \`npm run results\` (this file is overwritten by it) in ${timing.minutes.toFixed(0)} minutes on ${processes(timing.processes)}:`;
  const local = keep(LOCAL_COLUMNS);
  const lm = keep(LM_COLUMNS);
  const sections = [
    `## 1. The battery, every model at its defaults (seed 1)

${mainTable}

What each number means (\`npm run battery -- --help\` prints the same):

${BATTERY_TESTS.map((t, i) => `${i + 1}. **${BATTERY[t].title}** (${BATTERY[t].unit}): ${BATTERY[t].description}`).join('\n')}

\`n/a\`: the score is a ratio over a base task the model did not learn (or needs no training
for), so it is not defined. The battery resets every model's state before each episode, so
\`loopy bptt\` and \`loopy tbptt\` compute the same on every test but the language model (where
tbptt carries state across windows); tbptt runs only that test, \`= bptt\` marks the rest.
${timing ? 'Wall time: seconds of the seed-1 runs of the column, each on one core. ' : ''}Models: ${BATTERY_MODEL_NAMES.map((m) => `\`${m}\`: ${BATTERY_MODELS[m].description}`).join('; ')}.`,
    local.length > 0 &&
      `## 2. Local learning rules against BPTT (seeds ${seedList})

The same loopy network (the battery's defaults) trained by each rule; \`npm run battery -- --model loopy --rule R --tests 2,3 --seed S\` runs one.

${seedTable(local, LOCAL_TESTS)}`,
    lm.length > 0 &&
      `## 3. Language model (seeds ${seedList})

${languageModel.steps} train steps of ${languageModel.window} characters × 8 lanes (${((languageModel.steps * languageModel.window * 8) / 1000).toFixed(0)} k characters), held-out chapters 11-12 read once; \`memoryless\` is the bigram and \`unigram\` the character-frequency calibration; uniform is ${Math.log2(37).toFixed(2)}.
Loopy networks by truncated BPTT (state carried across windows, as text needs) and by e-prop (traces and state carried); section 1 has every rule at seed 1.

${seedTable(lm, ['language-model'])}`,
    withAblations(plan) &&
      `## 4. LARA's claims by ablation (seeds ${seedList})

Each variant changes one setting of the battery's LARA (lab defaults at learning rate 0.01) and trains a fresh network on each task for ${trainSteps} steps
(text: windows of ${languageModel.window} characters), measuring held-out accuracy or bits per char every tenth of the way.
Score: mean ± sd of the final held-out score; steps: train steps to the criterion, over the seeds that reached it.
A verdict counts a difference only when it exceeds 2 standard errors and 2 accuracy points (0.05 bits); a diverged run scores chance (or uniform bits).
\`npm run study -- lara-ablations\` runs this section alone and prints JSON lines.

${ablationMarkdown(ablationReport(list.filter((r) => r.group === 'ablation')))}`,
  ].filter((s): s is string => typeof s === 'string');

  return `# Battery results

${produced}
${trainSteps} train steps per phase, 8 lanes, the language model ${languageModel.steps} steps of ${languageModel.window} characters,
tfjs ${tfjsVersions.tfjs}${timing ? ` on ${timing.backends.join(' and ')}` : ''}. Sections 2-4 give mean ± sd over seeds ${seedList} (sample sd).${plan.columns ? `\nColumns: ${plan.columns.join(', ')} only.` : ''}

${timing ? `Machine${timing.machines.length > 1 ? 's' : ''}: ${timing.machines.join('; ')}, ${new Date().toISOString().slice(0, 10)}.` : `Machine: ${machineLine()}.`}

${sections.join('\n\n')}
`;
}
