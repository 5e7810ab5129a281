/** The Nodes slider's range and its slowness hint. */
import { describe, expect, it } from 'vitest';
import { loopyModel, loopySlowHint, loopyStepMsEstimate } from './loopy-descriptor';
import { DEFAULT_LOOPY_PARAMS, LOOPY_MAX_HIDDEN, loopyParamsSchema } from './loopy-params';

describe('loopy Nodes slider', () => {
  const slider = loopyModel.controls.controls.find((c) => c.key === 'hidden');
  it('reaches 10,000 nodes on a log scale and sets whole numbers the schema accepts', () => {
    if (slider?.type !== 'slider' || !slider.set) throw new Error('no Nodes slider');
    expect(10 ** slider.max).toBeCloseTo(LOOPY_MAX_HIDDEN, 6);
    for (const v of [8, 12.6, 999.5, 10 ** slider.max]) {
      const p = slider.set(DEFAULT_LOOPY_PARAMS, v);
      expect(Number.isInteger(p.hidden)).toBe(true);
      expect(loopyParamsSchema.safeParse(p).success).toBe(true);
    }
  });
  it('warns only where a step is estimated slow', () => {
    expect(loopySlowHint(DEFAULT_LOOPY_PARAMS)).toBe('');
    const big = loopyParamsSchema.parse({ ...DEFAULT_LOOPY_PARAMS, hidden: 10_000, degree: 16 });
    expect(loopyStepMsEstimate(big)).toBeGreaterThan(1000);
    expect(loopySlowHint(big)).toMatch(/Slow: about \d/);
    // The same sentence is the slider's visible warning, and the end of its tooltip.
    if (slider?.type !== 'slider') throw new Error('no Nodes slider');
    expect(slider.warning?.(big)).toBe(loopySlowHint(big));
    expect(slider.warning?.(DEFAULT_LOOPY_PARAMS)).toBe('');
    expect(typeof slider.help === 'function' ? slider.help(big) : slider.help).toContain(loopySlowHint(big));
  });
  it('refuses nodes x density past the edge cap', () => {
    expect(loopyParamsSchema.safeParse({ hidden: 10_000, degree: 64 }).success).toBe(false);
    expect(loopyParamsSchema.safeParse({ hidden: 4096, degree: 64 }).success).toBe(true);
  });
});
