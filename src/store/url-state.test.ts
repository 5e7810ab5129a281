import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../protocol/experiment';
import { formatHash, parseHash } from './url-state';

describe('URL state', () => {
  it('round-trips an experiment through the hash', () => {
    const e = {
      ...DEFAULT_EXPERIMENT,
      task: 'text' as const,
      seed: 42,
      params: { ...DEFAULT_EXPERIMENT.params, learningRate: 0.003, explore: 0.2, thinkTicks: 3, gate: 'sigmoid' as const, restingPhase: true },
    };
    const e2 = { ...e, params: { ...e.params, growth: { ...e.params.growth, enabled: true } } };
    const parsed = parseHash(formatHash(e2, 'wasm'));
    expect(parsed.problems).toEqual([]);
    expect(parsed.experiment).toEqual(e2);
    expect(parsed.backend).toBe('wasm');
  });

  it('drops invalid values with a message and keeps the valid ones', () => {
    const parsed = parseHash('#task=recall&seed=7&lr=-3&think=999&gate=cubic&explore=0.5&backend=quantum&bogus=1');
    expect(parsed.experiment.seed).toBe(7);
    expect(parsed.experiment.params.explore).toBe(0.5);
    expect(parsed.experiment.params.learningRate).toBe(DEFAULT_EXPERIMENT.params.learningRate);
    expect(parsed.experiment.params.thinkTicks).toBe(DEFAULT_EXPERIMENT.params.thinkTicks);
    expect(parsed.experiment.params.gate).toBe('gaussian');
    expect(parsed.backend).toBe('auto');
    expect(parsed.problems.join('\n')).toMatch(/lr=-3 ignored/);
    expect(parsed.problems.join('\n')).toMatch(/think=999 ignored/);
    expect(parsed.problems.join('\n')).toMatch(/gate=cubic ignored/);
    expect(parsed.problems.join('\n')).toMatch(/backend=quantum ignored/);
    expect(parsed.problems.join('\n')).toMatch(/bogus is not a known parameter/);
  });

  it('gives the defaults for an empty hash', () => {
    expect(parseHash('')).toEqual({ experiment: DEFAULT_EXPERIMENT, backend: 'auto', problems: [] });
  });
});
