import { describe, expect, it } from 'vitest';
import type { TopologyEvent } from '../../protocol/messages';
import { argmax, describeCellEvents, describeDna, percent, type DnaDetail } from './dna-text';

function detail(probs: number[], label: number): DnaDetail {
  return {
    kind: 'dna',
    epoch: 3,
    cellIds: new Int32Array(0),
    cellInput: new Int32Array(0),
    cellOutput: new Int32Array(0),
    weights: new Float32Array(0),
    biases: new Float32Array(0),
    passthrough: new Float32Array(0),
    sampleX: new Float32Array(0),
    sampleLabel: label,
    sampleProbabilities: Float32Array.from(probs),
    testAccuracy: 0.5,
  };
}

describe('DNA text', () => {
  it('formats percentages and waits for a first accuracy', () => {
    expect(percent(0.9123)).toBe('91.2%');
    expect(percent(NaN)).toBe('–');
  });

  it('finds the layer’s answer', () => {
    expect(argmax(Float32Array.of(0.1, 0.7, 0.2))).toBe(1);
    expect(argmax(new Float32Array(0))).toBe(-1);
  });

  it('describes the layer and the shown example', () => {
    const text = describeDna({ epoch: 3, cells: 7840, births: 12, deaths: 11, testAccuracy: 0.912 }, detail([0.05, 0.9, 0.05], 1));
    expect(text).toContain('7,840 cells at epoch 3');
    expect(text).toContain('12 born and 11 died');
    expect(text).toContain('91.2%');
    expect(text).toContain('label 1, the layer says 1 (p 0.90)');
    expect(describeDna({ epoch: 0, cells: 4, births: 0, deaths: 0, testAccuracy: NaN }, null)).toContain('not measured yet');
  });

  it('announces an extinction event', () => {
    const events: TopologyEvent[] = [
      { kind: 'death', nodeId: 784, tick: 4, cause: 'extinct', edgeIds: [5] },
      { kind: 'birth', nodeId: 785, tick: 4, cause: 'split', edgeIds: [7840], parentEdgeId: 6 },
      { kind: 'birth', nodeId: 786, tick: 4, cause: 'split', edgeIds: [7841], parentEdgeId: 7 },
    ];
    expect(describeCellEvents(events, 7841)).toBe('Extinction: 2 cells split, 1 died. 7,841 cells now.');
    expect(describeCellEvents([{ ...events[1]!, cause: 'threshold' }], 5)).toBe('Threshold check: 1 cell split, 0 died. 5 cells now.');
    // SET / RigL: a birth without a parent cell regrew on an absent pair.
    expect(describeCellEvents([events[0]!, { kind: 'birth', nodeId: 785, tick: 4, cause: 'birth', edgeIds: [7840] }], 7840)).toBe('Extinction: 1 cell regrew, 1 died. 7,840 cells now.');
  });
});
