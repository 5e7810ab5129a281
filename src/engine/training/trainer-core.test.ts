/** The trainer core's bookkeeping, on a fake model whose state is one number: counters, checkpoints, rollback, live keys, suspend. */
import { describe, expect, it } from 'vitest';
import type { Graph } from '../graph';
import type { ProbeTrace } from './probe-trace';
import type { TopologyEvent } from './step-result';
import { CHECKPOINT_EVERY, TrainerCore, type ModelCheckpoint, type RawStep, type StepAt } from './trainer-core';

interface FakeParams {
  readonly rate: number;
  readonly size: number;
}
interface FakeExperiment {
  readonly model: 'fake';
  readonly task: 'count';
  readonly seed: number;
  readonly params: FakeParams;
}

/** Adds `rate` to its weight every step; a scripted step may return a bad loss, events or a boundary. */
class FakeTrainer extends TrainerCore<FakeExperiment, number, null> {
  weight = 0;
  applied: FakeParams[] = [];
  checkpoints = 0;
  disposedCheckpoints = 0;
  seenAt: StepAt[] = [];
  script = new Map<number, Partial<RawStep>>();
  disposedModel = false;

  constructor(start?: StepAt) {
    super({ model: 'fake', task: 'count', seed: 1, params: { rate: 1, size: 3 } }, ['rate'], start);
  }
  get currentGraph(): Graph {
    return { nodes: [], edges: [], nextNodeId: 0, nextEdgeId: 0 };
  }
  get visits(): ReadonlyMap<number, number> {
    return new Map();
  }
  probe(): Promise<ProbeTrace> {
    throw new Error('not used');
  }
  detail(): Promise<null> {
    return Promise.resolve(null);
  }
  predict(): Promise<Float32Array> {
    return Promise.resolve(Float32Array.of(this.weight));
  }
  exportModel(): Promise<number> {
    return Promise.resolve(this.weight);
  }
  protected runStep(at: StepAt): Promise<RawStep> {
    this.seenAt.push(at);
    this.weight += this.params.rate;
    return Promise.resolve({ loss: 1, accuracy: 0.5, gradNorm: 2, ticks: 3, events: [], ...this.script.get(at.step + 1) });
  }
  protected checkpointModel(): Promise<ModelCheckpoint> {
    this.checkpoints += 1;
    const w = this.weight;
    return Promise.resolve({ restore: () => (this.weight = w), dispose: () => (this.disposedCheckpoints += 1) });
  }
  protected applyParams(params: FakeParams): void {
    this.applied.push(params);
  }
  protected suspendModel(): Promise<(at: StepAt) => FakeTrainer> {
    const w = this.weight;
    return Promise.resolve((at) => {
      const t = new FakeTrainer(at);
      t.weight = w;
      return t;
    });
  }
  protected disposeModel(): void {
    this.disposedModel = true;
  }
}

const birth: TopologyEvent = { kind: 'birth', nodeId: 9, tick: 0, cause: 'split', edgeIds: [] };

async function steps(t: FakeTrainer, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await t.trainStep();
}

describe('TrainerCore', () => {
  it('counts steps and ticks and hands the model the counters before each step', async () => {
    const t = new FakeTrainer({ step: 10, tick: 100 });
    const r = await t.trainStep();
    await t.trainStep();
    expect(t.seenAt).toEqual([
      { step: 10, tick: 100 },
      { step: 11, tick: 103 },
    ]);
    expect(r.stats).toMatchObject({ step: 11, tick: 103, loss: 1, accuracy: 0.5, gradNorm: 2 });
    expect([t.step, t.tick]).toEqual([12, 106]);
  });

  it('checkpoints before the first step, every CHECKPOINT_EVERY steps, after events and at boundaries', async () => {
    const t = new FakeTrainer();
    t.script.set(3, { events: [birth] });
    t.script.set(5, { boundary: true });
    await steps(t, CHECKPOINT_EVERY);
    // Before step 1, after steps 3 (events), 5 (boundary) and CHECKPOINT_EVERY.
    expect(t.checkpoints).toBe(4);
    expect(t.disposedCheckpoints).toBe(3);
  });

  it('rolls back on a non-finite loss to the last checkpoint, counters and state, with the reason', async () => {
    const t = new FakeTrainer();
    await steps(t, CHECKPOINT_EVERY + 2);
    t.script.set(CHECKPOINT_EVERY + 3, { loss: NaN });
    const r = await t.trainStep();
    expect(r.rolledBack).toEqual({ reason: `non-finite loss at step ${CHECKPOINT_EVERY + 3}`, toStep: CHECKPOINT_EVERY });
    expect(r.events).toEqual([]);
    expect([t.step, t.tick, t.weight]).toEqual([CHECKPOINT_EVERY, 3 * CHECKPOINT_EVERY, CHECKPOINT_EVERY]);
  });

  it('rolls back on a non-finite gradient, but not on a rule without one (gradNorm null)', async () => {
    const t = new FakeTrainer();
    t.script.set(1, { gradNorm: null });
    expect((await t.trainStep()).rolledBack).toBeUndefined();
    t.script.set(2, { gradNorm: Infinity });
    const r = await t.trainStep();
    expect(r.rolledBack).toEqual({ reason: 'non-finite gradient at step 2', toStep: 0 });
    expect([t.step, t.weight]).toEqual([0, 0]);
  });

  it('applies only the live keys, and only when one is given', () => {
    const t = new FakeTrainer();
    t.setLiveParams({ size: 99 });
    expect(t.applied).toEqual([]);
    t.setLiveParams({ rate: 0.5, size: 99 });
    expect(t.applied).toEqual([{ rate: 0.5, size: 3 }]);
    expect(t.currentExperiment.params).toEqual({ rate: 0.5, size: 3 });
    expect(t.experiment.params.rate).toBe(1);
  });

  it('suspend rebuilds at the same counters; dispose frees the checkpoint and the model once, and use after it throws', async () => {
    const t = new FakeTrainer();
    await steps(t, 4);
    const u = (await t.suspend())();
    expect([u.step, u.tick, (u as FakeTrainer).weight]).toEqual([4, 12, 4]);
    t.dispose();
    t.dispose();
    expect(t.disposedModel).toBe(true);
    expect(t.disposedCheckpoints).toBe(1);
    await expect(t.trainStep()).rejects.toThrow(/after dispose/);
  });
});
