/** Worker faults over a real MessageChannel in Node: a crash after a live change, a heartbeat, a lost device. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabClient, type WorkerLoss } from '../client/lab-client';
import { useBackend } from '../engine/testing/backends';
import { waitUntil as until } from '../engine/testing/wait';
import { defaultExperiment, type BackendName, type Experiment } from '../protocol/experiment';
import type { Endpoint, FromWorker, ToWorker } from '../protocol/messages';
import { createLabStore } from '../store/lab-store';
import { LabWorker, type BackendSwitch } from './lab-worker';
import { closeYieldChannel } from './yield-to-events';

const base = defaultExperiment('lara');
const SMALL: Experiment = { ...base, params: { ...base.params, nodes: 6, width: 4, batch: 2, window: 3 } };
const cpu: BackendSwitch = async () => ({ backend: 'cpu', reason: 'test' });

function worker(switchBackend: BackendSwitch = cpu): MessageChannel {
  const channel = new MessageChannel();
  new LabWorker(channel.port1, switchBackend, { frameIntervalMs: 0 });
  return channel;
}

const port = (c: MessageChannel) => c.port2 as unknown as Endpoint<FromWorker, ToWorker>;

describe('worker faults [cpu]', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  afterAll(() => closeYieldChannel());

  it('a crash after a live change resumes from the checkpoint, then applies the live values again', async () => {
    const first = worker();
    const client = new LabClient(port(first), createLabStore(SMALL), (ack) => setTimeout(ack, 0));
    client.start();
    client.step(3);
    await until(() => client.store.getState().step === 3 && !client.store.getState().playing && client.checkpointStep === 3, 'three steps and their checkpoint');
    const trained = Array.from(await client.predict());
    // A live change after the checkpoint: the checkpoint's experiment no longer equals the store's.
    const lr = (SMALL.params as { learningRate: number }).learningRate * 3;
    client.setExperiment({ ...SMALL, params: { ...SMALL.params, learningRate: lr } });
    first.port1.close();

    const second = worker();
    expect(client.reconnect(port(second))).toBe(3);
    await until(() => client.store.getState().step === 3, 'the checkpoint step');
    expect(Array.from(await client.predict())).toEqual(trained);
    const doc = await client.exportModel();
    expect(doc.step).toBe(3);
    expect((doc.experiment.params as { learningRate: number }).learningRate).toBe(lr);
    for (const c of [first, second]) {
      c.port1.close();
      c.port2.close();
    }
  });

  it('a structural change since the checkpoint starts the experiment afresh (the checkpoint is another network)', async () => {
    const first = worker();
    const client = new LabClient(port(first), createLabStore(SMALL), (ack) => setTimeout(ack, 0));
    client.start();
    client.step(2);
    await until(() => client.checkpointStep === 2, 'a checkpoint');
    client.setExperiment({ ...SMALL, params: { ...SMALL.params, nodes: 7 } });
    const second = worker();
    expect(client.reconnect(port(second))).toBe(0);
    await until(() => client.store.getState().nodeCount === 7, 'the new experiment');
    for (const c of [first, second]) {
      c.port1.close();
      c.port2.close();
    }
  });

  it('answers pings while it trains, and a silenced worker answers nothing', async () => {
    const c = worker();
    const got: FromWorker[] = [];
    c.port2.addEventListener('message', (e: MessageEvent<FromWorker>) => got.push(e.data));
    c.port2.start();
    const send = (m: ToWorker) => c.port2.postMessage(m);
    send({ type: 'reset', experiment: SMALL });
    send({ type: 'play' });
    send({ type: 'ping', id: 7 });
    await until(() => got.some((m) => m.type === 'pong' && m.id === 7), 'a pong');
    send({ type: 'testFault', fault: 'silence' });
    send({ type: 'ping', id: 8 });
    await new Promise((r) => setTimeout(r, 300));
    const after = got.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(got.length).toBe(after); // no frames, no status, no pong
    expect(got.some((m) => m.type === 'pong' && m.id === 8)).toBe(false);
    c.port1.close();
    c.port2.close();
  });

  it('a lost device is reported once, the worker goes quiet, and the next worker is told to skip that backend', async () => {
    let lose!: (message: string) => void;
    const lost = new Promise<string>((r) => (lose = r));
    const gpu: BackendSwitch = async () => ({ backend: 'webgpu', reason: 'test', lost });
    const first = worker(gpu);
    const client = new LabClient(port(first), createLabStore(SMALL), (ack) => setTimeout(ack, 0));
    const losses: WorkerLoss[] = [];
    client.watchWorker((l) => losses.push(l), { now: () => 0, every: () => () => undefined });
    client.start();
    client.step(2);
    await until(() => client.checkpointStep === 2, 'a checkpoint');
    const trained = Array.from(await client.predict());
    lose('Device was destroyed.');
    await until(() => losses.length === 1, 'the loss reported');
    expect(losses[0]).toEqual({ kind: 'deviceLost', backend: 'webgpu', message: 'Device was destroyed.' });

    const asked: (readonly BackendName[] | undefined)[] = [];
    const next: BackendSwitch = async (_choice, exclude) => {
      asked.push(exclude);
      return { backend: 'cpu', reason: 'test' };
    };
    const second = worker(next);
    expect(client.reconnect(port(second))).toBe(2);
    await until(() => client.store.getState().backend === 'cpu' && client.store.getState().step === 2, 'the next backend at the checkpoint');
    expect(asked).toEqual([['webgpu']]);
    expect(Array.from(await client.predict())).toEqual(trained);
    for (const c of [first, second]) {
      c.port1.close();
      c.port2.close();
    }
  });
});
