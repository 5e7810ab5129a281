/** The study job in the job shell, driven by the study client over a MessageChannel, on the cpu backend. */
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createStudyClient, type StudyClient } from '../client/study-client';
import { useBackend } from '../engine/testing/backends';
import { defaultExperiment } from '../protocol/experiment';
import type { TransitionStudy } from '../protocol/study-messages';
import { createLabStore, type StudyState } from '../store/lab-store';
import { JobWorker } from './job-worker';
import { studyJob } from './study-job';
import { closeYieldChannel } from './yield-to-events';
import { waitUntil as until } from '../engine/testing/wait';

const DEFAULT_ROUTING_EXPERIMENT = defaultExperiment('routing');

interface Harness {
  readonly client: StudyClient;
  state(): StudyState;
  ended(): Promise<void>;
  close(): void;
}

const open: Harness[] = [];

function connect(): Harness {
  const channel = new MessageChannel();
  new JobWorker(channel.port1, studyJob, async () => undefined);
  const store = createLabStore();
  const client = createStudyClient(store, () => channel.port2);
  const h: Harness = {
    client,
    state: () => store.getState().study,
    ended: () => until(() => store.getState().study.status !== 'running', 'the study to end'),
    close: () => {
      channel.port1.close();
      channel.port2.close();
    },
  };
  open.push(h);
  return h;
}


const TINY: TransitionStudy = {
  kind: 'transitions',
  options: { cell: 'gru', task: 'recall', seed: 1, hidden: 4, sequences: 4, length: 4, evalSequences: 4, refreshEvery: 100 },
  modes: ['transitions', 'bptt'],
  steps: 12,
  evalEvery: 4,
};

describe('study job <-> study client [cpu]', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  afterEach(() => {
    for (const h of open.splice(0)) h.close();
  });
  afterAll(() => closeYieldChannel());

  it('runs both modes step by step into the study slice; a live K reaches the transitions mode only', async () => {
    const h = connect();
    const tensors = tf.memory().numTensors;
    h.client.start(TINY);
    h.client.setLive({ refreshEvery: 1 });
    await h.ended();
    const s = h.state();
    expect(s).toMatchObject({ kind: 'transitions', status: 'done', running: false, message: null, progress: 1, sweepPoints: [] });
    for (const mode of TINY.modes) {
      const points = s.transitionPoints.filter((p) => p.mode === mode);
      expect(points.map((p) => p.step)).toEqual(Array.from({ length: TINY.steps }, (_, i) => i + 1));
      expect(points.filter((p) => p.rollout).map((p) => p.step)).toEqual([4, 8, 12]);
      expect(points.every((p) => Number.isFinite(p.loss))).toBe(true);
      // K = 100 at the start: no refresh in 12 steps. The live K = 1, heard by the first yield, refreshes after every later step.
      expect(points.slice(1).map((p) => p.refreshed)).toEqual(points.slice(1).map(() => mode === 'transitions'));
    }
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('Stop ends a long study cancelled, keeps its points and frees its tensors', async () => {
    const h = connect();
    const tensors = tf.memory().numTensors;
    h.client.start({ ...TINY, steps: 100_000 });
    await until(() => h.state().transitionPoints.length > 0, 'the first points');
    h.client.cancel();
    await h.ended();
    const s = h.state();
    expect(s).toMatchObject({ status: 'cancelled', running: false, message: 'Stopped.' });
    expect(s.transitionPoints.length).toBeGreaterThan(0);
    expect(s.transitionPoints.length).toBeLessThan(2 * 100_000);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('a routing sweep streams one point per stack and router kind, the baseline first', async () => {
    const h = connect();
    h.client.start({ kind: 'routing-sweep', experiment: DEFAULT_ROUTING_EXPERIMENT, lambdas: [0.1], routers: ['soft', 'straight-through'], steps: 3 });
    await h.ended();
    const s = h.state();
    expect(s).toMatchObject({ kind: 'routing-sweep', status: 'done', progress: 1, transitionPoints: [] });
    expect(s.sweepPoints.map((p) => [p.router, p.lambdaS])).toEqual([
      [null, NaN],
      ['soft', 0.1],
      ['straight-through', 0.1],
    ]);
  });

  it('a refused study fails with the reason', async () => {
    const h = connect();
    h.client.start({ ...TINY, options: { ...TINY.options, hidden: -1 } });
    await h.ended();
    expect(h.state().status).toBe('failed');
    expect(h.state().message).toMatch(/^The study stopped: [\s\S]*"hidden"/);
  });
});
