import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../protocol/experiment';
import type { ModelDocument } from '../protocol/model-document';
import { emptyMetrics, METRIC_NAMES, type MetricName } from './run-metrics';
import { isQuotaError, resumeOffered, RunStore, StorageFullError, type MetricsRecord, type RunRecord } from './run-store';

let dbCount = 0;
const stores: RunStore[] = [];
function freshStore(estimate?: () => Promise<{ usage: number; quota: number }>): RunStore {
  const store = new RunStore(`runs-test-${++dbCount}`, estimate ? { estimate } : { estimate: async () => undefined });
  stores.push(store);
  return store;
}
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function run(id: string, createdAt: number, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    name: `run ${id}`,
    pinned: 0,
    createdAt,
    updatedAt: createdAt,
    experiment: DEFAULT_EXPERIMENT,
    backend: 'cpu',
    status: 'paused',
    final: { step: 10, trainLoss: 1, trainAccuracy: 0.5, heldOutLoss: null, heldOutAccuracy: null, stepsPerSecond: 3 },
    wallSeconds: 4,
    checkpoint: null,
    ...extra,
  };
}

function metrics(runId: string, points: number): MetricsRecord {
  const m = emptyMetrics();
  for (let i = 1; i <= points; i++) {
    m.trainLoss.step.push(i);
    m.trainLoss.wallSeconds.push(i / 10);
    m.trainLoss.value.push(2 / i);
  }
  const strides = Object.fromEntries(METRIC_NAMES.map((n) => [n, 1])) as Record<MetricName, number>;
  return { runId, metrics: m, strides, events: [{ step: 3, wallSeconds: 0.3, kind: 'birth', id: 7 }] };
}

function doc(step: number): ModelDocument {
  return { format: 'loopy-lab', version: 1, createdAt: '2026-01-01T00:00:00Z', experiment: DEFAULT_EXPERIMENT, graph: { nodes: [], edges: [], nextNodeId: 0, nextEdgeId: 0 }, weights: { w: { shape: [2], dtype: 'float32', data: 'AAAAAAAAAAA=' } }, step, metrics: { loss: 1, accuracy: 0.5 } };
}

/** What a put refused for lack of room rejects with (Dexie names it after the DOMException). */
const quota = (): Error => Object.assign(new Error('quota'), { name: 'QuotaExceededError' });

describe('the run store', () => {
  it('keeps runs, their metrics and their latest checkpoint, newest run first', async () => {
    const store = freshStore();
    await store.saveRun(run('a', 1), metrics('a', 5));
    await store.saveRun(run('b', 2), metrics('b', 3));
    await store.saveCheckpoint('a', doc(5), 100);
    await store.saveCheckpoint('a', doc(9), 200);
    expect((await store.list()).map((r) => r.id)).toEqual(['b', 'a']);
    expect((await store.metrics('a'))?.metrics.trainLoss.value).toEqual([2, 1, 2 / 3, 0.5, 0.4]);
    expect((await store.metrics('a'))?.events).toEqual([{ step: 3, wallSeconds: 0.3, kind: 'birth', id: 7 }]);
    expect((await store.checkpoint('a'))?.document.step).toBe(9);
    expect((await store.get('a'))?.checkpoint).toEqual({ step: 9, bytes: JSON.stringify(doc(9)).length, savedAt: 200 });
    // The run most recently written is the one a reload offers.
    await store.saveRun({ ...run('a', 1), updatedAt: 5 }, metrics('a', 6));
    expect((await store.latest())?.id).toBe('a');
  });

  it('Start fresh declines the offer for that checkpoint only; a later checkpoint is offered again', async () => {
    const store = freshStore();
    await store.saveRun(run('a', 1), metrics('a', 1));
    expect(resumeOffered(await store.latest(), null)).toBe(false);
    await store.saveCheckpoint('a', doc(4), 10);
    expect(resumeOffered(await store.latest(), null)).toBe(true);
    expect(resumeOffered(await store.latest(), 'a')).toBe(false);
    await store.declineResume('a', 10);
    expect(resumeOffered(await store.latest(), null)).toBe(false);
    await store.saveCheckpoint('a', doc(8), 20);
    expect(resumeOffered(await store.latest(), null)).toBe(true);
  });

  it('a row written from memory keeps the checkpoint info the store holds', async () => {
    const store = freshStore();
    await store.saveRun(run('a', 1), metrics('a', 1));
    await store.saveCheckpoint('a', doc(4), 10);
    await store.saveRun(run('a', 1), metrics('a', 2));
    expect((await store.get('a'))?.checkpoint?.step).toBe(4);
  });

  it('renames, pins and deletes a run with its metrics and checkpoint', async () => {
    const store = freshStore();
    await store.saveRun(run('a', 1), metrics('a', 2));
    await store.saveCheckpoint('a', doc(2), 10);
    await store.rename('a', 'baseline');
    await store.setPinned('a', true);
    expect(await store.get('a')).toMatchObject({ name: 'baseline', pinned: 1 });
    await store.delete('a');
    expect(await store.get('a')).toBeUndefined();
    expect(await store.metrics('a')).toBeUndefined();
    expect(await store.checkpoint('a')).toBeUndefined();
  });

  it('deletes only unpinned runs other than the ones to keep', async () => {
    const store = freshStore();
    await store.saveRun(run('old', 1), metrics('old', 1));
    await store.saveRun(run('pinned', 2, { pinned: 1 }), metrics('pinned', 1));
    await store.saveRun(run('current', 3), metrics('current', 1));
    expect(await store.deleteUnpinned(['current'])).toBe(1);
    expect((await store.list()).map((r) => r.id)).toEqual(['current', 'pinned']);
  });
});

describe('quota', () => {
  it('recognises a quota error by its name or the one Dexie wraps', () => {
    expect(isQuotaError(Object.assign(new Error('x'), { name: 'QuotaExceededError' }))).toBe(true);
    expect(isQuotaError(Object.assign(new Error('x'), { name: 'AbortError', inner: { name: 'AbortError', inner: quota() } }))).toBe(true);
    expect(isQuotaError(Object.assign(new Error('x'), { name: 'AbortError', inner: new Error('y') }))).toBe(false);
    expect(isQuotaError(new Error('x'))).toBe(false);
    expect(isQuotaError(null)).toBe(false);
  });

  it('on a refused write drops other checkpoints, unpinned oldest first, retries, and keeps every run metrics', async () => {
    const store = freshStore();
    await store.saveRun(run('old', 1), metrics('old', 3));
    await store.saveRun(run('pinned', 2, { pinned: 1 }), metrics('pinned', 3));
    await store.saveRun(run('newer', 3), metrics('newer', 3));
    await store.saveRun(run('current', 4), metrics('current', 3));
    await store.saveCheckpoint('pinned', doc(1), 10);
    await store.saveCheckpoint('old', doc(1), 20);
    await store.saveCheckpoint('newer', doc(1), 30);
    // The next two checkpoint writes are refused for lack of room, then one fits.
    const put = store.db.checkpoints.put.bind(store.db.checkpoints);
    let refusals = 2;
    vi.spyOn(store.db.checkpoints, 'put').mockImplementation((...args) => {
      if (refusals-- > 0) return Dexie.Promise.reject(quota());
      return put(...args);
    });
    const outcome = await store.saveCheckpoint('current', doc(8), 40);
    expect(outcome.dropped).toEqual(['old', 'newer']);
    expect((await store.checkpoint('current'))?.document.step).toBe(8);
    expect(await store.checkpoint('old')).toBeUndefined();
    expect((await store.get('old'))?.checkpoint).toBeNull();
    expect(await store.checkpoint('pinned')).toBeDefined();
    for (const id of ['old', 'pinned', 'newer', 'current']) expect((await store.metrics(id))?.metrics.trainLoss.step).toEqual([1, 2, 3]);
  });

  it('says the storage is full when no other checkpoint is left to drop, and deletes no metrics', async () => {
    const store = freshStore();
    await store.saveRun(run('other', 1), metrics('other', 2));
    await store.saveCheckpoint('other', doc(1), 10);
    await store.saveRun(run('current', 2), metrics('current', 2));
    vi.spyOn(store.db.metrics, 'put').mockImplementation(() => Dexie.Promise.reject(quota()));
    const error = await store.saveRun(run('current', 2), metrics('current', 9)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageFullError);
    expect((error as StorageFullError).dropped).toEqual(['other']);
    vi.restoreAllMocks();
    expect((await store.metrics('other'))?.metrics.trainLoss.step).toEqual([1, 2]);
    expect((await store.metrics('current'))?.metrics.trainLoss.step).toEqual([1, 2]);
  });

  it('an error that is not about room is not taken for one, and drops nothing', async () => {
    const store = freshStore();
    await store.saveRun(run('other', 1), metrics('other', 2));
    await store.saveCheckpoint('other', doc(1), 10);
    vi.spyOn(store.db.checkpoints, 'put').mockImplementationOnce(() => Dexie.Promise.reject(new Error('disk on fire')));
    await expect(store.saveCheckpoint('current', doc(3), 20)).rejects.toThrow('disk on fire');
    expect(await store.checkpoint('other')).toBeDefined();
  });

  it('drops old checkpoints ahead of a write the estimate says would nearly fill the quota', async () => {
    const size = JSON.stringify(doc(1)).length;
    // Used: all but a little less than one checkpoint of 90% of the quota.
    const store = freshStore(async () => ({ usage: 900_000 - size / 2, quota: 1_000_000 }));
    await store.saveRun(run('a', 1), metrics('a', 1));
    await store.saveRun(run('b', 2), metrics('b', 1));
    await store.saveCheckpoint('a', doc(1), 10);
    expect((await store.saveCheckpoint('b', doc(2), 20)).dropped).toEqual(['a']);
    expect(await store.checkpoint('a')).toBeUndefined();
    expect((await store.checkpoint('b'))?.document.step).toBe(2);
  });
});
