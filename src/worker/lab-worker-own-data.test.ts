/**
 * Own data sets through the worker and the client over a real MessageChannel:
 * the file travels in the reset message and in model documents. Page and
 * worker share one process here, so each test empties this thread's data sets
 * right after the client sent them: what the worker trains on came in a message.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LabClient } from '../client/lab-client';
import { useBackend } from '../engine/testing/backends';
import { waitUntil as until } from '../engine/testing/wait';
import { defaultExperiment, type Experiment, type ModelKind } from '../protocol/experiment';
import type { FrameMessage, ToWorker } from '../protocol/messages';
import { installedOwnData, ownDataSnapshot, restoreOwnData, type OwnDataFile } from '../protocol/own-data';
import { createLabStore } from '../store/lab-store';
import { LabWorker } from './lab-worker';
import { closeYieldChannel } from './yield-to-events';

const TEXT: OwnDataFile = { kind: 'text', name: 'song.txt', text: 'row, row, row your boat gently down the stream; merrily, merrily, life is but a dream. '.repeat(6) };
const CSV: OwnDataFile = {
  kind: 'csv',
  name: 'two.csv',
  text: ['u,v,class', ...Array.from({ length: 60 }, (_, r) => `${(r % 10) / 3},${((r * 7) % 11) / 4},${(r % 10) / 3 > 1.5 ? 'hi' : 'lo'}`)].join('\n'),
};
const EMPTY = { text: null, csv: null };

/** A kind's defaults on a quick built-in task (DNA opens on MNIST, 20 MB of JSON). */
function quick(kind: ModelKind): Experiment {
  const base = defaultExperiment(kind);
  if (base.model === 'lara') return { ...base, params: { ...base.params, nodes: 5, width: 3, batch: 2, window: 2 } };
  return base.model === 'dna' || base.model === 'routing' ? { ...base, task: 'xor' } : base;
}

interface Harness {
  client: LabClient;
  frames: FrameMessage[];
  sent: ToWorker[];
  close(): void;
}

function connect(experiment: Experiment): Harness {
  const channel = new MessageChannel();
  const sent: ToWorker[] = [];
  channel.port1.addEventListener('message', (e: MessageEvent<ToWorker>) => sent.push(e.data));
  new LabWorker(channel.port1, async () => ({ backend: 'cpu', reason: 'test' }), { frameIntervalMs: 0 });
  const client = new LabClient(channel.port2, createLabStore(experiment), (ack) => setTimeout(ack, 0));
  const frames: FrameMessage[] = [];
  client.onFrame((f) => frames.push(f));
  client.start();
  return { client, frames, sent, close: () => (channel.port1.close(), channel.port2.close()) };
}

async function trains(h: Harness, steps: number): Promise<void> {
  const from = h.client.store.getState().step;
  h.client.step(steps);
  await until(() => h.client.store.getState().step === from + steps && !h.client.store.getState().playing, `${steps} steps`);
  // The status says the step before the frame with its losses arrives.
  await until(() => h.frames.some((f) => f.step === from + steps), `a frame at step ${from + steps}`);
  expect(Number.isFinite(h.client.store.getState().loss)).toBe(true);
}

describe('own data through the worker [cpu]', () => {
  const open: Harness[] = [];
  const before = ownDataSnapshot();
  beforeAll(async () => {
    await useBackend('cpu');
  });
  afterEach(() => {
    for (const h of open.splice(0)) h.close();
    restoreOwnData(before);
  });
  afterAll(() => closeYieldChannel());

  const alphabet = new Set(TEXT.text).size;
  // Input and output nodes where the graph shows the sizes (a GRU's units per symbol, DNA's per feature and class); null where it does not.
  it.each<[ModelKind, OwnDataFile, number | null, number | null]>([
    ['gru', TEXT, alphabet, alphabet],
    ['lara', TEXT, null, null],
    ['dna', CSV, 2, 2],
    ['routing', CSV, null, null],
  ])('%s trains on an uploaded file, exports it, and another lab imports it and trains on the same data', async (kind, file, inputs, outputs) => {
    const a = connect(quick(kind));
    open.push(a);
    await until(() => a.client.topology !== null, 'topology');
    expect(a.client.loadOwnData(file)).toBeNull();
    restoreOwnData(EMPTY);
    await until(() => a.sent.filter((m) => m.type === 'reset').length === 2, 'the second reset');
    const reset = a.sent.filter((m) => m.type === 'reset').at(-1);
    expect(reset?.type === 'reset' && reset.data).toEqual(file);
    await until(() => a.client.topology?.experiment.task === (file.kind === 'text' ? 'own-text' : 'own-csv'), 'the own task');
    const graph = a.client.topology?.graph;
    if (inputs !== null) expect(graph?.nodes.filter((n) => n.role === 'input').length).toBe(inputs);
    if (outputs !== null) expect(graph?.nodes.filter((n) => n.role === 'output').length).toBe(outputs);
    await trains(a, 2);
    await until(() => a.client.heldOutHistory.at(-1)?.step === 2, 'a held-out point');
    expect(Number.isFinite(a.client.heldOutHistory.at(-1)?.loss)).toBe(true);
    const doc = await a.client.exportModel();
    expect(doc.data).toEqual(file);
    const predicted = Array.from(await a.client.predict());

    restoreOwnData(EMPTY);
    const b = connect(quick(kind));
    open.push(b);
    await until(() => b.client.topology !== null, 'topology');
    expect(await b.client.importText(JSON.stringify(doc))).toBeNull();
    expect(b.client.store.getState().experiment.task).toBe(doc.experiment.task);
    expect(b.client.ownData).toEqual(file);
    expect(Array.from(await b.client.predict())).toEqual(predicted);
    await trains(b, 2);
  });

  it('the checkpoint carries the data set, so a new worker resumes on it', async () => {
    const h = connect(quick('dna'));
    open.push(h);
    await until(() => h.client.topology !== null, 'topology');
    expect(h.client.loadOwnData(CSV)).toBeNull();
    await until(() => h.client.topology?.experiment.task === 'own-csv', 'the own task');
    await trains(h, 3);
    await until(() => h.client.checkpointStep === 3, 'a checkpoint at step 3');
    const channel = new MessageChannel();
    new LabWorker(channel.port1, async () => ({ backend: 'cpu', reason: 'test' }), { frameIntervalMs: 0 });
    expect(h.client.reconnect(channel.port2)).toBe(3);
    // Emptied before the new worker reads its first message: it resumes on the checkpoint's own copy.
    restoreOwnData(EMPTY);
    await until(() => h.client.store.getState().step === 3 && h.client.topology?.experiment.task === 'own-csv', 'resumed');
    await trains(h, 2);
    channel.port1.close();
    channel.port2.close();
  });

  it('after a new file, a crash restarts on it rather than resuming the old file\'s checkpoint', async () => {
    const h = connect(quick('dna'));
    open.push(h);
    await until(() => h.client.topology !== null, 'topology');
    expect(h.client.loadOwnData(CSV)).toBeNull();
    await until(() => h.client.topology?.experiment.task === 'own-csv', 'the own task');
    await trains(h, 2);
    await until(() => h.client.checkpointStep === 2, 'a checkpoint at step 2');
    const other = { ...CSV, name: 'other.csv', text: CSV.text.replace(/,hi$/gm, ',high') };
    expect(h.client.loadOwnData(other)).toBeNull();
    const channel = new MessageChannel();
    new LabWorker(channel.port1, async () => ({ backend: 'cpu', reason: 'test' }), { frameIntervalMs: 0 });
    expect(h.client.reconnect(channel.port2)).toBe(0);
    await until(() => h.client.topology?.step === 0 && h.client.store.getState().step === 0, 'a fresh start');
    const doc = await h.client.exportModel();
    expect(doc.data?.name).toBe('other.csv');
    channel.port1.close();
    channel.port2.close();
  });

  it('a bad file changes nothing: same experiment, no reset sent, the alert names the problem', async () => {
    const h = connect(quick('dna'));
    open.push(h);
    await until(() => h.client.topology !== null, 'topology');
    await trains(h, 1);
    const resets = h.sent.filter((m) => m.type === 'reset').length;
    const ragged = { ...CSV, name: 'ragged.csv', text: CSV.text.replace('\n0,0,lo', '\n0,lo') };
    expect(h.client.loadOwnData(ragged)).toBe('row 1 has 2 cells, the header has 3');
    expect(h.client.store.getState().alert).toBe('CSV file "ragged.csv" refused: row 1 has 2 cells, the header has 3. The running experiment is unchanged.');
    expect(h.client.loadOwnData(TEXT)).toMatch('a text file makes a next-character task, which dna does not run');
    expect(h.client.store.getState().experiment.task).toBe('xor');
    expect(installedOwnData('csv')).toBeNull();
    await trains(h, 1);
    expect(h.sent.filter((m) => m.type === 'reset').length).toBe(resets);
  });

  it('an own task without its file is refused as a setting', async () => {
    const h = connect(quick('gru'));
    open.push(h);
    await until(() => h.client.topology !== null, 'topology');
    h.client.setExperiment({ ...h.client.store.getState().experiment, task: 'own-text' } as Experiment);
    expect(h.client.store.getState().alert).toMatch('none is loaded');
    expect(h.client.store.getState().experiment.task).toBe('recall');
  });
});
