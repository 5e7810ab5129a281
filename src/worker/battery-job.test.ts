/**
 * The battery job in the job shell, driven by the battery client over a
 * MessageChannel. The calibration models train on the host, so no backend
 * is needed; a counting wrapper counts the episodes trained.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createBatteryClient, type BatteryClient } from '../client/battery-client';
import { BATTERY_MODELS, type BatteryModelEntry } from '../engine/battery/battery-models';
import type { SequenceModel } from '../engine/sequence-model';
import type { BatteryModelName, BatteryRequest } from '../protocol/battery-messages';
import { createLabStore, type BatteryState } from '../store/lab-store';
import { createBatteryJob } from './battery-job';
import { JobWorker } from './job-worker';
import { closeYieldChannel } from './yield-to-events';
import { waitUntil as until } from '../engine/testing/wait';

type Registry = { readonly [K in BatteryModelName]: BatteryModelEntry };

interface Harness {
  readonly client: BatteryClient;
  state(): BatteryState;
  ended(): Promise<void>;
  close(): void;
}

const open: Harness[] = [];

function connect(models: Registry = BATTERY_MODELS): Harness {
  const channel = new MessageChannel();
  new JobWorker(channel.port1, createBatteryJob(models), async () => undefined);
  const store = createLabStore();
  const client = createBatteryClient(store, () => channel.port2);
  const h: Harness = {
    client,
    state: () => store.getState().battery,
    ended: () => until(() => store.getState().battery.status !== 'running', 'the battery to end'),
    close: () => {
      channel.port1.close();
      channel.port2.close();
    },
  };
  open.push(h);
  return h;
}


/** The oracle, counting the episodes it trains on and calling `onTrain` before each. */
function countingOracle(onTrain: (episode: number) => void): { models: Registry; episodes(): number } {
  let episodes = 0;
  const create = (spec: Parameters<BatteryModelEntry['create']>[0]): SequenceModel => {
    const model = BATTERY_MODELS.oracle.create(spec, {});
    return {
      ...model,
      train: (batch) => {
        episodes++;
        onTrain(episodes);
        return model.train(batch);
      },
    };
  };
  return { models: { ...BATTERY_MODELS, oracle: { ...BATTERY_MODELS.oracle, create } }, episodes: () => episodes };
}

const REQUEST: BatteryRequest = {
  jobs: [
    { model: 'oracle', label: 'oracle', params: {} },
    { model: 'random', label: 'random', params: {} },
  ],
  tests: ['circuit', 'long-term'],
  trainSteps: 5,
  lanes: 2,
  seed: 1,
  sweep: [],
};

describe('battery job <-> battery client', () => {
  afterEach(() => {
    for (const h of open.splice(0)) h.close();
  });
  afterAll(() => closeYieldChannel());

  it('streams a row per job and test into the battery slice, then ends done', async () => {
    const h = connect();
    h.client.start(REQUEST);
    expect(h.state()).toMatchObject({ status: 'running', running: true, jobs: REQUEST.jobs, tests: REQUEST.tests, currentTest: 'circuit', rows: [] });
    await h.ended();
    const s = h.state();
    expect(s).toMatchObject({ status: 'done', running: false, message: null, progress: 1, currentTest: null });
    expect(s.rows.map((r) => [r.job, r.test, r.model])).toEqual([
      [0, 'circuit', 'oracle'],
      [0, 'long-term', 'oracle'],
      [1, 'circuit', 'random'],
      [1, 'long-term', 'random'],
    ]);
    // The oracle knows every answer; the random predictor solves no gap.
    expect(s.rows[0]?.score).toBe(1);
    expect(s.rows[1]?.score).toBe(32);
    expect(s.rows[3]?.score).toBe(0);
  });

  it('Cancel stops the battery within an episode or two, keeps the rows finished so far and ends cancelled', async () => {
    const trainSteps = 200;
    let h: Harness | null = null;
    let atCancel = 0;
    // circuit trains 200 episodes, forgetting 400: cancel 50 episodes into forgetting.
    const oracle = countingOracle((episode) => {
      if (episode === trainSteps + 50) {
        atCancel = episode;
        h?.client.cancel();
      }
    });
    h = connect(oracle.models);
    h.client.start({ ...REQUEST, jobs: [{ model: 'oracle', label: 'oracle', params: {} }], tests: ['circuit', 'forgetting'], trainSteps });
    await h.ended();
    expect(atCancel).toBe(trainSteps + 50);
    expect(oracle.episodes() - atCancel).toBeLessThanOrEqual(2); // 350 were left
    expect(h.state()).toMatchObject({ status: 'cancelled', running: false, message: 'Cancelled.', currentTest: null });
    expect(h.state().rows.map((r) => r.test)).toEqual(['circuit']);
    expect(h.state().progress).toBeGreaterThan(0.5);
    expect(h.state().progress).toBeLessThan(1);
  });

  it('a job with its own seed runs at that seed, as a request at that seed would', async () => {
    const run = async (request: BatteryRequest): Promise<number[]> => {
      const h = connect();
      h.client.start(request);
      await h.ended();
      return h.state().rows.map((r) => r.score);
    };
    const random = (seed?: number) => ({ model: 'random' as const, label: 'random', params: {}, ...(seed === undefined ? {} : { seed }) });
    const [a, b] = await run({ ...REQUEST, tests: ['circuit'], jobs: [random(2), random(3)] });
    expect(a).not.toBe(b);
    expect(await run({ ...REQUEST, tests: ['circuit'], seed: 2, jobs: [random()] })).toEqual([a]);
    expect(await run({ ...REQUEST, tests: ['circuit'], seed: 3, jobs: [random()] })).toEqual([b]);
  });

  it('a refused sweep cell fails the run with the job’s label', async () => {
    const h = connect();
    h.client.start({ ...REQUEST, jobs: [{ model: 'gru', label: 'gru hidden=-1', params: { hidden: -1 } }] });
    await h.ended();
    expect(h.state().status).toBe('failed');
    expect(h.state().message).toMatch(/^The battery stopped: gru hidden=-1: .*hidden/);
  });
});
