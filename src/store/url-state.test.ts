import { describe, expect, it } from 'vitest';
import type { DnaExperiment } from '../engine/dna/dna-params';
import type { LaraExperiment } from '../engine/lara/lara-params';
import type { LoopyExperiment } from '../engine/loopy/loopy-params';
import type { RoutingExperiment } from '../engine/routing/routing-params';
import { DEFAULT_EXPERIMENT, defaultExperiment } from '../protocol/experiment';
import { formatHash, parseHash } from './url-state';

const LARA = DEFAULT_EXPERIMENT as LaraExperiment;
const DEFAULT_LOOPY_EXPERIMENT = defaultExperiment('loopy');
const DEFAULT_DNA_EXPERIMENT = defaultExperiment('dna');
const DEFAULT_ROUTING_EXPERIMENT = defaultExperiment('routing');

describe('URL state', () => {
  it('round-trips an experiment through the hash', () => {
    const e = {
      ...LARA,
      task: 'text' as const,
      seed: 42,
      params: { ...LARA.params, learningRate: 0.003, explore: 0.2, thinkTicks: 3, gate: 'sigmoid' as const, restingPhase: true },
    };
    const e2 = { ...e, params: { ...e.params, growth: { ...e.params.growth, enabled: true } } };
    const parsed = parseHash(formatHash(e2, 'wasm'));
    expect(parsed.problems).toEqual([]);
    expect(parsed.experiment).toEqual(e2);
    expect(parsed.backend).toBe('wasm');
  });

  it('keeps LARA hashes as they were: no model key, the same keys', () => {
    expect(formatHash(DEFAULT_EXPERIMENT, 'auto')).toBe('#task=recall&seed=1');
    const e: LaraExperiment = {
      ...LARA,
      task: 'circuit',
      seed: 3,
      params: { ...LARA.params, learningRate: 0.003, nodes: 40, degree: 6, restingPhase: true, threadStays: true, growth: { ...LARA.params.growth, enabled: true } },
    };
    const hash = '#task=circuit&seed=3&lr=0.003&nodes=40&degree=6&resting=1&stay=1&growth=1';
    expect(formatHash(e, 'auto')).toBe(hash);
    expect(parseHash(hash)).toEqual({ experiment: e, backend: 'auto', problems: [] });
  });

  it('drops invalid values with a message and keeps the valid ones', () => {
    const parsed = parseHash('#task=recall&seed=7&lr=-3&think=999&gate=cubic&explore=0.5&backend=quantum&bogus=1');
    const e = parsed.experiment as LaraExperiment;
    expect(e.seed).toBe(7);
    expect(e.params.explore).toBe(0.5);
    expect(e.params.learningRate).toBe(LARA.params.learningRate);
    expect(e.params.thinkTicks).toBe(LARA.params.thinkTicks);
    expect(e.params.gate).toBe('gaussian');
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

  it('round-trips a loopy experiment, writing only what differs from the loopy defaults', () => {
    expect(formatHash({ ...DEFAULT_LOOPY_EXPERIMENT, seed: 5 }, 'auto')).toBe('#model=loopy&task=recall&seed=5');
    const e: LoopyExperiment = {
      ...DEFAULT_LOOPY_EXPERIMENT,
      task: 'circuit',
      seed: 9,
      params: {
        ...DEFAULT_LOOPY_EXPERIMENT.params,
        generator: 'watts-strogatz',
        rule: 'hebbian',
        pacing: 'read-node',
        hidden: 500,
        degree: 6.5,
        spectralRadius: 1.2,
        learningRate: 0.003,
        thinkTicks: 5,
        width: 2,
        noise: 0.1,
        batch: 8,
        window: 32,
        rewire: 0.3,
      },
    };
    const hash = formatHash(e, 'cpu');
    expect(hash).toMatch(/^#model=loopy&task=circuit&seed=9&/);
    expect(hash).toContain('graph=watts-strogatz');
    expect(hash).toContain('nodes=500');
    expect(hash).toContain('density=6.5');
    expect(hash).toContain('radius=1.2');
    const parsed = parseHash(hash);
    expect(parsed.problems).toEqual([]);
    expect(parsed.experiment).toEqual(e);
    expect(parsed.backend).toBe('cpu');
  });

  it('applies the model before the other keys, keeping task and seed', () => {
    const parsed = parseHash('#seed=5&task=text&nodes=300&model=loopy');
    expect(parsed.problems).toEqual([]);
    expect(parsed.experiment).toEqual({ ...DEFAULT_LOOPY_EXPERIMENT, task: 'text', seed: 5, params: { ...DEFAULT_LOOPY_EXPERIMENT.params, hidden: 300 } });
  });

  it('refuses bad loopy values and the other model’s keys with a message', () => {
    const parsed = parseHash('#model=loopy&rule=backprop&graph=torus&nodes=0&radius=0.5&gate=gaussian&think=4');
    const e = parsed.experiment as LoopyExperiment;
    expect(e.model).toBe('loopy');
    expect(e.params.rule).toBe(DEFAULT_LOOPY_EXPERIMENT.params.rule);
    expect(e.params.generator).toBe(DEFAULT_LOOPY_EXPERIMENT.params.generator);
    expect(e.params.hidden).toBe(DEFAULT_LOOPY_EXPERIMENT.params.hidden);
    expect(e.params.spectralRadius).toBe(0.5);
    expect(e.params.thinkTicks).toBe(4);
    const text = parsed.problems.join('\n');
    expect(parsed.problems).toHaveLength(4);
    expect(text).toMatch(/rule=backprop ignored/);
    expect(text).toMatch(/graph=torus ignored/);
    expect(text).toMatch(/nodes=0 ignored/);
    expect(text).toMatch(/gate is not a known parameter \(model=loopy\)/);
  });

  it('refuses an unknown model and reads the rest as LARA', () => {
    const parsed = parseHash('#model=transformer&graph=lattice&nodes=30');
    expect(parsed.experiment.model).toBe('lara');
    expect((parsed.experiment as LaraExperiment).params.nodes).toBe(30);
    expect(parsed.problems.join('\n')).toMatch(/model=transformer ignored: expected one of lara, loopy, dna, routing/);
    expect(parsed.problems.join('\n')).toMatch(/graph is not a known parameter \(model=lara\)/);
  });

  it('round-trips DNA and routing experiments on their datasets', () => {
    const dna: DnaExperiment = {
      ...DEFAULT_DNA_EXPERIMENT,
      task: 'spiral',
      seed: 4,
      params: { ...DEFAULT_DNA_EXPERIMENT.params, extinction: 'threshold', splitPercent: 12, deletePercent: 7, patience: 3, initialWeight: 1, warmupEpochs: 0 },
    };
    const dnaHash = formatHash(dna, 'auto');
    expect(dnaHash).toBe('#model=dna&task=spiral&seed=4&w0=1&extinction=threshold&split=12&delete=7&patience=3&warmup=0');
    expect(parseHash(dnaHash)).toEqual({ experiment: dna, backend: 'auto', problems: [] });
    const routing: RoutingExperiment = {
      ...DEFAULT_ROUTING_EXPERIMENT,
      task: 'mnist',
      params: { ...DEFAULT_ROUTING_EXPERIMENT.params, routing: false, layers: 6, lambdaS: 0.2, activation: 'relu' },
    };
    const routingHash = formatHash(routing, 'wasm');
    expect(routingHash).toContain('routing=0');
    expect(parseHash(routingHash)).toEqual({ experiment: routing, backend: 'wasm', problems: [] });
  });

  it('keeps the task when the new model reads the same kind of task, else takes the model’s own', () => {
    expect(parseHash('#task=circuit&model=loopy').experiment.task).toBe('circuit');
    const dna = parseHash('#model=dna&task=recall');
    expect(dna.experiment.task).toBe('mnist');
    expect(dna.problems.join('\n')).toMatch(/task=recall ignored/);
  });
});
