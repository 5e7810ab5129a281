import { describe, expect, it } from 'vitest';
import { describeSamples, layerText, pct, sourceText, type RoutingDetail } from './routing-text';

function detail(gridSize: number): RoutingDetail {
  return {
    kind: 'routing',
    layers: 2,
    batchPExec: Float32Array.of(0.83, 0.4),
    sampleX: Float32Array.of(0, 0, 0.5, 0.5),
    sampleLabels: Int32Array.of(0, 1),
    samplePExec: Float32Array.of(0.9, 0.6, 0.2, 0.7),
    hardAccuracy: 0.95,
    softAccuracy: 0.96,
    skippedFraction: 0.25,
    boundary: gridSize > 0 ? Float32Array.of(0.9, 0.1, 0.2, 0.3) : new Float32Array(0),
    boundaryClass: new Int32Array(0),
    classes: 2,
    gridSize,
  };
}

describe('routing text', () => {
  it('names a layer as the chain shows it', () => {
    expect(layerText(1, 0.834)).toBe('Layer 2: execute 0.83');
    expect(layerText(0, NaN)).toBe('Layer 1: execute –');
  });

  it('says whose route the chain shows', () => {
    expect(sourceText(detail(2), null)).toMatch(/batch/);
    expect(sourceText(detail(2), 1)).toBe('Sample #1 (class 1): executes 1 of 2 layers under hard routing');
    expect(sourceText(null, 1)).toMatch(/batch/);
  });

  it('describes the boundary and the digits', () => {
    expect(describeSamples(detail(2))).toContain('class 1 wins on 25%');
    expect(describeSamples(detail(0))).toContain('2 test digits');
    expect(describeSamples(detail(0))).toContain('1.5 of 2 layers');
  });

  it('formats percentages', () => {
    expect(pct(0.25)).toBe('25.0%');
    expect(pct(NaN)).toBe('–');
  });
});
