/** The ablation study's bookkeeping: which runs it needs, its statistics and its verdicts. */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LARA_PARAMS } from '../lara/lara-params';
import { LaraTrainer } from '../lara/lara-trainer';
import { BATTERY_LARA_PARAMS } from '../lara/lara-sequence-model';
import { useBackend } from '../testing/backends';
import { recallEpisodes } from './battery-streams';
import { ablationRuns, claimVerdicts, compare, LARA_CLAIMS, summarise, summariseAblations, type AblationResult } from './lara-ablations';
import { STUDY_TESTS } from './battery-tests';

describe('ablation runs', () => {
  it('need the base and every claim side that differs from it, once each', () => {
    const runs = ablationRuns(DEFAULT_LARA_PARAMS);
    expect(runs[0]?.label).toBe('base');
    // The defaults are the seed's form for biases, gates and routing, and the alternative for resting and growth.
    expect(runs[0]?.stands).toEqual(['bias off', 'gate gaussian', 'routing argmax', 'resting off', 'growth off']);
    expect(runs.map((r) => r.label).slice(1)).toEqual(['bias on', 'gate sigmoid', 'gate softmax', 'routing random-walk', 'routing all-active', 'resting on', 'growth on']);
    const keys = new Set(runs.map((r) => JSON.stringify(r.params)));
    expect(keys.size).toBe(runs.length);
  });

  it('each variant changes only the setting it names', () => {
    const base = DEFAULT_LARA_PARAMS;
    for (const r of ablationRuns(base).slice(1)) {
      const changed = Object.keys(base).filter((k) => JSON.stringify(base[k as keyof typeof base]) !== JSON.stringify(r.params[k as keyof typeof base]));
      expect(changed, r.label).toHaveLength(1);
    }
    const growth = ablationRuns(base).find((r) => r.label === 'growth on');
    expect(growth?.params.growth).toEqual({ ...base.growth, enabled: true, trigger: 'visits', splitAbove: 1 / base.nodes });
  });
});

describe('the growth variant', () => {
  beforeAll(() => useBackend('wasm'));

  it('grows within a study budget where the lab setting does not', async () => {
    const nodesAfter = async (label: string): Promise<number> => {
      const run = ablationRuns(BATTERY_LARA_PARAMS).find((r) => r.label === label);
      const source = recallEpisodes(4, 4, 24, 5);
      const t = LaraTrainer.forSizes({ model: 'lara', task: 'recall', seed: 1, params: { ...(run?.params ?? BATTERY_LARA_PARAMS), batch: 8 } }, source);
      for (let i = 0; i < 50; i++) {
        t.resetState();
        await t.trainOn(source.next(8));
      }
      const n = t.currentGraph.nodes.length;
      t.dispose();
      return n;
    };
    expect(await nodesAfter('growth on')).toBeGreaterThan(BATTERY_LARA_PARAMS.nodes);
    const atLabSetting = ablationRuns({ ...BATTERY_LARA_PARAMS, growth: { ...BATTERY_LARA_PARAMS.growth, enabled: true } });
    expect(atLabSetting.find((r) => r.label === 'growth on')?.params.growth.splitAbove).toBe(1 / BATTERY_LARA_PARAMS.nodes);
    expect(await nodesAfter('base')).toBe(BATTERY_LARA_PARAMS.nodes);
  }, 60_000);
});

describe('statistics', () => {
  it('mean and sample standard deviation', () => {
    const s = summarise([1, 2, 3, 6]);
    expect(s.mean).toBe(3);
    expect(s.sd).toBeCloseTo(Math.sqrt(14 / 3), 12);
    expect(summarise([5]).sd).toBe(0);
    expect(summarise([]).mean).toBeNaN();
  });

  it('a difference counts only beyond two standard errors and the minimum effect, in the direction that is better', () => {
    const hi = { mean: 0.9, sd: 0.01, n: 3 };
    const lo = { mean: 0.7, sd: 0.01, n: 3 };
    expect(compare(hi, lo, 'circuit-curve')).toBe(1);
    expect(compare(lo, hi, 'circuit-curve')).toBe(-1);
    // Lower bits per char are better.
    expect(compare({ mean: 3.5, sd: 0.01, n: 3 }, { mean: 4, sd: 0.01, n: 3 }, 'text-curve')).toBe(1);
    // Noisy: 0.2 apart with sd 0.3 over 3 seeds is within 2 standard errors (0.49).
    expect(compare({ ...hi, sd: 0.3 }, { ...lo, sd: 0.3 }, 'circuit-curve')).toBe(0);
    // Below the 2-point minimum effect however certain.
    expect(compare({ mean: 0.81, sd: 0, n: 3 }, { mean: 0.8, sd: 0, n: 3 }, 'circuit-curve')).toBe(0);
  });
});

function result(label: string, task: AblationResult['task'], seed: number, score: number, diverged = false): AblationResult {
  return { label, task, seed, score, diverged, stepsToCriterion: score > 0.9 ? 30 : NaN };
}

describe('verdicts', () => {
  const runs = ablationRuns(DEFAULT_LARA_PARAMS);
  const everyRun = (scores: Readonly<Record<string, number>>, spread = 0.005): AblationResult[] =>
    runs.flatMap((r) => STUDY_TESTS.flatMap((t) => [1, 2, 3].map((s) => result(r.label, t, s, (scores[r.label] ?? 0.8) + (t === 'text-curve' ? 3 : 0) + spread * (s - 2)))));

  it('a seed form better on a task and worse on none held; an alternative better somewhere and worse nowhere did not hold; equal is undecided', () => {
    // Base (bias off, gaussian, argmax, resting off, growth off) at 0.8; bias on clearly worse; resting on clearly better.
    const results = everyRun({ 'bias on': 0.6, 'resting on': 0.9 });
    const byClaim = Object.fromEntries(claimVerdicts(summariseAblations(results, () => 0), runs).map((v) => [v.claim.id, v.verdict]));
    // Text: bits 3.6 for bias on vs 3.8 for base is better for bias on there, so the bias claim is mixed: undecided.
    expect(byClaim['no-bias']).toBe('undecided');
    // Resting on scores 0.9 accuracy (better) and 3.9 bits (worse): mixed again.
    expect(byClaim['resting-phase']).toBe('undecided');
    expect(byClaim['gaussian-gates']).toBe('undecided');
    expect(byClaim['growth']).toBe('undecided');
  });

  it('decides where every task agrees', () => {
    const episodes = runs.flatMap((r) =>
      (['recall-curve', 'circuit-curve'] as const).flatMap((t) => [1, 2, 3].map((s) => result(r.label, t, s, (r.label === 'bias on' ? 0.6 : r.label === 'growth on' ? 0.95 : 0.8) + 0.004 * s))),
    );
    const verdicts = claimVerdicts(summariseAblations(episodes, () => 0), runs, ['recall-curve', 'circuit-curve']);
    const byClaim = Object.fromEntries(verdicts.map((v) => [v.claim.id, v]));
    expect(byClaim['no-bias']?.verdict).toBe('held');
    expect(byClaim['growth']?.verdict).toBe('held');
    expect(byClaim['resting-phase']?.verdict).toBe('undecided');
    expect(byClaim['no-bias']?.sentence).toMatch(/bias off vs bias on: recall 0\.808 ± 0\.004 vs 0\.608 ± 0\.004 \(better\)/);
  });

  it('an alternative that beats the seed form makes the claim fail, and a diverged run scores the fallback', () => {
    const rs = runs.flatMap((r) =>
      (['circuit-curve'] as const).flatMap((t) => [1, 2, 3].map((s) => result(r.label, t, s, r.label === 'gate sigmoid' ? 0.95 + 0.004 * s : 0.8 + 0.004 * s))),
    );
    const diverged = rs.map((r) => (r.label === 'gate softmax' ? { ...r, score: NaN, diverged: true } : r));
    const summaries = summariseAblations(diverged, () => 1 / 3);
    expect(summaries.find((s) => s.label === 'gate softmax')?.score.mean).toBeCloseTo(1 / 3, 12);
    expect(summaries.find((s) => s.label === 'gate softmax')?.diverged).toBe(3);
    const v = claimVerdicts(summaries, runs, ['circuit-curve']).find((c) => c.claim.id === 'gaussian-gates');
    expect(v?.verdict).toBe('did not hold');
  });

  it('every claim has a statement, a seed form and at least one alternative', () => {
    for (const c of LARA_CLAIMS) {
      expect(c.statement.length).toBeGreaterThan(20);
      expect(c.alternatives.length).toBeGreaterThan(0);
    }
  });
});
