import { describe, expect, it } from 'vitest';
import type { BatteryRow } from '../store/lab-store';
import { batteryCsv, comparedWith, formatScore } from './battery-format';

const row = (score: number): BatteryRow => ({ test: 'memorisation', job: 0, model: 'lara', score, unit: 'symbols', steps: 1, ms: 1 }) as BatteryRow;

describe('battery table format', () => {
  it('prints counts as integers and fractions with three digits', () => {
    expect(formatScore(row(8))).toBe('8');
    expect(formatScore(row(64))).toBe('64');
    expect(formatScore(row(0.8021))).toBe('0.802');
    expect(formatScore(row(12.4))).toBe('12');
    expect(formatScore(row(Number.NaN))).toBe('n/a');
    expect(formatScore(undefined)).toBe('…');
  });

  it('marks better and worse in the direction of each test', () => {
    expect(comparedWith('memorisation', 64, 8)).toBe('better');
    expect(comparedWith('memorisation', 4, 8)).toBe('worse');
    expect(comparedWith('language-model', 3.2, 3.5)).toBe('better');
    expect(comparedWith('language-model', 3.6, 3.5)).toBe('worse');
    expect(comparedWith('circuit', 0.5, 0.5)).toBe('same');
    expect(comparedWith('circuit', Number.NaN, 0.5)).toBeNull();
    expect(comparedWith('circuit', 0.5, undefined)).toBeNull();
  });

  it('a diverged model shows "diverged" in the table and the CSV, never a score', () => {
    const diverged = { ...row(1), diverged: { phase: 'circuit', step: 37, loss: NaN } } as BatteryRow;
    expect(formatScore(diverged)).toBe('diverged');
    const csv = batteryCsv({ rows: [row(0.5), diverged], jobs: [{ model: 'lara', label: 'lara', params: { nodes: 8 } }] });
    const [header, ok, bad] = csv.trim().split('\n');
    expect(header).toBe('test,model,params,score,unit,steps,ms,diverged');
    expect(ok).toBe('memorisation,"lara","{""nodes"":8}",0.5,"symbols",1,1,');
    expect(bad).toBe('memorisation,"lara","{""nodes"":8}",,"symbols",1,1,"circuit, train step 37"');
  });
});
