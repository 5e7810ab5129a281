/**
 * The ablation study's three tasks (battery-tests.ts STUDY_TESTS): each
 * trains one fresh model for the battery's step count, measuring a learning
 * curve on fresh episodes (or the first held-out characters) every tenth of
 * it. The score is the final held-out accuracy or bits per char; the train
 * steps to the task's criterion (NaN: not reached) go in the details.
 */
import { deriveSeed } from '../random';
import { MOBY_DICK } from '../tasks/moby-dick-corpus';
import { circuitEpisodes, recallEpisodes, type EpisodeSource } from './battery-streams';
import {
  accuracy,
  circuit,
  curveEvery,
  heldOutBits,
  learningCurve,
  spec,
  textSpec,
  textTrainStream,
  trainOnText,
  type BatteryTest,
  type TestOutcome,
} from './battery-phases';
import { BATTERY_TEST_INFO, CIRCUIT_LENGTH, CIRCUIT_WARMUP, STUDY_CRITERIA, STUDY_RECALL, TEXT_CURVE_CHARS, type StudyTestId } from './battery-tests';
import type { BatteryConfig, ModelFactory, RunContext } from './battery-phases';

/** Train steps at the first curve point that meets `criterion` (higher or lower is better), NaN when none does. */
export function stepsToCriterion(curve: readonly number[], every: number, criterion: number, better: 'higher' | 'lower'): number {
  const i = curve.findIndex((v) => (better === 'higher' ? v >= criterion : v <= criterion));
  return i < 0 ? NaN : i * every;
}

/** A learning curve on `source`, then the final accuracy on as many fresh episodes again. */
async function episodeTask(id: 'recall-curve' | 'circuit-curve', source: EpisodeSource, factory: ModelFactory, config: BatteryConfig, ctx: RunContext): Promise<TestOutcome> {
  const model = factory(spec(source, config, id));
  try {
    const curve = await learningCurve(model, source, config, ctx, id);
    const final = await accuracy(model, source, 2 * config.evalBatches, id);
    const criterion = STUDY_CRITERIA[id];
    return {
      score: final,
      unit: 'accuracy',
      steps: config.trainSteps,
      details: { criterion, stepsToCriterion: stepsToCriterion(curve, curveEvery(config.trainSteps), criterion, 'higher'), chance: 1 / source.outputSize },
    };
  } finally {
    model.dispose();
  }
}

const recallCurve: BatteryTest = {
  ...BATTERY_TEST_INFO['recall-curve'],
  run: (factory, config, ctx) =>
    episodeTask('recall-curve', recallEpisodes(STUDY_RECALL.delay, STUDY_RECALL.symbols, STUDY_RECALL.length, deriveSeed(config.seed, 'study-recall-data')), factory, config, ctx),
};

const circuitCurve: BatteryTest = {
  ...BATTERY_TEST_INFO['circuit-curve'],
  run: (factory, config, ctx) =>
    episodeTask('circuit-curve', circuitEpisodes([circuit(config, 'study-circuit')], CIRCUIT_LENGTH, CIRCUIT_WARMUP, deriveSeed(config.seed, 'study-circuit-data')), factory, config, ctx),
};

const textCurve: BatteryTest = {
  ...BATTERY_TEST_INFO['text-curve'],
  async run(factory, config, ctx) {
    const window = config.languageModel.window;
    const model = factory(textSpec(config, 'text-curve'));
    const stream = textTrainStream(config, 'text-curve-train');
    const every = curveEvery(config.trainSteps);
    const point = async (): Promise<number> => (await heldOutBits(model, MOBY_DICK.heldOut, window, 'text-curve', TEXT_CURVE_CHARS)).bits;
    try {
      const curve = [await point()];
      for (let done = 0; done < config.trainSteps; done += every) {
        await trainOnText(model, stream, Math.min(every, config.trainSteps - done), window, ctx, 'text-curve', done, config.trainSteps);
        curve.push(await point());
      }
      const { bits, scored } = await heldOutBits(model, MOBY_DICK.heldOut, window, 'text-curve');
      const criterion = STUDY_CRITERIA['text-curve'];
      return { score: bits, unit: 'bits/char', steps: config.trainSteps, details: { criterion, stepsToCriterion: stepsToCriterion(curve, every, criterion, 'lower'), heldOutChars: scored } };
    } finally {
      model.dispose();
    }
  },
};

export const STUDY_TASKS: Readonly<Record<StudyTestId, BatteryTest>> = {
  'recall-curve': recallCurve,
  'circuit-curve': circuitCurve,
  'text-curve': textCurve,
};
