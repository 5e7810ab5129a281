import { describe, expect, it } from 'vitest';
import { sequentialDepth as engineDepth } from '../../engine/transitions/transition-depth';
import { sequentialDepth } from './sequential-depth';

describe('the page copy of the sequential depth', () => {
  it('equals the engine one over modes, lengths, segment lengths, re-anchoring and K', () => {
    let checked = 0;
    for (const mode of ['transitions', 'bptt'] as const)
      for (const length of [2, 16, 64])
        for (const segmentLength of [1, 3, 16, 64, 100])
          for (const reanchor of ['off', 'target', 'states'] as const)
            for (const refreshEvery of [1, 5, 7]) {
              const o = { mode, length, segmentLength, reanchor, refreshEvery };
              expect(sequentialDepth(o), JSON.stringify(o)).toBe(engineDepth(o));
              checked++;
            }
    expect(checked).toBe(270);
    expect(sequentialDepth({ mode: 'transitions', length: 64, segmentLength: 16, reanchor: 'states', refreshEvery: 8 })).toBe(24);
  });
});
