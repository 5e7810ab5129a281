/**
 * The runs the lab keeps, in IndexedDB through Dexie: one row per run (what
 * it trained, how it ended), its metric series and events, and its latest
 * checkpoint (the worker's model document, for resuming after a reload).
 * When the browser refuses a write for lack of room, old checkpoints go first
 * (oldest unpinned, then oldest pinned) and the write is tried again; a run's
 * metrics are never deleted without the person asking.
 */
import Dexie, { type DexieOptions, type Table } from 'dexie';
import type { BackendName, Experiment } from '../protocol/experiment';
import type { ModelDocument } from '../protocol/model-document';
import type { OwnDataSummary } from '../protocol/own-data';
import type { MetricName, RunEvent, RunMetrics } from './run-metrics';

/** The one control an ablation changed from the run it was derived from. */
export interface RunChange {
  readonly key: string;
  /** The control's label ("Learning rate"). */
  readonly label: string;
  readonly from: unknown;
  readonly to: unknown;
}

/** The last value of each metric and the step the run reached. */
export interface FinalMetrics {
  readonly step: number;
  readonly trainLoss: number | null;
  readonly trainAccuracy: number | null;
  readonly heldOutLoss: number | null;
  readonly heldOutAccuracy: number | null;
  readonly stepsPerSecond: number | null;
}

/** Where the latest checkpoint of a run stands (the document itself is in its own table). */
export interface CheckpointInfo {
  readonly step: number;
  /** Length of its JSON text, bytes (the document is ASCII). */
  readonly bytes: number;
  /** ms since the epoch. */
  readonly savedAt: number;
}

export interface RunRecord {
  /** A UUID, made on the page (so a run has its id before the first write lands). */
  readonly id: string;
  readonly name: string;
  /** 1 when pinned (IndexedDB cannot index booleans); pinned runs lose their checkpoint last and are never in "delete old runs". */
  readonly pinned: 0 | 1;
  /** ms since the epoch. */
  readonly createdAt: number;
  readonly updatedAt: number;
  /** The experiment as it stands (live changes update it; the events say when). */
  readonly experiment: Experiment;
  readonly backend: BackendName | null;
  /** training: steps arriving; paused; stopped: another run took over. */
  readonly status: 'training' | 'paused' | 'stopped';
  readonly final: FinalMetrics;
  /** Seconds of training (paused time excluded). */
  readonly wallSeconds: number;
  /** For an ablation: the run it was derived from and the one change. */
  readonly derivedFrom?: string;
  readonly change?: RunChange;
  /** The uploaded data set it trained on (own-data tasks): two runs on different files differ here, not in the experiment. */
  readonly data?: OwnDataSummary;
  /** The file an imported run came from. */
  readonly source?: string;
  readonly checkpoint: CheckpointInfo | null;
  /** The `savedAt` of the checkpoint whose resume offer was declined (Start fresh): that one is not offered again. */
  readonly resumeDeclined?: number;
}

/** Whether a reload offers to resume `run`: it has a checkpoint past step 0, is not the run being recorded, and its offer was not declined for that checkpoint. */
export function resumeOffered(run: RunRecord | undefined, currentId: string | null): run is RunRecord & { readonly checkpoint: CheckpointInfo } {
  const cp = run?.checkpoint;
  return !!run && !!cp && cp.step > 0 && run.id !== currentId && run.resumeDeclined !== cp.savedAt;
}

/** A run's series, as the recorder keeps them (with each series' thinning stride, so a resumed run thins on as it did). */
export interface MetricsRecord {
  readonly runId: string;
  readonly metrics: RunMetrics;
  readonly strides: Readonly<Record<MetricName, number>>;
  readonly events: readonly RunEvent[];
}

export interface CheckpointRecord extends CheckpointInfo {
  readonly runId: string;
  readonly document: ModelDocument;
}

class RunDatabase extends Dexie {
  runs!: Table<RunRecord, string>;
  metrics!: Table<MetricsRecord, string>;
  checkpoints!: Table<CheckpointRecord, string>;

  constructor(name: string, options?: DexieOptions) {
    super(name, options);
    this.version(1).stores({ runs: 'id, createdAt, updatedAt', metrics: 'runId', checkpoints: 'runId, savedAt' });
  }
}

interface NamedError {
  readonly name?: string;
  readonly inner?: NamedError | null;
}

/** Whether `e` is the browser refusing a write for lack of room: Dexie's own error, or one it wraps (a transaction's AbortError holds the put's error in `inner`). */
export function isQuotaError(e: unknown): boolean {
  const names = ['QuotaExceededError', 'NS_ERROR_DOM_QUOTA_REACHED'];
  let err = e as NamedError | null | undefined;
  for (let depth = 0; err && depth < 4; depth++, err = err.inner) if (names.includes(err.name ?? '')) return true;
  return false;
}

/** What navigator.storage.estimate() reports, in bytes, where the browser has it. */
export interface StorageEstimateLike {
  readonly usage?: number;
  readonly quota?: number;
}
export type EstimateStorage = () => Promise<StorageEstimateLike | undefined>;

const browserEstimate: EstimateStorage = async () => {
  if (typeof navigator === 'undefined' || !navigator.storage?.estimate) return undefined;
  return navigator.storage.estimate();
};

/** Share of the quota a checkpoint write may fill before old checkpoints are dropped ahead of it. */
const QUOTA_HEADROOM = 0.9;

/** What a write cost in other runs' checkpoints. */
export interface WriteOutcome {
  /** Runs whose checkpoint was dropped to make room (their curves are kept). */
  readonly dropped: readonly string[];
}

/** Every write that ran out of room even with every other checkpoint gone. */
export class StorageFullError extends Error {
  constructor(
    readonly dropped: readonly string[],
    cause: unknown,
  ) {
    super('storage is full even without the checkpoints of other runs', { cause });
    this.name = 'StorageFullError';
  }
}

export interface RunStoreOptions {
  /** The IndexedDB factory (fake-indexeddb in Node tests); the browser's by default. */
  readonly indexedDB?: IDBFactory;
  readonly IDBKeyRange?: typeof IDBKeyRange;
  readonly estimate?: EstimateStorage;
}

export class RunStore {
  readonly db: RunDatabase;
  private readonly estimate: EstimateStorage;

  constructor(name = 'loopy-lab-runs', options: RunStoreOptions = {}) {
    const dexie: DexieOptions = {};
    if (options.indexedDB) dexie.indexedDB = options.indexedDB;
    if (options.IDBKeyRange) dexie.IDBKeyRange = options.IDBKeyRange;
    this.db = new RunDatabase(name, dexie);
    this.estimate = options.estimate ?? browserEstimate;
  }

  /** Newest first. */
  async list(): Promise<RunRecord[]> {
    return this.db.runs.orderBy('createdAt').reverse().toArray();
  }

  get(id: string): Promise<RunRecord | undefined> {
    return this.db.runs.get(id);
  }

  /** The run most recently written to (the one a reload offers to resume), or undefined. */
  async latest(): Promise<RunRecord | undefined> {
    return this.db.runs.orderBy('updatedAt').last();
  }

  metrics(id: string): Promise<MetricsRecord | undefined> {
    return this.db.metrics.get(id);
  }

  checkpoint(id: string): Promise<CheckpointRecord | undefined> {
    return this.db.checkpoints.get(id);
  }

  /** Writes a run's row (new or changed); makes room by dropping other runs' checkpoints if it must. */
  putRun(run: RunRecord): Promise<WriteOutcome> {
    return this.withRoom(run.id, () => this.db.runs.put(run));
  }

  async update(id: string, patch: Partial<Omit<RunRecord, 'id'>>): Promise<void> {
    await this.db.runs.update(id, patch);
  }

  rename(id: string, name: string): Promise<void> {
    return this.update(id, { name });
  }

  setPinned(id: string, pinned: boolean): Promise<void> {
    return this.update(id, { pinned: pinned ? 1 : 0 });
  }

  /** Start fresh: the offer to resume this checkpoint is not made again (a later checkpoint of the run is offered). */
  declineResume(id: string, checkpointSavedAt: number): Promise<void> {
    return this.update(id, { resumeDeclined: checkpointSavedAt });
  }

  /** A run's row and its metrics, in one transaction, making room if it must. */
  saveRun(run: RunRecord, metrics: MetricsRecord): Promise<WriteOutcome> {
    return this.withRoom(run.id, () =>
      this.db.transaction('rw', this.db.runs, this.db.metrics, async () => {
        // The checkpoint info is the store's own: a row written from memory must not undo a drop.
        const stored = await this.db.runs.get(run.id);
        await this.db.runs.put({ ...run, checkpoint: stored?.checkpoint ?? null });
        await this.db.metrics.put(metrics);
      }),
    );
  }

  /**
   * The latest checkpoint of a run (replacing its last). Where the browser
   * says the quota is nearly used, or a write is refused for lack of room,
   * other runs' checkpoints are dropped first (see withRoom).
   */
  async saveCheckpoint(runId: string, document: ModelDocument, savedAt: number): Promise<WriteOutcome> {
    const bytes = JSON.stringify(document).length;
    const info: CheckpointInfo = { step: document.step, bytes, savedAt };
    const early = await this.roomAhead(runId, bytes);
    const outcome = await this.withRoom(runId, () =>
      this.db.transaction('rw', this.db.runs, this.db.checkpoints, async () => {
        await this.db.checkpoints.put({ runId, document, ...info });
        await this.db.runs.update(runId, { checkpoint: info });
      }),
    );
    return { dropped: [...early, ...outcome.dropped] };
  }

  /** Deletes a run: its row, metrics and checkpoint. */
  async delete(id: string): Promise<void> {
    await this.db.transaction('rw', this.db.runs, this.db.metrics, this.db.checkpoints, async () => {
      await this.db.runs.delete(id);
      await this.db.metrics.delete(id);
      await this.db.checkpoints.delete(id);
    });
  }

  /** Deletes every unpinned run except `keep` (the person asked: the button says what it does). Returns how many. */
  async deleteUnpinned(keep: readonly string[]): Promise<number> {
    const ids = (await this.db.runs.toArray()).filter((r) => r.pinned === 0 && !keep.includes(r.id)).map((r) => r.id);
    for (const id of ids) await this.delete(id);
    return ids.length;
  }

  /** Bytes used and allowed, where the browser says. */
  usage(): Promise<StorageEstimateLike | undefined> {
    return this.estimate().catch(() => undefined);
  }

  /** Other runs' checkpoints in the order they go: unpinned before pinned, oldest first. */
  private async droppable(keep: string): Promise<{ runId: string; bytes: number }[]> {
    const runs = new Map((await this.db.runs.toArray()).map((r) => [r.id, r]));
    const cps: { runId: string; bytes: number; savedAt: number; pinned: number }[] = [];
    await this.db.checkpoints.each((c) => {
      if (c.runId !== keep) cps.push({ runId: c.runId, bytes: c.bytes, savedAt: c.savedAt, pinned: runs.get(c.runId)?.pinned ?? 0 });
    });
    cps.sort((a, b) => a.pinned - b.pinned || a.savedAt - b.savedAt);
    return cps;
  }

  private async dropCheckpoint(runId: string): Promise<void> {
    await this.db.transaction('rw', this.db.runs, this.db.checkpoints, async () => {
      await this.db.checkpoints.delete(runId);
      await this.db.runs.update(runId, { checkpoint: null });
    });
  }

  /** Drops other runs' checkpoints ahead of a write of `bytes` that would pass the headroom of the quota. */
  private async roomAhead(keep: string, bytes: number): Promise<string[]> {
    const e = await this.usage();
    if (!e?.quota || e.usage === undefined) return [];
    let over = e.usage + bytes - e.quota * QUOTA_HEADROOM;
    const dropped: string[] = [];
    if (over <= 0) return dropped;
    for (const c of await this.droppable(keep)) {
      if (over <= 0) break;
      await this.dropCheckpoint(c.runId);
      dropped.push(c.runId);
      over -= c.bytes;
    }
    return dropped;
  }

  /** Runs `write`; on a quota error drops other runs' checkpoints one at a time (droppable order) and tries again. */
  private async withRoom(keep: string, write: () => Promise<unknown>): Promise<WriteOutcome> {
    const dropped: string[] = [];
    for (;;) {
      try {
        await write();
        return { dropped };
      } catch (e) {
        if (!isQuotaError(e)) throw e;
        const next = (await this.droppable(keep))[0];
        if (!next) throw new StorageFullError(dropped, e);
        await this.dropCheckpoint(next.runId);
        dropped.push(next.runId);
      }
    }
  }

  close(): void {
    this.db.close();
  }
}
