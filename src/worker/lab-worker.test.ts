/** The worker shell and the client, wired over a real MessageChannel in Node (no browser). */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LabClient } from '../client/lab-client';
import { useBackend } from '../engine/testing/backends';
import { defaultExperiment, descriptorOf, MODEL_KINDS, type Experiment } from '../protocol/experiment';
import type { Endpoint, FrameMessage, FromWorker, ToWorker } from '../protocol/messages';
import { createLabStore } from '../store/lab-store';
import { LabWorker } from './lab-worker';
import { closeYieldChannel } from './yield-to-events';
import { waitUntil as until } from '../engine/testing/wait';

const DEFAULT_EXPERIMENT = defaultExperiment('lara');
const DEFAULT_LOOPY_EXPERIMENT = defaultExperiment('loopy');
const DEFAULT_DNA_EXPERIMENT = defaultExperiment('dna');
const DEFAULT_ROUTING_EXPERIMENT = defaultExperiment('routing');

const SMALL = {
  ...DEFAULT_EXPERIMENT,
  params: { ...DEFAULT_EXPERIMENT.params, nodes: 6, width: 4, batch: 2, window: 3 },
};

interface Harness {
  client: LabClient;
  frames: FrameMessage[];
  close(): void;
}

function connect(experiment: Experiment = SMALL): Harness {
  const channel = new MessageChannel();
  new LabWorker(channel.port1, async () => ({ backend: 'cpu', reason: 'test' }), {
    frameIntervalMs: 0,
  });
  const client = new LabClient(channel.port2, createLabStore(experiment), (ack) =>
    setTimeout(ack, 0),
  );
  const frames: FrameMessage[] = [];
  client.onFrame((f) => frames.push(f));
  client.start();
  return {
    client,
    frames,
    close: () => {
      channel.port1.close();
      channel.port2.close();
    },
  };
}


describe('worker <-> client protocol [cpu]', () => {
  const open: Harness[] = [];
  beforeAll(async () => {
    await useBackend('cpu');
  });
  afterEach(() => {
    for (const h of open.splice(0)) h.close();
  });
  afterAll(() => closeYieldChannel());

  it('starts an experiment, streams typed frames and counts steps', async () => {
    const h = connect();
    open.push(h);
    await until(() => h.client.topology !== null, 'topology');
    expect(h.client.store.getState().nodeCount).toBe(6);
    expect(h.client.store.getState().backend).toBe('cpu');
    h.client.step(3);
    await until(() => h.client.store.getState().step === 3 && !h.client.store.getState().playing, 'three steps');
    await until(() => h.frames.some((f) => f.step === 3), 'a frame at step 3');
    const last = h.frames.at(-1) as FrameMessage;
    expect(last.activity).toBeInstanceOf(Float32Array);
    expect(last.active).toBeInstanceOf(Uint8Array);
    expect(last.activity.length).toBe(last.ticks * last.nodeIds.length);
    expect(last.gates.length).toBe(last.ticks * last.nodeIds.length * last.K);
    const stepsSeen = h.frames.flatMap((f) => Array.from(f.stepNumbers));
    expect(stepsSeen).toEqual([1, 2, 3]);
    expect(h.client.threadHops).toBeGreaterThan(0);
  });

  it('keeps one frame in flight until it is acked', async () => {
    const channel = new MessageChannel();
    new LabWorker(channel.port1, async () => ({ backend: 'cpu', reason: 'test' }), {
      frameIntervalMs: 0,
    });
    const frames: FrameMessage[] = [];
    const port = channel.port2;
    port.addEventListener('message', (e: MessageEvent<FromWorker>) => {
      if (e.data.type === 'frame') frames.push(e.data);
    });
    port.start();
    port.postMessage({ type: 'reset', experiment: SMALL } satisfies ToWorker);
    port.postMessage({ type: 'step', steps: 4 } satisfies ToWorker);
    await new Promise((r) => setTimeout(r, 1500));
    expect(frames.length).toBe(1); // never acked: nothing more may come
    port.postMessage({ type: 'ack', frameId: (frames[0] as FrameMessage).frameId } satisfies ToWorker);
    await until(() => frames.length === 2, 'a second frame after the ack');
    channel.port1.close();
    channel.port2.close();
  });

  // A kind added to the registry is covered here without touching this file: its defaults, on a quick task.
  it.each(MODEL_KINDS)('every registry kind (%s): starts, trains, streams a frame, exports and imports the same predictions', async (kind) => {
    const base = defaultExperiment(kind);
    const experiment = { ...base, task: descriptorOf(kind).family === 'sequence' ? 'recall' : 'xor' } as Experiment;
    const a = connect(experiment);
    open.push(a);
    await until(() => a.client.topology !== null, 'topology');
    expect(a.client.topology?.experiment.model).toBe(kind);
    a.client.step(2);
    await until(() => a.client.store.getState().step === 2 && !a.client.store.getState().playing, 'two steps');
    await until(() => a.frames.some((f) => f.step === 2), 'a frame at step 2');
    expect(Number.isFinite(a.client.store.getState().loss)).toBe(true);
    // Every kind has a held-out curve: points where training started and stopped, on as many rows as it predicts.
    await until(() => a.client.heldOutHistory.at(-1)?.step === 2, 'a held-out point where training stopped');
    // Where it started and where it stopped; a slow machine may also hit the once-a-second point in between.
    const steps = a.client.heldOutHistory.map((p) => p.step);
    expect(steps[0]).toBe(0);
    expect(steps.at(-1)).toBe(2);
    expect(steps.every((s, i) => i === 0 || s > (steps[i - 1] as number))).toBe(true);
    for (const p of a.client.heldOutHistory) expect(Number.isFinite(p.loss) && p.scored > 0).toBe(true);
    const doc = await a.client.exportModel();
    expect(doc.experiment.model).toBe(kind);
    const before = Array.from(await a.client.predict());
    expect(before.every(Number.isFinite)).toBe(true);
    const b = connect({ ...experiment, seed: 77 });
    open.push(b);
    await until(() => b.client.topology !== null, 'topology');
    expect(Array.from(await b.client.predict())).not.toEqual(before);
    expect(await b.client.importText(JSON.stringify(doc))).toBeNull();
    expect(Array.from(await b.client.predict())).toEqual(before);
    expect(b.client.store.getState().step).toBe(2);
  });

  it('exports a document that imports into another lab with the same predictions', async () => {
    const a = connect();
    open.push(a);
    await until(() => a.client.topology !== null, 'topology');
    a.client.step(2);
    await until(() => a.client.store.getState().step === 2 && !a.client.store.getState().playing, 'two steps');
    const doc = await a.client.exportModel();
    expect(doc.format).toBe('loopy-lab');
    expect(doc.version).toBe(1);
    expect(doc.step).toBe(2);
    const before = await a.client.predict();

    const b = connect({ ...SMALL, seed: 99 });
    open.push(b);
    await until(() => b.client.topology !== null, 'topology');
    const fresh = await b.client.predict();
    expect(Array.from(fresh)).not.toEqual(Array.from(before));
    expect(await b.client.importText(JSON.stringify(doc))).toBeNull();
    expect(Array.from(await b.client.predict())).toEqual(Array.from(before));
    expect(b.client.store.getState().experiment.seed).toBe(SMALL.seed);
  });

  for (const pacing of ['fixed', 'read-node'] as const) {
    it(`runs a loopy network (${pacing} pacing): frames mark read ticks, export -> import keeps its predictions`, async () => {
      const loopy: Experiment = {
        ...DEFAULT_LOOPY_EXPERIMENT,
        params: { ...DEFAULT_LOOPY_EXPERIMENT.params, hidden: 12, width: 2, batch: 2, window: 3, pacing, thinkTicks: 3 },
      };
      const a = connect(loopy);
      open.push(a);
      await until(() => a.client.topology !== null && a.frames.length > 0, 'topology and a frame');
      a.client.step(2);
      await until(() => a.client.store.getState().step === 2 && !a.client.store.getState().playing, 'two steps');
      const f = a.frames[a.frames.length - 1] as FrameMessage;
      expect(f.threads.length).toBe(0);
      expect(f.reads.length).toBe(f.ticks);
      // The probe lane reads each of its symbols exactly once.
      expect(f.reads.reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
      const doc = await a.client.exportModel();
      expect(doc.experiment.model).toBe('loopy');
      const before = await a.client.predict();

      const b = connect();
      open.push(b);
      await until(() => b.client.topology !== null, 'topology');
      expect(await b.client.importText(JSON.stringify(doc))).toBeNull();
      expect(Array.from(await b.client.predict())).toEqual(Array.from(before));
      expect(b.client.store.getState().experiment.model).toBe('loopy');
    });
  }

  const classifiers: readonly Experiment[] = [
    { ...DEFAULT_ROUTING_EXPERIMENT, task: 'xor', params: { ...DEFAULT_ROUTING_EXPERIMENT.params, layers: 2, width: 6, batch: 8 } },
    { ...DEFAULT_DNA_EXPERIMENT, task: 'gaussian', params: { ...DEFAULT_DNA_EXPERIMENT.params, batch: 16 } },
  ];
  for (const experiment of classifiers) {
    it(`runs ${experiment.model} on a dataset: frames carry its detail, export -> import keeps its predictions, a mangled tensor is refused`, async () => {
      const a = connect(experiment);
      open.push(a);
      await until(() => a.client.topology !== null && a.frames.length > 0, 'topology and a frame');
      a.client.step(3);
      await until(() => a.client.store.getState().step === 3 && !a.client.store.getState().playing, 'three steps');
      const f = a.frames[a.frames.length - 1] as FrameMessage;
      expect(f.detail?.kind).toBe(experiment.model);
      const doc = await a.client.exportModel();
      expect(doc.experiment.model).toBe(experiment.model);
      const before = await a.client.predict();

      const b = connect();
      open.push(b);
      await until(() => b.client.topology !== null, 'topology');
      const name = Object.keys(doc.weights)[0] as string;
      const bad = { ...doc, weights: { ...doc.weights, [name]: { ...doc.weights[name], shape: [1, 2, 3] } } };
      expect(await b.client.importText(JSON.stringify(bad))).toMatch(new RegExp(`${name}.*shape`));
      expect(b.client.store.getState().experiment.model).toBe('lara');
      expect(await b.client.importText(JSON.stringify(doc))).toBeNull();
      expect(Array.from(await b.client.predict())).toEqual(Array.from(before));
      expect(b.client.store.getState().experiment.model).toBe(experiment.model);
    });
  }

  it('refuses a bad file with a message and leaves the running network alone', async () => {
    const h = connect();
    open.push(h);
    await until(() => h.client.topology !== null, 'topology');
    const before = Array.from(await h.client.predict());
    const error = await h.client.importText('{"format":"something-else"}');
    expect(error).toMatch(/not a Loopy Lab export/);
    expect(h.client.store.getState().alert).toMatch(/Import refused/);
    expect(Array.from(await h.client.predict())).toEqual(before);
  });

  it('applies live parameters without restarting and restarts for structural ones', async () => {
    const h = connect();
    open.push(h);
    await until(() => h.client.topology !== null, 'topology');
    const first = h.client.topology;
    h.client.setExperiment({ ...SMALL, params: { ...SMALL.params, learningRate: 0.05, thinkTicks: 2 } });
    h.client.step(1);
    await until(() => h.client.store.getState().step === 1, 'a step');
    expect(h.client.topology).toBe(first); // no new topology: same experiment
    await until(() => (h.frames.at(-1)?.ticks ?? 0) === 4, 'frames with two think ticks per symbol');
    h.client.setExperiment({ ...SMALL, params: { ...SMALL.params, nodes: 8 } });
    await until(() => h.client.store.getState().nodeCount === 8, 'a new graph of 8 nodes');
    expect(h.client.store.getState().step).toBe(0);
  });
});

describe('client validation', () => {
  it('refuses an invalid parameter with a message and sends nothing', () => {
    const sent: ToWorker[] = [];
    const endpoint = {
      postMessage: (m: ToWorker) => sent.push(m),
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
    } as unknown as Endpoint<FromWorker, ToWorker>;
    const client = new LabClient(endpoint, createLabStore(SMALL));
    client.setExperiment({ ...SMALL, params: { ...SMALL.params, learningRate: -1 } });
    expect(sent).toEqual([]);
    expect(client.store.getState().alert).toMatch(/Setting refused: params.learningRate/);
    expect(client.store.getState().experiment).toEqual(SMALL);
    client.setExperiment({ ...SMALL, params: { ...SMALL.params, learningRate: 0.02 } });
    expect(sent.map((m) => m.type)).toEqual(['setParams']);
  });
});

describe('crash recovery [cpu]', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  afterAll(() => closeYieldChannel());

  it('a new worker resumes from the checkpoint the old one sent', async () => {
    const first = new MessageChannel();
    new LabWorker(first.port1, async () => ({ backend: 'cpu', reason: 'test' }), { frameIntervalMs: 0 });
    const client = new LabClient(first.port2, createLabStore(SMALL), (ack) => setTimeout(ack, 0));
    client.start();
    client.step(3);
    await until(() => client.store.getState().step === 3 && !client.store.getState().playing, 'three steps');
    const trained = await client.predict();
    first.port1.close(); // the old worker is gone

    const second = new MessageChannel();
    new LabWorker(second.port1, async () => ({ backend: 'cpu', reason: 'test' }), { frameIntervalMs: 0 });
    expect(client.reconnect(second.port2 as unknown as Endpoint<FromWorker, ToWorker>)).toBe(3);
    await until(() => client.store.getState().step === 3, 'the checkpoint step');
    expect(Array.from(await client.predict())).toEqual(Array.from(trained));
    first.port2.close();
    second.port1.close();
    second.port2.close();
  });
});
