/**
 * The test battery (seed 001, docs/ARCHITECTURE.md): nine seeded tests that score any
 * SequenceModel with one number each, so parameters can be swept, and the
 * seed's stated goal, character-level language modelling in bits per char. Every
 * test builds its models through a factory, trains them on episodes (the
 * model's state is reset at the start of each), and measures on fresh
 * episodes. Ratios that would divide by a model that never learned are NaN:
 * "not defined", never a made-up number.
 */
import { deriveSeed, createRng } from '../random';
import type { SequenceModel } from '../sequence-model';
import { MOBY_DICK } from '../tasks/moby-dick-corpus';
import { TEXT_ALPHABET } from '../tasks/text-task';
import {
  accuracy,
  circuit,
  curveEvery,
  heldOutBits,
  learningCurve,
  mean,
  spec,
  textSpec,
  textTrainStream,
  train,
  trainOnText,
  BatteryDiverged,
  type BatteryConfig,
  type BatteryTest,
  type DivergedAt,
  type TestOutcome,
  type ModelFactory,
  type RunContext,
} from './battery-phases';
import { STUDY_TASKS } from './study-tasks';
import {
  circuitEpisodes,
  longTermEpisodes,
  memorisationEpisodes,
  perturbCircuit,
  recallEpisodes,
  type EpisodeSource,
} from './battery-streams';
import {
  BATTERY_TEST_INFO,
  CIRCUIT,
  CIRCUIT_LENGTH,
  CIRCUIT_WARMUP,
  LONG_TERM_GAPS,
  MEMORISE_LENGTHS,
  NOISE_SIGMAS,
  RECALL,
  REMOVED_FRACTIONS,
  SOLVED,
  type BatteryTestId,
} from './battery-tests';

export { BATTERY_TESTS, STUDY_TESTS, type BatteryTestId } from './battery-tests';
export { BatteryCancelled, BatteryDiverged, type BatteryConfig, type BatteryTest, type DivergedAt, type ModelFactory, type RunContext, type TestOutcome } from './battery-phases';

/**
 * The language-model test's budget for a battery of `trainSteps` steps per
 * phase: 4x the steps, 64 characters per window. At 150 x 32 characters no
 * model beat the memoryless bigram by more than 0.2 bits (docs/RESULTS.md, 2026-11-23).
 */
export function languageModelBudget(trainSteps: number): BatteryConfig['languageModel'] {
  return { steps: 4 * trainSteps, window: 64 };
}

export const DEFAULT_BATTERY_CONFIG: BatteryConfig = { lanes: 8, trainSteps: 150, evalBatches: 4, seed: 1, languageModel: languageModelBudget(150) };

const MEMORISE_SYMBOLS = 4;
/** A model must beat chance by this much before ratios of its accuracy mean anything. */
const LEARNED_MARGIN = 0.1;

/** (after - chance) / (before - chance), clipped to [0, 1]; NaN when `before` is not clearly above chance. */
function retained(after: number, before: number, chance: number): number {
  if (before - chance < LEARNED_MARGIN) return NaN;
  return Math.min(1, Math.max(0, (after - chance) / (before - chance)));
}

/**
 * Steps-to-criterion speed-up of `after` over `scratch`: the criterion is 95%
 * of what the scratch model reaches (above chance); NaN when scratch does not
 * learn or is already there before training.
 */
function speedUp(scratch: number[], after: number[], chance: number, every: number): { ratio: number; criterion: number } {
  const best = Math.max(...scratch);
  const criterion = chance + 0.95 * (best - chance);
  if (best - chance < LEARNED_MARGIN) return { ratio: NaN, criterion };
  const first = (curve: number[]): number => {
    const i = curve.findIndex((a) => a >= criterion);
    return (i < 0 ? curve.length : i) * every;
  };
  const s = first(scratch);
  const a = first(after);
  if (s === 0) return { ratio: NaN, criterion };
  return { ratio: s / Math.max(a, every / 2), criterion };
}

const memorisation: BatteryTest = {
  ...BATTERY_TEST_INFO.memorisation,
  async run(factory, config, ctx) {
    let best = 0;
    let steps = 0;
    const details: Record<string, number> = {};
    for (const [i, length] of MEMORISE_LENGTHS.entries()) {
      const source = memorisationEpisodes(length, MEMORISE_SYMBOLS, deriveSeed(config.seed, `memorise-${length}`));
      const model = factory(spec(source, config, `memorise-${length}`));
      try {
        await train(model, source, config.trainSteps, { ...ctx, progress: (f) => ctx.progress((i + f) / MEMORISE_LENGTHS.length) }, `memorise-${length}`);
        steps += config.trainSteps;
        const acc = await accuracy(model, source, 1, `memorise-${length}`);
        details[`accuracy@${length}`] = acc;
        if (acc < SOLVED) break;
        best = length;
      } finally {
        model.dispose();
      }
    }
    return { score: best, unit: 'symbols', steps, details };
  },
};

const circuitTest: BatteryTest = {
  ...BATTERY_TEST_INFO.circuit,
  async run(factory, config, ctx) {
    const source = circuitEpisodes([circuit(config, 'circuit')], CIRCUIT_LENGTH, CIRCUIT_WARMUP, deriveSeed(config.seed, 'circuit-data'));
    const model = factory(spec(source, config, 'circuit'));
    try {
      await train(model, source, config.trainSteps, ctx, 'circuit');
      const acc = await accuracy(model, source, config.evalBatches, 'circuit');
      return { score: acc, unit: 'accuracy', steps: config.trainSteps, details: { chance: 1 / CIRCUIT.outputs } };
    } finally {
      model.dispose();
    }
  },
};

const longTerm: BatteryTest = {
  ...BATTERY_TEST_INFO['long-term'],
  async run(factory, config, ctx) {
    let best = 0;
    let steps = 0;
    const details: Record<string, number> = {};
    for (const [i, gap] of LONG_TERM_GAPS.entries()) {
      const source = longTermEpisodes(gap, deriveSeed(config.seed, `gap-${gap}`));
      const model = factory(spec(source, config, `gap-${gap}`));
      try {
        await train(model, source, config.trainSteps, { ...ctx, progress: (f) => ctx.progress((i + f) / LONG_TERM_GAPS.length) }, `gap-${gap}`);
        steps += config.trainSteps;
        const acc = await accuracy(model, source, config.evalBatches, `gap-${gap}`);
        details[`accuracy@${gap}`] = acc;
        if (acc < SOLVED) break;
        best = gap;
      } finally {
        model.dispose();
      }
    }
    return { score: best, unit: 'steps', steps, details };
  },
};

/** Trains a fresh model on recall-2 and hands it to `measure` with its clean accuracy. */
async function onTrainedRecall(
  factory: ModelFactory,
  config: BatteryConfig,
  ctx: RunContext,
  label: string,
  measure: (model: SequenceModel, clean: number) => Promise<Record<string, number>>,
): Promise<{ clean: number; details: Record<string, number> }> {
  const source = recallEpisodes(RECALL.delay, RECALL.symbols, RECALL.length, deriveSeed(config.seed, `${label}-data`));
  const model = factory(spec(source, config, label));
  try {
    await train(model, source, config.trainSteps, { ...ctx, progress: (f) => ctx.progress(0.8 * f) }, label);
    const clean = await accuracy(model, source, config.evalBatches, label);
    const details = await measure(model, clean);
    return { clean, details };
  } finally {
    model.dispose();
  }
}

const garbage: BatteryTest = {
  ...BATTERY_TEST_INFO.garbage,
  async run(factory, config, ctx) {
    const chance = 1 / RECALL.symbols;
    const burst = (garbage: number | 'random', i: number): EpisodeSource =>
      recallEpisodes(RECALL.delay, RECALL.symbols, RECALL.length, deriveSeed(config.seed, `garbage-${i}`), { at: 8, length: 4, garbage });
    const r = await onTrainedRecall(factory, config, ctx, 'garbage', async (model) => ({
      unseen: await accuracy(model, burst(RECALL.symbols, 0), config.evalBatches),
      random: await accuracy(model, burst('random', 1), config.evalBatches),
    }));
    const after = ((r.details.unseen as number) + (r.details.random as number)) / 2;
    return { score: retained(after, r.clean, chance), unit: 'retained', steps: config.trainSteps, details: { clean: r.clean, ...r.details } };
  },
};

/**
 * Recall-2 accuracy of a trained model under each level of `damage` (undone
 * after each): the mean fraction of clean accuracy above chance kept.
 */
async function robustness(
  factory: ModelFactory,
  config: BatteryConfig,
  ctx: RunContext,
  label: string,
  levels: readonly number[],
  damage: (model: SequenceModel, level: number, seed: number) => Promise<void>,
): Promise<TestOutcome> {
  const chance = 1 / RECALL.symbols;
  const source = recallEpisodes(RECALL.delay, RECALL.symbols, RECALL.length, deriveSeed(config.seed, `${label}-eval`));
  const r = await onTrainedRecall(factory, config, ctx, label, async (model) => {
    const out: Record<string, number> = {};
    for (const [i, level] of levels.entries()) {
      const cp = await model.checkpoint();
      await damage(model, level, deriveSeed(config.seed, `${label}-${i}`));
      out[`accuracy@${level}`] = await accuracy(model, source, config.evalBatches);
      cp.restore();
      cp.dispose();
    }
    return out;
  });
  const kept = levels.map((l) => retained(r.details[`accuracy@${l}`] as number, r.clean, chance));
  return { score: mean(kept), unit: 'retained', steps: config.trainSteps, details: { clean: r.clean, ...r.details } };
}

const weightNoise: BatteryTest = {
  ...BATTERY_TEST_INFO['weight-noise'],
  run: (factory, config, ctx) => robustness(factory, config, ctx, 'noise', NOISE_SIGMAS, (m, sigma, seed) => m.perturbWeights(sigma, seed)),
};

const removal: BatteryTest = {
  ...BATTERY_TEST_INFO.removal,
  run: (factory, config, ctx) => robustness(factory, config, ctx, 'removal', REMOVED_FRACTIONS, (m, fraction, seed) => m.removeConnections(fraction, seed)),
};

const forgetting: BatteryTest = {
  ...BATTERY_TEST_INFO.forgetting,
  async run(factory, config, ctx) {
    const chance = 1 / CIRCUIT.outputs;
    const x = circuitEpisodes([circuit(config, 'forget-x')], CIRCUIT_LENGTH, CIRCUIT_WARMUP, deriveSeed(config.seed, 'forget-x-data'));
    const y = circuitEpisodes([circuit(config, 'forget-y')], CIRCUIT_LENGTH, CIRCUIT_WARMUP, deriveSeed(config.seed, 'forget-y-data'));
    const model = factory(spec(x, config, 'forget'));
    try {
      await train(model, x, config.trainSteps, ctx, 'forget-x', 0, 2 * config.trainSteps);
      const before = await accuracy(model, x, config.evalBatches, 'forget-x');
      await train(model, y, config.trainSteps, ctx, 'forget-y', config.trainSteps, 2 * config.trainSteps);
      const onY = await accuracy(model, y, config.evalBatches, 'forget-y');
      const after = await accuracy(model, x, config.evalBatches);
      return { score: retained(after, before, chance), unit: 'retained', steps: 2 * config.trainSteps, details: { before, after, onY } };
    } finally {
      model.dispose();
    }
  },
};

/** Speed-up of learning `target` after `pretrain` phases over learning it from scratch. */
async function speedUpTest(
  factory: ModelFactory,
  config: BatteryConfig,
  ctx: RunContext,
  label: string,
  pretrain: readonly EpisodeSource[],
  target: EpisodeSource,
): Promise<TestOutcome> {
  const chance = 1 / target.outputSize;
  const every = curveEvery(config.trainSteps);
  const phases = pretrain.length + 2;
  const phaseCtx = (i: number): RunContext => ({ ...ctx, progress: (f) => ctx.progress((i + f) / phases) });
  const scratchModel = factory(spec(target, config, `${label}-scratch`));
  let scratch: number[];
  try {
    scratch = await learningCurve(scratchModel, target, config, phaseCtx(0), `${label}-scratch`);
  } finally {
    scratchModel.dispose();
  }
  const model = factory(spec(target, config, `${label}-pretrained`));
  let after: number[];
  try {
    for (const [i, source] of pretrain.entries()) await train(model, source, config.trainSteps, phaseCtx(i + 1), `${label}-pretrain-${i + 1}`);
    after = await learningCurve(model, target, config, phaseCtx(phases - 1), `${label}-pretrained`);
  } finally {
    model.dispose();
  }
  const { ratio, criterion } = speedUp(scratch, after, chance, every);
  return {
    score: ratio,
    unit: '× speed-up',
    steps: (pretrain.length + 2) * config.trainSteps,
    details: { criterion, scratchFinal: scratch.at(-1) as number, pretrainedStart: after[0] as number, pretrainedFinal: after.at(-1) as number },
  };
}

const transfer: BatteryTest = {
  ...BATTERY_TEST_INFO.transfer,
  async run(factory, config, ctx) {
    const x = circuit(config, 'transfer-x');
    const xDelta = perturbCircuit(x, 2, createRng(deriveSeed(config.seed, 'transfer-delta')));
    const data = deriveSeed(config.seed, 'transfer-data');
    return speedUpTest(factory, config, ctx, 'transfer', [circuitEpisodes([x], CIRCUIT_LENGTH, CIRCUIT_WARMUP, data)], circuitEpisodes([xDelta], CIRCUIT_LENGTH, CIRCUIT_WARMUP, data + 1));
  },
};

const composition: BatteryTest = {
  ...BATTERY_TEST_INFO.composition,
  async run(factory, config, ctx) {
    const a = circuit(config, 'compose-a');
    const b = circuit(config, 'compose-b');
    const data = deriveSeed(config.seed, 'compose-data');
    return speedUpTest(
      factory,
      config,
      ctx,
      'composition',
      [circuitEpisodes([a], CIRCUIT_LENGTH, CIRCUIT_WARMUP, data), circuitEpisodes([b], CIRCUIT_LENGTH, CIRCUIT_WARMUP, data + 1)],
      circuitEpisodes([a, b], CIRCUIT_LENGTH, 2 * CIRCUIT_WARMUP, data + 2),
    );
  },
};

const languageModel: BatteryTest = {
  ...BATTERY_TEST_INFO['language-model'],
  async run(factory, config, ctx) {
    const { steps, window } = config.languageModel;
    const model = factory(textSpec(config, 'language-model'));
    try {
      await trainOnText(model, textTrainStream(config, 'lm-train'), steps, window, ctx, 'language-model');
      // Held-out: the text cut into one contiguous piece per lane, read once from a fresh state.
      const { bits, scored } = await heldOutBits(model, MOBY_DICK.heldOut, window, 'language-model');
      return { score: bits, unit: 'bits/char', steps, details: { heldOutChars: scored, uniform: Math.log2(TEXT_ALPHABET.length), window } };
    } finally {
      model.dispose();
    }
  },
};

export const BATTERY: Readonly<Record<BatteryTestId, BatteryTest>> = {
  memorisation,
  circuit: circuitTest,
  'long-term': longTerm,
  garbage,
  'weight-noise': weightNoise,
  removal,
  forgetting,
  transfer,
  composition,
  'language-model': languageModel,
  ...STUDY_TASKS,
};

export interface BatteryResult extends TestOutcome {
  readonly test: BatteryTestId;
  readonly model: string;
  /** Wall time of the test in milliseconds. */
  readonly ms: number;
  /** Where the model diverged (its score is then NaN and its details empty), or null. */
  readonly diverged: DivergedAt | null;
}

/** `model`, counting its train steps (a diverged test reports the steps it spent). */
function counted(model: SequenceModel, onStep: () => void): SequenceModel {
  return {
    kind: model.kind,
    lanes: model.lanes,
    train: (batch) => {
      onStep();
      return model.train(batch);
    },
    evaluate: (batch) => model.evaluate(batch),
    resetState: () => model.resetState(),
    checkpoint: () => model.checkpoint(),
    perturbWeights: (sigma, seed) => model.perturbWeights(sigma, seed),
    removeConnections: (fraction, seed) => model.removeConnections(fraction, seed),
    dispose: () => model.dispose(),
  };
}

/** Runs `tests` in order, reporting each result as it lands; rejects with BatteryCancelled when aborted. A test whose model diverges lands as diverged. */
export async function runBattery(
  factory: ModelFactory,
  model: string,
  tests: readonly BatteryTestId[],
  config: BatteryConfig,
  on: { result?(r: BatteryResult): void; progress?(test: BatteryTestId, fraction: number, overall: number): void; signal?: AbortSignal },
): Promise<BatteryResult[]> {
  const results: BatteryResult[] = [];
  for (const [i, id] of tests.entries()) {
    const started = performance.now();
    let steps = 0;
    let outcome: TestOutcome & { readonly diverged: DivergedAt | null };
    try {
      const o = await BATTERY[id].run((spec) => counted(factory(spec), () => (steps += 1)), config, {
        signal: on.signal,
        progress: (f) => on.progress?.(id, f, (i + Math.min(1, f)) / tests.length),
      });
      outcome = { ...o, diverged: null };
    } catch (e) {
      if (!(e instanceof BatteryDiverged)) throw e;
      outcome = { score: NaN, unit: BATTERY[id].unit, steps, details: {}, diverged: e.at };
    }
    const r: BatteryResult = { test: id, model, ...outcome, ms: Math.round(performance.now() - started) };
    results.push(r);
    on.result?.(r);
  }
  return results;
}
