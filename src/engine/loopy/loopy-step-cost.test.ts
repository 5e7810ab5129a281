/** The per-backend step-cost models and the calibration by a run's own step times (pure functions). */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOOPY_PARAMS, loopyParamsSchema, type LoopyParams } from './loopy-params';
import { calibratedStepMs, LOOPY_STEP_COST, loopyStepEstimate, loopyStepFeatures, modelStepMs, type StepCostModel } from './loopy-step-cost';

const at = (hidden: number, degree: number, over: Partial<LoopyParams> = {}): LoopyParams => loopyParamsSchema.parse({ ...DEFAULT_LOOPY_PARAMS, hidden, degree, ...over });
const model: StepCostModel = { fixedMs: 10, nsPerNodeTick: 100, nsPerEdgeTick: 5 };

describe('loopy step cost', () => {
  it('counts node and edge ticks per train step (lanes x symbols x think ticks; an edge of width H is H² weights)', () => {
    const f = loopyStepFeatures(at(1000, 8, { width: 2, batch: 4, window: 5, thinkTicks: 3 }));
    expect(f).toEqual({ nodeTicks: 1000 * 2 * 60, edgeTicks: 1000 * 8 * 4 * 60 });
  });

  it('a model is fixed + per node tick + per edge tick', () => {
    const p = at(10_000, 4);
    const { nodeTicks, edgeTicks } = loopyStepFeatures(p);
    expect(modelStepMs(model, p)).toBeCloseTo(10 + 100e-6 * nodeTicks + 5e-6 * edgeTicks, 9);
    // The lab's defaults: 16 lanes x 16 symbols x 3 ticks.
    expect(nodeTicks).toBe(10_000 * 768);
  });

  it('the fitted models are the bench figures they were fitted to, within 25%', () => {
    const measured: Record<'wasm' | 'cpu', readonly (readonly [number, number, number])[]> = MEASURED;
    for (const backend of ['wasm', 'cpu'] as const) {
      for (const [hidden, degree, ms] of measured[backend]) {
        const predicted = modelStepMs(LOOPY_STEP_COST[backend], at(hidden, degree));
        expect(Math.abs(predicted - ms) / ms, `${backend} ${hidden}x${degree}`).toBeLessThan(0.25);
      }
    }
    // At 10,000 nodes cpu is about twice as slow as wasm.
    expect(modelStepMs(LOOPY_STEP_COST.cpu, at(10_000, 16)) / modelStepMs(LOOPY_STEP_COST.wasm, at(10_000, 16))).toBeGreaterThan(1.5);
  });

  it('calibration: the measured time at its own size, the model ratio elsewhere', () => {
    const small = at(200, 4);
    const big = at(10_000, 16);
    const measured = { stepMs: 3 * modelStepMs(model, small), params: small };
    expect(calibratedStepMs(model, small, measured)).toBeCloseTo(measured.stepMs, 9);
    expect(calibratedStepMs(model, big, measured)).toBeCloseTo(3 * modelStepMs(model, big), 6);
    // predicted_new x measured / predicted_then, by hand.
    const m2 = { stepMs: 250, params: at(1000, 8) };
    expect(calibratedStepMs(model, big, m2)).toBeCloseTo((modelStepMs(model, big) * 250) / modelStepMs(model, m2.params), 9);
  });

  it('says what an estimate rests on: the backend model, this run (same size or scaled), or wasm speed on an untimed GPU', () => {
    const big = at(10_000, 16);
    expect(loopyStepEstimate(big, { backend: 'cpu' })).toEqual({ ms: modelStepMs(LOOPY_STEP_COST.cpu, big), basis: 'model', backend: 'cpu' });
    expect(loopyStepEstimate(big, { backend: 'wasm' }).basis).toBe('model');
    for (const backend of ['webgpu', 'webgl', null] as const) {
      expect(loopyStepEstimate(big, { backend })).toEqual({ ms: modelStepMs(LOOPY_STEP_COST.wasm, big), basis: 'wasm-class', backend });
    }
    // Same size (a live learning-rate change does not matter): the measured figure itself.
    const same = loopyStepEstimate(big, { backend: 'webgpu', measured: { stepMs: 321, params: { ...big, learningRate: 0.1 } } });
    expect(same).toEqual({ ms: 321, basis: 'measured', backend: 'webgpu' });
    // Another size: wasm's shape scaled by the run's own time on webgpu; cpu's own model on cpu.
    const small = at(200, 4);
    const gpu = loopyStepEstimate(big, { backend: 'webgpu', measured: { stepMs: 50, params: small } });
    expect(gpu.basis).toBe('scaled');
    expect(gpu.ms).toBeCloseTo(calibratedStepMs(LOOPY_STEP_COST.wasm, big, { stepMs: 50, params: small }), 9);
    expect(loopyStepEstimate(big, { backend: 'cpu', measured: { stepMs: 50, params: small } }).ms).toBeCloseTo(calibratedStepMs(LOOPY_STEP_COST.cpu, big, { stepMs: 50, params: small }), 9);
    // Another rule at the same size costs differently: scaled, not taken as measured.
    expect(loopyStepEstimate(big, { backend: 'wasm', measured: { stepMs: 900, params: { ...big, rule: 'hebbian' } } }).basis).toBe('scaled');
  });
});

// Two runs of the bench on an idle machine (the 2nd wasm run: 3 sizes); nodes, density, median ms.
const MEASURED = {
  wasm: [[200, 4, 29.4], [1000, 16, 109.1], [3000, 8, 221.6], [10_000, 4, 600.2], [3000, 8, 253], [10_000, 4, 487], [10_000, 16, 1122.5]],
  cpu: [[200, 4, 28.6], [1000, 16, 181.6], [3000, 8, 324.7], [10_000, 4, 1117.2], [10_000, 16, 2285.5]],
} as const;
