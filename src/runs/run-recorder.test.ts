import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TopologyUpdate } from '../client/lab-client';
import { defaultExperiment, isLiveChange, type Experiment } from '../protocol/experiment';
import type { FrameCommon, HeldOutPoint } from '../protocol/messages';
import type { ModelDocument } from '../protocol/model-document';
import type { OwnDataSummary } from '../protocol/own-data';
import { createLabStore } from '../store/lab-store';
import { RunRecorder, runName, type RecordedClient } from './run-recorder';
import { RunStore } from './run-store';

/** A LabClient double: the test says what the worker would have sent. */
class FakeClient implements RecordedClient {
  readonly store = createLabStore();
  private readonly frames = new Set<(f: FrameCommon) => void>();
  private readonly heldOuts = new Set<(p: HeldOutPoint) => void>();
  private readonly topologies = new Set<(t: TopologyUpdate) => void>();
  private readonly checkpoints = new Set<(d: ModelDocument) => void>();
  ownDataSummary: OwnDataSummary | null = null;
  step = 0;
  imported: ModelDocument[] = [];

  onFrame(l: (f: FrameCommon) => void) {
    this.frames.add(l);
    return () => this.frames.delete(l);
  }
  onHeldOut(l: (p: HeldOutPoint) => void) {
    this.heldOuts.add(l);
    return () => this.heldOuts.delete(l);
  }
  onTopology(l: (t: TopologyUpdate) => void) {
    this.topologies.add(l);
    return () => this.topologies.delete(l);
  }
  onCheckpoint(l: (d: ModelDocument) => void) {
    this.checkpoints.add(l);
    return () => this.checkpoints.delete(l);
  }

  /** The worker built a network (a reset, an import, a rollback). */
  topology(step: number, experiment: Experiment = this.store.getState().experiment, events: TopologyUpdate['events'] = [], rolledBack?: string): void {
    this.step = step;
    const t: TopologyUpdate = { graph: { nodes: [], edges: [] } as unknown as TopologyUpdate['graph'], events, experiment, step, ...(rolledBack !== undefined ? { rolledBack } : {}) };
    for (const l of this.topologies) l(t);
  }
  /** `n` steps in one frame, loss 1/step, each 10 ms. */
  train(n: number): void {
    const steps = Array.from({ length: n }, (_, i) => this.step + i + 1);
    this.step += n;
    const f = {
      step: this.step,
      stepsPerSecond: 100,
      stepNumbers: Float64Array.from(steps),
      losses: Float32Array.from(steps.map((s) => 1 / s)),
      accuracies: Float32Array.from(steps.map(() => 0.5)),
      stepMs: Float32Array.from(steps.map(() => 10)),
    } as unknown as FrameCommon;
    for (const l of this.frames) l(f);
  }
  heldOut(loss: number): void {
    for (const l of this.heldOuts) l({ step: this.step, loss, accuracy: 0.25, scored: 10, ms: 1 });
  }
  checkpoint(): ModelDocument {
    const d = { format: 'loopy-lab', version: 1, createdAt: 'x', experiment: this.store.getState().experiment, graph: { nodes: [], edges: [], nextNodeId: 0, nextEdgeId: 0 }, weights: {}, step: this.step, metrics: { loss: null, accuracy: null } } as ModelDocument;
    for (const l of this.checkpoints) l(d);
    return d;
  }

  async importText(text: string): Promise<string | null> {
    const d = JSON.parse(text) as ModelDocument;
    this.imported.push(d);
    this.store.getState().setRun({ playing: false });
    this.topology(d.step, d.experiment);
    this.store.getState().setExperiment(d.experiment);
    return null;
  }
  setExperiment(next: Experiment): void {
    const before = this.store.getState().experiment;
    this.store.getState().setExperiment(next);
    if (!isLiveChange(before, next)) this.topology(0, next);
  }
  reset(): void {
    this.topology(0);
  }
  play(): void {
    this.store.getState().setRun({ playing: true });
  }
  pause(): void {
    this.store.getState().setRun({ playing: false });
  }
}

let n = 0;
const open: { recorder: RunRecorder; runs: RunStore }[] = [];
function setup(clientIn?: FakeClient, runsIn?: RunStore) {
  const client = clientIn ?? new FakeClient();
  const runs = runsIn ?? new RunStore(`recorder-test-${++n}`, { estimate: async () => undefined });
  const time = { ms: 0 };
  let ids = 0;
  const recorder = new RunRecorder(client, runs, { clock: () => time.ms, now: () => 1000 + time.ms, flushMs: 0, newId: () => `run${++ids}-${n}` });
  open.push({ recorder, runs });
  return { client, runs, recorder, time };
}
afterEach(() => {
  for (const { recorder, runs } of open.splice(0)) {
    recorder.stop();
    runs.close();
  }
});

const lara = defaultExperiment('lara');

describe('the run recorder', () => {
  it('keeps nothing for a network that never trains, then a run from its first step with its series, events and training time', async () => {
    const { client, runs, recorder, time } = setup();
    client.topology(0);
    await recorder.flush();
    expect(await runs.list()).toEqual([]);
    client.heldOut(2.5);
    client.play();
    time.ms = 1000;
    client.train(3);
    client.topology(3, undefined, [{ kind: 'birth', nodeId: 9, tick: 12, cause: 'split', edgeIds: [] }]);
    time.ms = 3000;
    client.train(2);
    client.heldOut(1.5);
    client.pause();
    time.ms = 60_000; // paused time does not count
    await recorder.flush();
    const [run] = await runs.list();
    expect(run).toMatchObject({ name: expect.stringMatching(/^LARA \(learned routing\) on Recall \d+ back$/), status: 'paused', wallSeconds: 3, final: { step: 5, heldOutLoss: 1.5, heldOutAccuracy: 0.25 } });
    const m = (await runs.metrics(run!.id))!;
    expect(m.metrics.trainLoss.step).toEqual([1, 2, 3, 4, 5]);
    expect(m.metrics.trainLoss.value).toEqual([1, 0.5, 1 / 3, 0.25, 0.2].map((v) => Math.fround(v)));
    // Each step at its own time: the frame's arrival less the 10 ms steps after it.
    expect(m.metrics.trainLoss.wallSeconds.map((s) => Number(s.toFixed(3)))).toEqual([0.98, 0.99, 1, 2.99, 3]);
    expect(m.metrics.heldOutLoss).toEqual({ step: [0, 5], wallSeconds: [0, 3], value: [2.5, 1.5] });
    expect(m.metrics.stepsPerSecond.step).toEqual([3, 5]);
    expect(m.events).toEqual([{ step: 3, wallSeconds: 1, kind: 'birth', id: 9, detail: 'birth of node 9 (split)' }]);
  });

  it('a live change stays in the run as an event; a restart starts a new run and stops the old one', async () => {
    const { client, runs, recorder } = setup();
    client.topology(0);
    client.train(2);
    client.setExperiment({ ...lara, params: { ...lara.params, learningRate: 0.003 } });
    client.train(2);
    expect(recorder.current()?.events).toEqual([expect.objectContaining({ kind: 'change', step: 2, detail: `Learning rate ${lara.params.learningRate} → 0.003` })]);
    client.setExperiment({ ...lara, params: { ...lara.params, learningRate: 0.003, width: lara.params.width + 4 } });
    client.train(1);
    await recorder.flush();
    const list = await runs.list();
    expect(list).toHaveLength(2);
    expect(list.map((r) => r.status)).toEqual(['paused', 'stopped']);
    expect(list[1]!.final.step).toBe(4);
    expect((list[1]!.experiment.params as { learningRate: number }).learningRate).toBe(0.003);
    expect((await runs.metrics(list[0]!.id))?.metrics.trainLoss.step).toEqual([1]);
  });

  it('a run on an uploaded data set names the file, so two runs on different files tell apart', async () => {
    const { client, runs, recorder } = setup();
    client.ownDataSummary = { kind: 'text', name: 'poem.txt', hash: '0123abcd', characters: 900, alphabet: 30, other: false };
    client.topology(0);
    client.train(2);
    client.ownDataSummary = null;
    client.topology(0);
    client.train(1);
    await recorder.flush();
    const list = await runs.list();
    expect(list.map((r) => r.data?.name ?? null)).toEqual([null, 'poem.txt']);
  });

  it('a rollback or a rebuilt worker keeps the run and drops the points past its step', async () => {
    const { client, runs, recorder } = setup();
    client.topology(0);
    client.train(30);
    client.topology(25, undefined, [], 'non-finite loss at step 30');
    expect(recorder.current()?.metrics.trainLoss.step.at(-1)).toBe(25);
    expect(recorder.current()?.events.at(-1)).toMatchObject({ kind: 'rollback', step: 25, detail: 'non-finite loss at step 30: rolled back to step 25' });
    client.train(5);
    // A new worker (or a backend switch) resumes from the checkpoint of the same experiment.
    client.topology(20);
    client.train(1);
    await recorder.flush();
    expect(await runs.list()).toHaveLength(1);
    expect(recorder.current()?.metrics.trainLoss.step.slice(-3)).toEqual([19, 20, 21]);
  });

  it('an import is a new run named after its file; a DNA extinction is an event', async () => {
    const { client, runs, recorder } = setup();
    client.topology(0);
    client.train(4);
    const doc = client.checkpoint();
    await recorder.importText('mine.json', JSON.stringify({ ...doc, step: 40 }));
    client.topology(40, undefined, [{ kind: 'death', nodeId: 3, tick: 1, cause: 'extinct', edgeIds: [] }]);
    await recorder.flush();
    const list = await runs.list();
    expect(list.map((r) => r.name)).toEqual([`${runName(lara)} (mine.json)`, runName(lara)]);
    expect(list[0]).toMatchObject({ source: 'mine.json', final: { step: 40 } });
    expect(recorder.current()?.events).toEqual([expect.objectContaining({ kind: 'extinction', id: 3 })]);
  });

  it('keeps the latest checkpoint and resumes the run after a reload with its curves and training time', async () => {
    const first = setup();
    first.client.topology(0);
    first.client.play();
    first.time.ms = 2000;
    first.client.train(10);
    first.client.heldOut(1);
    const doc = first.client.checkpoint();
    first.time.ms = 3000;
    first.client.train(5); // past the checkpoint: lost with the tab
    await first.recorder.flush();
    const stored = (await first.runs.list())[0]!;
    expect(stored.checkpoint?.step).toBe(10);
    first.recorder.stop();

    // The reload: a fresh page, client and recorder over the same database.
    const { client, recorder, runs } = setup(undefined, new RunStore(first.runs.db.name, { estimate: async () => undefined }));
    client.topology(0);
    const restored: number[][] = [];
    recorder.onRestore((c) => restored.push([...c.metrics.trainLoss.step]));
    expect(await recorder.resume(stored.id)).toBeNull();
    expect(client.imported.map((d) => d.step)).toEqual([doc.step]);
    expect(restored).toEqual([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]);
    client.train(2);
    await recorder.flush();
    const list = await runs.list();
    expect(list).toHaveLength(1);
    const m = (await runs.metrics(stored.id))!;
    expect(m.metrics.trainLoss.step).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(m.metrics.heldOutLoss.step).toEqual([10]);
    // Training time goes on from the checkpoint's last point (2 s), paused here, so steps add their own 10 ms.
    expect(list[0]!.wallSeconds).toBeCloseTo(2.02, 6);
  });

  it('run again with one change: same seed, one control changed, a new run linked to the first', async () => {
    const { client, runs, recorder } = setup();
    client.topology(0);
    expect(recorder.runAgain('width', 20)).toMatch(/Train the current run first/);
    client.train(3);
    await recorder.flush();
    const from = (await runs.list())[0]!;
    expect(recorder.runAgain('width', lara.params.width)).toMatch(/already/);
    // A live key (learning rate) still trains a fresh network.
    const rate = lara.params.learningRate * 3;
    expect(recorder.runAgain('learningRate', rate)).toBeNull();
    expect(client.store.getState().playing).toBe(true);
    client.train(2);
    await recorder.flush();
    const list = await runs.list();
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({ derivedFrom: from.id, change: { key: 'learningRate', label: 'Learning rate', from: lara.params.learningRate, to: rate } });
    expect(list[0]!.experiment.seed).toBe(from.experiment.seed);
    expect(list[0]!.name).toBe(`${runName(lara)}, Learning rate ${rate}`);
    expect((await runs.metrics(from.id))?.events).toEqual([]);
  });

  it('says so in the page when storage is short: older checkpoints dropped, their curves kept', async () => {
    const { client, runs, recorder } = setup();
    for (let i = 0; i < 3; i++) {
      client.setExperiment({ ...lara, params: { ...lara.params, width: lara.params.width + i + 1 } });
      client.train(2);
      client.checkpoint();
      await recorder.flush();
    }
    const put = runs.db.checkpoints.put.bind(runs.db.checkpoints);
    let refusals = 2;
    vi.spyOn(runs.db.checkpoints, 'put').mockImplementation((...args) => (refusals-- > 0 ? Dexie.Promise.reject(Object.assign(new Error('full'), { name: 'QuotaExceededError' })) : put(...args)));
    client.train(2);
    client.checkpoint();
    await recorder.flush();
    expect(client.store.getState().alert).toBe('Storage is short: dropped the checkpoints of 2 older runs; their curves are kept.');
    expect(recorder.storageNotice).toBe(client.store.getState().alert);
    const list = await runs.list();
    expect(list.map((r) => r.checkpoint?.step ?? null)).toEqual([4, null, null]);
    for (const r of list) expect((await runs.metrics(r.id))?.metrics.trainLoss.step.length).toBeGreaterThan(0);
    // Asked, the old unpinned runs go (the current one stays).
    await recorder.setPinned(list[2]!.id, true);
    expect(await recorder.deleteOldUnpinned()).toBe(1);
    expect((await runs.list()).map((r) => r.id)).toEqual([list[0]!.id, list[2]!.id]);
  });

  it('thins a long run to a bounded series', async () => {
    const { client, recorder } = setup();
    client.topology(0);
    for (let i = 0; i < 50; i++) client.train(1000);
    const s = recorder.current()!.metrics.trainLoss;
    expect(s.step.length).toBeLessThanOrEqual(20_000);
    expect(s.step.length).toBeGreaterThan(10_000);
    expect(s.step.at(-1)).toBeGreaterThan(49_000);
    await recorder.flush();
  });
});
