/**
 * The worker's pacing, driven through the client over a MessageChannel: a
 * Play pressed before the trainer exists, the loading status, the Speed
 * setting (fast, slow motion) and the held-out points. Counts steps and
 * frames, never seconds (a fake clock where time matters).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LabClient, type AckScheduler } from '../client/lab-client';
import { useBackend } from '../engine/testing/backends';
import { waitUntil as until } from '../engine/testing/wait';
import { defaultExperiment, type Experiment } from '../protocol/experiment';
import type { FrameMessage, HeldOutPoint } from '../protocol/messages';
import { createLabStore } from '../store/lab-store';
import { heldOutDue, LabWorker, type BackendSwitch, type LabWorkerOptions } from './lab-worker';
import { closeYieldChannel } from './yield-to-events';

const LARA = defaultExperiment('lara');
const SMALL: Experiment = { ...LARA, task: 'recall', params: { ...LARA.params, nodes: 6, width: 4, batch: 2, window: 3 } };
const cpu: BackendSwitch = () => Promise.resolve({ backend: 'cpu', reason: 'test' });

interface Harness {
  readonly client: LabClient;
  readonly frames: FrameMessage[];
  readonly heldOut: HeldOutPoint[];
  close(): void;
}

const open: Harness[] = [];

function connect(experiment: Experiment, options: LabWorkerOptions = {}, backend: BackendSwitch = cpu, ack: AckScheduler = (a) => setTimeout(a, 0)): Harness {
  const channel = new MessageChannel();
  new LabWorker(channel.port1, backend, { frameIntervalMs: 0, ...options });
  const client = new LabClient(channel.port2, createLabStore(experiment), ack);
  const frames: FrameMessage[] = [];
  const heldOut: HeldOutPoint[] = [];
  client.onFrame((f) => frames.push(f));
  client.onHeldOut((p) => heldOut.push(p));
  const h = {
    client,
    frames,
    heldOut,
    close: () => {
      channel.port1.close();
      channel.port2.close();
    },
  };
  open.push(h);
  return h;
}

/** A clock that moves 1 ms each time it is read: time in the worker becomes a count of its own steps. */
function fakeClock(): () => number {
  let t = 0;
  return () => (t += 1);
}

const state = (h: Harness) => h.client.store.getState();

describe('worker pacing [cpu]', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  afterEach(() => {
    for (const h of open.splice(0)) h.close();
  });
  afterAll(() => closeYieldChannel());

  it('keeps a Play pressed before the trainer exists, says so, and starts training once it is ready', async () => {
    let ready!: () => void;
    const gate = new Promise<void>((r) => (ready = r));
    // The backend comes only when the test opens the gate, so there is no trainer when Play is pressed.
    const h = connect(SMALL, {}, async () => {
      await gate;
      return cpu('auto');
    });
    h.client.start();
    h.client.play();
    await until(() => state(h).playing, 'the press to show as playing');
    expect(h.client.topology).toBeNull();
    expect(state(h).step).toBe(0);
    ready();
    await until(() => state(h).step >= 3, 'training to start without a second press');
    h.client.pause();
    await until(() => !state(h).playing, 'pause');
  });

  it('names a slow dataset while it loads (MNIST) and starts DNA on a Play pressed meanwhile', async () => {
    const h = connect(defaultExperiment('dna'));
    const seen: (string | null)[] = [];
    h.client.store.subscribe((s) => {
      if (seen.at(-1) !== s.loading) seen.push(s.loading);
    });
    h.client.start();
    h.client.play();
    await until(() => state(h).step >= 2, 'DNA to train on MNIST', 120_000);
    h.client.pause();
    await until(() => !state(h).playing, 'pause');
    expect(seen).toEqual([null, 'Loading MNIST digits', null]);
  }, 180_000);

  it('slow motion: one step per frame, and no next step before the page acked the frame', async () => {
    const acks: (() => void)[] = [];
    const h = connect(SMALL, { slowPaceMs: () => 0 }, cpu, (a) => acks.push(a));
    h.client.setSpeed('slow');
    h.client.start();
    await until(() => h.frames.length === 1, 'the first frame');
    h.client.play();
    for (let n = 1; n <= 4; n++) {
      (acks.shift() as () => void)();
      await until(() => h.frames.length === n + 1, `frame ${n + 1}`);
      // Unacked: the worker waits however long the test looks.
      await new Promise((r) => setTimeout(r, 50));
      expect(state(h).step).toBe(n);
    }
    expect(h.frames.slice(1).map((f) => Array.from(f.stepNumbers))).toEqual([[1], [2], [3], [4]]);
    h.client.pause();
    for (const a of acks.splice(0)) a();
    await until(() => !state(h).playing, 'pause');
  });

  it('fast: more steps per frame than normal on the same clock; changing speed never restarts training', async () => {
    const stepsPerFrame = async (speed: 'normal' | 'fast'): Promise<number> => {
      const h = connect(SMALL, { frameIntervalMs: 40, now: fakeClock() });
      h.client.setSpeed(speed);
      h.client.start();
      await until(() => h.frames.length === 1, 'the first frame');
      h.client.step(150);
      await until(() => state(h).step === 150 && !state(h).playing, '150 steps', 60_000);
      await until(() => h.frames.some((f) => f.step === 150), 'the last frame');
      const withSteps = h.frames.filter((f) => f.stepNumbers.length > 0);
      return 150 / withSteps.length;
    };
    const normal = await stepsPerFrame('normal');
    const fast = await stepsPerFrame('fast');
    expect(fast).toBeGreaterThan(2 * normal);

    const h = connect(SMALL);
    h.client.start();
    await until(() => h.client.topology !== null, 'topology');
    const topology = h.client.topology;
    h.client.step(3);
    await until(() => state(h).step === 3 && !state(h).playing, 'three steps');
    h.client.setSpeed('fast');
    h.client.setSpeed('slow');
    h.client.setSpeed('normal');
    h.client.step(2);
    await until(() => state(h).step === 5 && !state(h).playing, 'two more steps on the same network');
    expect(h.client.topology).toBe(topology);
    expect(state(h).speed).toBe('normal');
  });

  it('held-out points: where training starts, about every interval of training, and where it stops', async () => {
    const h = connect(SMALL, { heldOutIntervalMs: 40, now: fakeClock() });
    h.client.start();
    await until(() => h.client.topology !== null, 'topology');
    h.client.step(60);
    await until(() => state(h).step === 60 && !state(h).playing, '60 steps', 60_000);
    await until(() => h.heldOut.at(-1)?.step === 60, 'a point where training stopped');
    const steps = h.heldOut.map((p) => p.step);
    expect(steps[0]).toBe(0);
    expect(steps.length).toBeGreaterThan(3); // some in between, on the fake clock's 40 ms
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThan(steps[i - 1] as number);
    for (const p of h.heldOut) {
      expect(Number.isFinite(p.loss)).toBe(true);
      expect(p.accuracy).toBeGreaterThanOrEqual(0);
      expect(p.accuracy).toBeLessThanOrEqual(1);
      expect(p.scored).toBe(56); // recall: 16 symbols on 4 lanes, the first two of each lane unscored
    }
    expect(state(h).heldOut).toEqual(h.heldOut.at(-1));
    expect(h.client.heldOutHistory).toEqual(h.heldOut);
    // A reset starts a new series.
    h.client.reset();
    await until(() => state(h).heldOut === null, 'the old point cleared by the new network');
    h.client.step(1);
    await until(() => h.client.heldOutHistory.at(-1)?.step === 1, 'the new series');
    expect(h.client.heldOutHistory.map((p) => p.step)).toEqual([0, 1]);
  });

  it('held-out evaluations wait for the interval and for nine times their own cost', () => {
    expect(heldOutDue(999, 5, 1000)).toBe(false);
    expect(heldOutDue(1000, 5, 1000)).toBe(true);
    // An evaluation that cost 200 ms waits 1.8 s: at most a tenth of the time.
    expect(heldOutDue(1500, 200, 1000)).toBe(false);
    expect(heldOutDue(1800, 200, 1000)).toBe(true);
  });
});
