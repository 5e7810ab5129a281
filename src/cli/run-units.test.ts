/** The run pool: results cross the process boundary intact, and two child processes compute what one process does. */
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../engine/testing/backends';
import { fromJson, runPool, runUnit, toJson, unitKey, type RunUnit } from './run-units';

const base = { trainSteps: 3, languageModel: { steps: 3, window: 16 } } as const;
const units: RunUnit[] = [
  { ...base, column: 'memoryless', model: 'memoryless', params: {}, test: 'language-model', seed: 1 },
  { ...base, column: 'random', model: 'random', params: {}, test: 'transfer', seed: 2 },
  { ...base, column: 'gru', model: 'gru', params: { hidden: 4 }, test: 'circuit', seed: 1 },
  { ...base, group: 'ablation', column: 'bias on', model: 'lara', params: { nodes: 6, width: 4, bias: true }, test: 'recall-curve', seed: 3 },
];

describe('run pool', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('NaN scores and details survive JSON as NaN', () => {
    const r = { ...units[1]!, score: NaN, unit: '× speed-up', steps: 9, ms: 1, diverged: null, details: { criterion: 0.5, stepsToCriterion: NaN } };
    const back = fromJson(toJson(r));
    expect(back.score).toBeNaN();
    expect(back.details.stepsToCriterion).toBeNaN();
    expect(back.details.criterion).toBe(0.5);
    expect(unitKey(back)).toBe(unitKey(r));
  });

  it('two child processes give the same results as this process, every unit once', async () => {
    const here = new Map<string, number>();
    for (const u of units) here.set(unitKey(u), (await runUnit(u)).score);
    const seen: number[] = [];
    const pooled = await runPool(units, 2, (_, done) => seen.push(done));
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(new Set(pooled.map(unitKey))).toEqual(new Set(here.keys()));
    for (const r of pooled) {
      const expected = here.get(unitKey(r)) as number;
      if (Number.isNaN(expected)) expect(r.score).toBeNaN();
      else expect(r.score, unitKey(r)).toBeCloseTo(expected, 6);
    }
  }, 120_000);
});
