/**
 * The battery is itself tested: an oracle that knows every answer gets the
 * top of each scale, a random predictor gets chance, and a loop-free control
 * scores lower on the long-term dependency test than a trained recurrent model.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createLaraSequenceModel } from '../lara/lara-sequence-model';
import { createLoopySequenceModel } from '../loopy/loopy-model';
import { useBackend } from '../testing/backends';
import { BATTERY, BATTERY_TESTS, DEFAULT_BATTERY_CONFIG, languageModelBudget, runBattery, type BatteryResult } from './battery';
import { TEXT_ALPHABET } from '../tasks/text-task';
import { createMemoryless, createOracle, createRandomPredictor, createUnigram } from './calibration-models';
import { STUDY_TESTS } from './battery-tests';
import { stepsToCriterion } from './study-tasks';
import type { ModelSpec, SequenceModel } from '../sequence-model';

const config = { ...DEFAULT_BATTERY_CONFIG, trainSteps: 20, evalBatches: 8, languageModel: languageModelBudget(20) };
const byTest = (rs: BatteryResult[]) => Object.fromEntries(rs.map((r) => [r.test, r]));

describe('battery calibration', () => {
  it('an oracle gets the top score of every test where one is defined', async () => {
    const r = byTest(await runBattery(createOracle, 'oracle', BATTERY_TESTS, config, {}));
    expect(r.memorisation?.score).toBe(64);
    expect(r.circuit?.score).toBe(1);
    expect(r['long-term']?.score).toBe(32);
    for (const t of ['garbage', 'weight-noise', 'removal', 'forgetting'] as const) expect(r[t]?.score, t).toBe(1);
    // A model that needs no training has no steps-to-criterion to compare.
    expect(r.transfer?.score).toBeNaN();
    expect(r.composition?.score).toBeNaN();
    expect(r['language-model']?.score).toBe(0);
  });

  it('a random predictor gets chance, and ratios of an unlearned model are not defined', async () => {
    const r = byTest(await runBattery(createRandomPredictor, 'random', BATTERY_TESTS, config, {}));
    expect(r.memorisation?.score).toBe(0);
    expect(r['long-term']?.score).toBe(0);
    expect(Math.abs((r.circuit?.score as number) - 1 / 3)).toBeLessThan(0.06);
    for (const t of ['garbage', 'weight-noise', 'removal', 'forgetting', 'transfer', 'composition'] as const) expect(r[t]?.score, t).toBeNaN();
    expect(r['language-model']?.score).toBeCloseTo(Math.log2(TEXT_ALPHABET.length), 6);
  });

  it('a model of the current character alone beats uniform on held-out text', async () => {
    const [r] = await runBattery(createMemoryless, 'memoryless', ['language-model'], config, {});
    expect(r?.score).toBeLessThan(Math.log2(TEXT_ALPHABET.length) - 1);
  });

  it('a model that ignores its input (unigram) is beaten on text by one that reads the current character', async () => {
    const [unigram] = await runBattery(createUnigram, 'unigram', ['language-model'], config, {});
    const [memoryless] = await runBattery(createMemoryless, 'memoryless', ['language-model'], config, {});
    // English letter frequencies carry about 4.1 bits per character; one character of context takes a fair share off.
    expect(unigram?.score).toBeGreaterThan(3.9);
    expect(unigram?.score).toBeLessThan(4.5);
    expect(memoryless?.score).toBeLessThan((unigram?.score as number) - 0.4);
  });

  it('the study tasks: an oracle is right from the first curve point, a random predictor never reaches a criterion', async () => {
    const oracle = byTest(await runBattery(createOracle, 'oracle', STUDY_TESTS, config, {}));
    expect(oracle['recall-curve']?.score).toBe(1);
    expect(oracle['circuit-curve']?.score).toBe(1);
    expect(oracle['text-curve']?.score).toBe(0);
    for (const t of STUDY_TESTS) expect(oracle[t]?.details.stepsToCriterion, t).toBe(0);
    const random = byTest(await runBattery(createRandomPredictor, 'random', STUDY_TESTS, config, {}));
    expect(Math.abs((random['recall-curve']?.score as number) - 0.25)).toBeLessThan(0.08);
    expect(random['text-curve']?.score).toBeCloseTo(Math.log2(TEXT_ALPHABET.length), 6);
    for (const t of STUDY_TESTS) expect(random[t]?.details.stepsToCriterion, t).toBeNaN();
  });

  it('steps to a criterion: the first curve point that meets it, in the direction that is better', () => {
    expect(stepsToCriterion([0.2, 0.5, 0.96, 0.9, 0.97], 15, 0.95, 'higher')).toBe(30);
    expect(stepsToCriterion([5, 4.5, 3.9], 10, 4, 'lower')).toBe(20);
    expect(stepsToCriterion([0.2, 0.5], 15, 0.95, 'higher')).toBeNaN();
  });

  it('every test states its unit and the unit of its results', async () => {
    const rs = await runBattery(createOracle, 'oracle', BATTERY_TESTS, config, {});
    for (const r of rs) expect(r.unit).toBe(BATTERY[r.test].unit);
  });

  // An oracle whose loss turns NaN (or whose trained weights would): every score would still be perfect, so a score here is taken from a diverged model.
  const divergingOracle = (afterSteps: number, where: 'train' | 'evaluate') => (spec: ModelSpec): SequenceModel => {
    const m = createOracle(spec);
    let steps = 0;
    return {
      ...m,
      train: async (batch) => {
        steps += 1;
        const s = await m.train(batch);
        return where === 'train' && steps >= afterSteps ? { ...s, loss: steps % 2 === 0 ? NaN : Infinity } : s;
      },
      evaluate: async (batch) => {
        const e = await m.evaluate(batch);
        return where === 'evaluate' && steps >= afterSteps ? { ...e, loss: NaN } : e;
      },
    };
  };

  it.each(BATTERY_TESTS)('a loss that turns non-finite while training marks %s diverged, with no score', async (test) => {
    const [r] = await runBattery(divergingOracle(5, 'train'), 'diverging', [test], config, {});
    expect(r?.diverged).not.toBeNull();
    expect(r?.diverged?.step).toBe(5);
    expect(Number.isFinite(r?.diverged?.loss)).toBe(false);
    expect(r?.score).toBeNaN();
    expect(r?.details).toEqual({});
    // Every train step of every model the test built, up to the one that diverged.
    expect(r?.steps).toBeGreaterThanOrEqual(5);
    expect(r?.unit).toBe(BATTERY[test].unit);
  });

  it('a model whose trained weights give a non-finite loss on evaluation is diverged too', async () => {
    const [r] = await runBattery(divergingOracle(config.trainSteps, 'evaluate'), 'diverging', ['circuit'], config, {});
    expect(r?.diverged?.phase).toBe('circuit (evaluation)');
    expect(r?.score).toBeNaN();
  });

  it('a model that never diverges says so, and a loss that is NaN because nothing was scored is not divergence', async () => {
    const rs = await runBattery(createMemoryless, 'memoryless', ['circuit', 'memorisation'], config, {});
    for (const r of rs) expect(r.diverged).toBeNull();
  });

  it('can be cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(runBattery(createOracle, 'oracle', ['circuit'], config, { signal: controller.signal })).rejects.toThrow(/cancelled/);
  });

  describe('a loop-free control against a trained recurrent model [wasm]', () => {
    beforeAll(async () => {
      await useBackend('wasm');
    });
    it('scores lower on the long-term dependency test', async () => {
      const recurrent = { ...config, trainSteps: 60, lanes: 8 };
      const [control] = await runBattery(createMemoryless, 'memoryless', ['long-term'], recurrent, {});
      const [lara] = await runBattery((s) => createLaraSequenceModel(s, { nodes: 8, width: 8 }), 'lara', ['long-term'], recurrent, {});
      expect(control?.score).toBe(0);
      expect(lara?.score).toBeGreaterThan(control?.score as number);
    });

    it('a feed-forward (loop-free) loopy network scores lower than a loopy one', async () => {
      const cfg = { ...config, trainSteps: 50, lanes: 8 };
      const net = { hidden: 16, degree: 3, width: 2, thinkTicks: 2, learningRate: 0.03 };
      const [ff] = await runBattery((s) => createLoopySequenceModel(s, { ...net, generator: 'feed-forward' }), 'ff', ['long-term'], cfg, {});
      const [loopy] = await runBattery((s) => createLoopySequenceModel(s, { ...net, generator: 'erdos-renyi' }), 'loopy', ['long-term'], cfg, {});
      expect(ff?.score).toBe(0);
      expect(loopy?.score).toBeGreaterThan(ff?.score as number);
    });
  });
});
