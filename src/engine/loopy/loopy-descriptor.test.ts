/** The Nodes slider's range and its slowness warning, which follows the backend the run trains on. */
import { describe, expect, it } from 'vitest';
import { loopyModel, loopySlowHint, SLOW_STEP_MS } from './loopy-descriptor';
import { DEFAULT_LOOPY_PARAMS, LOOPY_MAX_HIDDEN, loopyParamsSchema } from './loopy-params';
import { LOOPY_STEP_COST, modelStepMs } from './loopy-step-cost';

describe('loopy Nodes slider', () => {
  const slider = loopyModel.controls.controls.find((c) => c.key === 'hidden');
  const big = loopyParamsSchema.parse({ ...DEFAULT_LOOPY_PARAMS, hidden: 10_000, degree: 16 });
  it('reaches 10,000 nodes on a log scale and sets whole numbers the schema accepts', () => {
    if (slider?.type !== 'slider' || !slider.set) throw new Error('no Nodes slider');
    expect(10 ** slider.max).toBeCloseTo(LOOPY_MAX_HIDDEN, 6);
    for (const v of [8, 12.6, 999.5, 10 ** slider.max]) {
      const p = slider.set(DEFAULT_LOOPY_PARAMS, v);
      expect(Number.isInteger(p.hidden)).toBe(true);
      expect(loopyParamsSchema.safeParse(p).success).toBe(true);
    }
  });
  it('warns only where a step is estimated slow, naming the backend and the size', () => {
    for (const backend of ['wasm', 'cpu', 'webgpu', null] as const) expect(loopySlowHint(DEFAULT_LOOPY_PARAMS, { backend })).toBe('');
    for (const backend of ['wasm', 'cpu'] as const) {
      expect(modelStepMs(LOOPY_STEP_COST[backend], big)).toBeGreaterThan(SLOW_STEP_MS);
      expect(loopySlowHint(big, { backend })).toMatch(new RegExp(`^Slow: about [\\d.]+ (s|ms) per train step on ${backend} at 10,000 nodes; fewer nodes`));
    }
    expect(loopySlowHint({ ...big, rule: 'hebbian' }, { backend: 'wasm' })).toContain('more: this rule runs on padded slots');
    // The slider's visible warning is the same sentence.
    if (slider?.type !== 'slider') throw new Error('no Nodes slider');
    expect(slider.warning?.(big, { backend: 'cpu' })).toBe(loopySlowHint(big, { backend: 'cpu' }));
    expect(slider.warning?.(DEFAULT_LOOPY_PARAMS, { backend: 'cpu' })).toBe('');
  });
  it('on a GPU backend before a step is timed it says the figure is wasm speed; after, it scales this run’s steps', () => {
    expect(loopySlowHint(big, { backend: 'webgpu' })).toMatch(/^Slow: about [\d.]+ (s|ms) per train step at 10,000 nodes at wasm speed \(webgpu is timed once it trains\)/);
    expect(loopySlowHint(big)).toContain('at wasm speed (the backend is still starting)');
    const small = DEFAULT_LOOPY_PARAMS;
    // A run at the default size with steps 4x wasm's prediction: 10,000 nodes is predicted 4x wasm's too.
    const measured = { stepMs: 4 * modelStepMs(LOOPY_STEP_COST.wasm, small), params: small };
    const scaled = loopySlowHint(big, { backend: 'webgpu', measured });
    const ms = 4 * modelStepMs(LOOPY_STEP_COST.wasm, big);
    expect(scaled).toContain(`Slow: about ${(ms / 1000).toFixed(1)} s per train step on webgpu at 10,000 nodes (scaled from this run's`);
    expect(scaled).toContain(`steps at 200 nodes)`);
    // Timed at this very size: the run's own figure.
    expect(loopySlowHint(big, { backend: 'webgpu', measured: { stepMs: 2500, params: big } })).toMatch(/^Slow: about 2\.5 s per train step on webgpu at 10,000 nodes \(this run's steps\)/);
    // A fast GPU run at this size: no warning at all.
    expect(loopySlowHint(big, { backend: 'webgpu', measured: { stepMs: 120, params: big } })).toBe('');
  });
  it('refuses nodes x density past the edge cap', () => {
    expect(loopyParamsSchema.safeParse({ hidden: 10_000, degree: 64 }).success).toBe(false);
    expect(loopyParamsSchema.safeParse({ hidden: 4096, degree: 64 }).success).toBe(true);
  });
});
