import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../../protocol/experiment';
import { controlsOf } from '../../runs/run-recorder';
import { emptyMetrics } from '../../runs/run-metrics';
import { differencesFromDefaults, formatDuration, logRange, OVERLAY_POINTS, overlayData, parameterDifferences, parseControlValue } from './run-compare';

const lara = defaultExperiment('lara');

describe('what the Runs panel says of runs', () => {
  it('names the settings a run changed from its defaults, by their control labels', () => {
    expect(differencesFromDefaults(lara)).toEqual([]);
    const changed = { ...lara, seed: 7, params: { ...lara.params, learningRate: 0.003 } };
    expect(differencesFromDefaults(changed)).toEqual(['Seed 7', 'Learning rate 0.003']);
  });

  it('keeps only the settings that differ between runs, with each run value', () => {
    const a = lara;
    const b = { ...lara, params: { ...lara.params, width: lara.params.width + 1 } };
    expect(parameterDifferences([a, b])).toEqual([{ label: 'Width', values: [String(lara.params.width), String(lara.params.width + 1)] }]);
    const dna = defaultExperiment('dna');
    const rows = parameterDifferences([a, dna]);
    expect(rows.map((r) => r.label).slice(0, 2)).toEqual(['Model', 'Task']);
    // A control only one model has shows a dash for the other.
    expect(rows.find((r) => r.label === 'Think ticks')?.values[1]).toBe('—');
  });

  it('reads a typed control value from its field, refusing what the slider could not reach', () => {
    const rate = controlsOf(lara).find((c) => c.key === 'learningRate')!;
    expect(parseControlValue(rate, '0.003')).toEqual({ value: 0.003 });
    expect(parseControlValue(rate, '5')).toMatchObject({ problem: expect.stringContaining('between') });
    expect(parseControlValue(rate, 'x')).toMatchObject({ problem: 'Learning rate must be a number.' });
  });

  it('spans a log axis over the data out to the nearest d·10^k, not to whole powers of ten', () => {
    expect(logRange(0.8, 1.4)).toEqual([0.7, 2]);
    expect(logRange(0.091, 1.36)).toEqual([0.08, 2]);
    expect(logRange(12, 950)).toEqual([10, 1000]);
    for (const [lo, hi] of [[0.8, 1.4], [0.091, 1.36], [3e-4, 0.02]] as const) {
      const r = logRange(lo, hi)!;
      expect(r[0]).toBeLessThan(lo);
      expect(r[1]).toBeGreaterThan(hi);
    }
    expect(logRange(0, 1)).toBeNull();
    expect(logRange(null, null)).toBeNull();
  });

  it('formats durations', () => {
    expect([formatDuration(42.4), formatDuration(185), formatDuration(3720)]).toEqual(['42 s', '3 min 05 s', '1 h 02 min']);
  });
});

describe('the overlay data', () => {
  it('puts runs on the union of their steps, smoothed, with gaps where a run has no point', () => {
    const a = emptyMetrics();
    const b = emptyMetrics();
    a.trainLoss.step.push(1, 2, 3);
    a.trainLoss.wallSeconds.push(0.1, 0.2, 0.3);
    a.trainLoss.value.push(3, 2, 1);
    b.trainLoss.step.push(2, 4);
    b.trainLoss.wallSeconds.push(1, 2);
    b.trainLoss.value.push(5, 0);
    expect(overlayData([a, b], 'trainLoss', 'step', 0, false)).toEqual([
      [1, 2, 3, 4],
      [3, 2, 1, null],
      [null, 5, null, 0],
    ]);
    // Against training seconds; on a log axis a value ≤ 0 is a gap.
    expect(overlayData([a, b], 'trainLoss', 'wallSeconds', 0, true)).toEqual([
      [0.1, 0.2, 0.3, 1, 2],
      [3, 2, 1, null, null],
      [null, null, null, 5, null],
    ]);
  });

  it('draws at most OVERLAY_POINTS points a run and keeps its last one', () => {
    const a = emptyMetrics();
    for (let i = 1; i <= 20_000; i++) {
      a.trainLoss.step.push(i);
      a.trainLoss.wallSeconds.push(i);
      a.trainLoss.value.push(1);
    }
    const [x] = overlayData([a], 'trainLoss', 'step', 0.9, false);
    expect(x!.length).toBeLessThanOrEqual(OVERLAY_POINTS + 1);
    expect(x!.at(-1)).toBe(20_000);
  });
});
