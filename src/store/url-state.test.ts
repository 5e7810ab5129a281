import { describe, expect, it } from 'vitest';
import type { DnaExperiment } from '../engine/dna/dna-params';
import type { LaraExperiment } from '../engine/lara/lara-params';
import type { LoopyExperiment } from '../engine/loopy/loopy-params';
import type { RoutingExperiment } from '../engine/routing/routing-params';
import { DEFAULT_EXPERIMENT, defaultExperiment, descriptorOf, experimentSchema } from '../protocol/experiment';
import { installOwnData, ownDataSnapshot, restoreOwnData } from '../protocol/own-data';
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
    expect(parseHash(hash)).toEqual({ experiment: e, backend: 'auto', speed: 'normal', problems: [] });
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
    expect(parseHash('')).toEqual({ experiment: DEFAULT_EXPERIMENT, backend: 'auto', speed: 'normal', problems: [] });
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
    expect(parsed.problems.join('\n')).toMatch(/model=transformer ignored: it must be one of lara, loopy, dna, routing/);
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
    expect(parseHash(dnaHash)).toEqual({ experiment: dna, backend: 'auto', speed: 'normal', problems: [] });
    const routing: RoutingExperiment = {
      ...DEFAULT_ROUTING_EXPERIMENT,
      task: 'mnist',
      params: { ...DEFAULT_ROUTING_EXPERIMENT.params, routing: false, layers: 6, lambdaS: 0.2, activation: 'relu' },
    };
    const routingHash = formatHash(routing, 'wasm');
    expect(routingHash).toContain('routing=0');
    expect(parseHash(routingHash)).toEqual({ experiment: routing, backend: 'wasm', speed: 'normal', problems: [] });
  });

  it('keeps the task when the new model reads the same kind of task, else takes the model’s own', () => {
    expect(parseHash('#task=circuit&model=loopy').experiment.task).toBe('circuit');
    const dna = parseHash('#model=dna&task=recall');
    expect(dna.experiment.task).toBe('mnist');
    expect(dna.problems.join('\n')).toMatch(/task=recall ignored/);
  });
});

describe('hostile links, generated: every value not used as written is named', () => {
  const hostile = ['', ' ', '-1', '0', '1e309', 'NaN', 'Infinity', '9'.repeat(100_000), '4096', '0.5', '<img src=x onerror=alert(1)>', 'true', '2147483648', '1.5'];
  const models = ['lara', 'loopy', 'dna', 'routing', 'gru', 'lstm'] as const;

  it.each(models)('%s: each URL key with each hostile value parses to a valid experiment, and any value not used as written gets a notice', (model) => {
    const d = descriptorOf(model);
    for (const [key, spec] of Object.entries(d.url)) {
      for (const value of hostile) {
        const link = `#model=${model}&${key}=${encodeURIComponent(value)}`;
        const parsed = parseHash(link);
        expect(experimentSchema.safeParse(parsed.experiment).success, link.slice(0, 80)).toBe(true);
        const field = typeof spec === 'string' ? (p: Readonly<Record<string, unknown>>) => p[spec] : (spec as { get(p: unknown): unknown }).get;
        const got = field(parsed.experiment.params);
        const usedAsWritten = String(got) === value || (typeof got === 'boolean' && (got ? value === '1' || value === 'true' : value === '0' || value === 'false')) || (typeof got === 'number' && value.trim() !== '' && Number(value) === got);
        if (!usedAsWritten) expect(parsed.problems.some((p) => p.includes(key)), `${link.slice(0, 80)} → ${String(got)} without a notice`).toBe(true);
        // Messages quote at most a short piece of what the link carried.
        for (const p of parsed.problems) expect(p.length).toBeLessThan(300);
      }
    }
  });

  it('an empty seed, a huge key and a huge value are refused with a notice, not turned into 0 or echoed whole', () => {
    const parsed = parseHash(`#seed=&${'k'.repeat(1_000_000)}=1&task=${'x'.repeat(200_000)}`);
    expect(parsed.experiment.seed).toBe(DEFAULT_EXPERIMENT.seed);
    expect(parsed.problems).toHaveLength(3);
    expect(parsed.problems[0]).toMatch(/seed= ignored: it is empty/);
    expect(parsed.problems.join(' ').length).toBeLessThan(500);
  });

  it('a size past the slider is clamped to the slider with a notice naming what was used', () => {
    // The schema takes widths the slider does not reach (imported networks may have them).
    const parsed = parseHash('#model=loopy&width=64');
    const p = (parsed.experiment as LoopyExperiment).params;
    const width = descriptorOf('loopy').controls.controls.find((c) => c.key === 'width');
    expect(width?.type).toBe('slider');
    expect(p.width).toBe((width as { max: number }).max);
    expect(p.width).toBeLessThan(64);
    expect(parsed.problems.join('\n')).toMatch(new RegExp(`width=64 is more than the slider allows; used ${p.width}`));
  });

  it('a size past what the model takes is ignored with a notice naming the limit', () => {
    const parsed = parseHash('#model=loopy&nodes=20000');
    expect((parsed.experiment as LoopyExperiment).params.hidden).toBe(defaultExperiment('loopy').params.hidden);
    expect(parsed.problems.join('\n')).toMatch(/nodes=20000 ignored: it must be at most 10000/);
  });
});

describe('speed in the link', () => {
  it('round-trips slow and fast, leaves normal out, and names a bad one', () => {
    expect(formatHash(DEFAULT_EXPERIMENT, 'auto', 'slow')).toBe('#task=recall&seed=1&speed=slow');
    expect(parseHash('#task=recall&seed=1&speed=fast').speed).toBe('fast');
    expect(formatHash(DEFAULT_EXPERIMENT, 'auto', 'normal')).toBe('#task=recall&seed=1');
    const bad = parseHash('#speed=warp');
    expect(bad.speed).toBe('normal');
    expect(bad.problems.join(' ')).toMatch(/speed=warp ignored: it must be one of slow, normal, fast/);
  });

  it('a link naming an own data set opens the default task with a line saying why; one this page holds opens', () => {
    const dna = parseHash('#model=dna&task=own-csv&seed=5');
    expect(dna.experiment.task).toBe(DEFAULT_DNA_EXPERIMENT.task);
    expect(dna.experiment.seed).toBe(5);
    expect(dna.problems).toEqual(['task=own-csv: this link names your own data set, which a link cannot carry; opened the default task instead']);
    expect(parseHash('#task=own-text').experiment.task).toBe(LARA.task);
    const before = ownDataSnapshot();
    try {
      installOwnData({ kind: 'text', name: 'a.txt', text: 'abcd'.repeat(60) });
      const held = parseHash('#task=own-text');
      expect(held.problems).toEqual([]);
      expect(held.experiment.task).toBe('own-text');
    } finally {
      restoreOwnData(before);
    }
  });
});
