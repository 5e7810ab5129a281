/**
 * The job-worker shell and the job client, wired over a real MessageChannel
 * in Node, with a fake job whose units are counted: streaming, prompt
 * cancel, protocol mismatch, a superseding request, failures, live updates.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { JobClient, type JobSlot } from '../client/job-client';
import { jobKind, type FromJobWorker, type JobKind, type ToJobWorker } from '../protocol/job-messages';
import type { Endpoint } from '../protocol/messages';
import type { JobRunState } from '../store/lab-store';
import { JobWorker, type JobDefinition } from './job-worker';
import { closeYieldChannel } from './yield-to-events';
import { waitUntil as until } from '../engine/testing/wait';

interface FakeRequest {
  /** Tags the results ("a1", "a2", ...). */
  readonly tag: string;
  readonly units: number;
  /** The unit that throws. */
  readonly failAt?: number;
  /** The unit at which the job sets its live handler. */
  readonly liveFrom?: number;
}

interface FakeTypes {
  readonly request: FakeRequest;
  readonly progress: number;
  readonly result: string;
  readonly live: number;
}

const FAKE = jobKind<FakeTypes>('fake', 1);

interface FakeState extends JobRunState {
  readonly results: readonly string[];
  readonly progress: number;
}

interface Harness {
  readonly client: JobClient<FakeTypes, FakeState>;
  state(): FakeState;
  /** Every message the worker sent, stragglers included. */
  readonly raw: FromJobWorker<FakeTypes>[];
  /** Units each run started, by tag. */
  readonly ran: Map<string, number>;
  /** Live values the job received. */
  readonly lives: number[];
  /** Called at the start of every unit, before its progress and result. */
  onUnit: (tag: string, unit: number) => void;
  ended(): Promise<void>;
  close(): void;
}

const open: Harness[] = [];

function connect(options: { kind?: JobKind<FakeTypes>; yieldNow?: () => Promise<void>; ready?: () => Promise<void> } = {}): Harness {
  const channel = new MessageChannel();
  const ran = new Map<string, number>();
  const lives: number[] = [];
  const job: JobDefinition<FakeTypes> = {
    kind: FAKE,
    async run(request, ctx) {
      for (let unit = 1; unit <= request.units; unit++) {
        ran.set(request.tag, unit);
        h.onUnit(request.tag, unit);
        if (unit === request.failAt) throw new Error(`unit ${unit} broke`);
        if (unit === (request.liveFrom ?? 1)) ctx.onLive((live) => lives.push(live));
        ctx.progress(unit / request.units);
        ctx.result(`${request.tag}${unit}`);
        await ctx.yield();
      }
    },
  };
  new JobWorker(channel.port1, job, options.ready ?? (async () => undefined), options.yieldNow);
  let state: FakeState = { runId: 0, status: 'idle', running: false, message: null, results: [], progress: 0 };
  const slot: JobSlot<FakeTypes, FakeState> = {
    read: () => state,
    write: (patch) => {
      state = { ...state, ...patch };
    },
    started: () => ({ results: [], progress: 0 }),
    progress: (_s, progress) => ({ progress }),
    result: (s, r) => ({ results: [...s.results, r] }),
    ended: (s, end) => ({ progress: end === 'done' ? 1 : s.progress }),
    wording: { cancelled: 'Cancelled.', failed: 'The fake stopped' },
  };
  const raw: FromJobWorker<FakeTypes>[] = [];
  const port = channel.port2 as unknown as Endpoint<FromJobWorker<FakeTypes>, ToJobWorker<FakeTypes>>;
  port.addEventListener('message', (e) => raw.push(e.data));
  const client = new JobClient(options.kind ?? FAKE, () => port, slot);
  const h: Harness = {
    client,
    state: () => state,
    raw,
    ran,
    lives,
    onUnit: () => undefined,
    ended: () => until(() => state.status !== 'running', 'the run to end'),
    close: () => {
      channel.port1.close();
      channel.port2.close();
    },
  };
  open.push(h);
  return h;
}


const ends = (h: Harness, runId: number) => h.raw.filter((m) => m.runId === runId && (m.type === 'done' || m.type === 'cancelled' || m.type === 'failed'));

describe('job worker shell <-> job client', () => {
  afterEach(() => {
    for (const h of open.splice(0)) h.close();
  });
  afterAll(() => closeYieldChannel());

  it('streams progress and results, then ends done once', async () => {
    const h = connect();
    const runId = h.client.start({ tag: 'a', units: 5 });
    expect(h.state()).toMatchObject({ runId, status: 'running', running: true, results: [] });
    await h.ended();
    expect(h.state()).toMatchObject({ status: 'done', running: false, message: null, progress: 1, results: ['a1', 'a2', 'a3', 'a4', 'a5'] });
    expect(h.raw.map((m) => m.type)).toEqual([...Array<string[]>(5).fill(['progress', 'result']).flat(), 'done']);
  });

  it('a cancel during a long job stops it within a unit or two, keeps its results and ends cancelled', async () => {
    const h = connect();
    const units = 100_000;
    h.onUnit = (_tag, unit) => {
      if (unit === 10) h.client.cancel();
    };
    h.client.start({ tag: 'a', units });
    await h.ended();
    const ran = h.ran.get('a') as number;
    expect(h.state().status).toBe('cancelled');
    expect(h.state().message).toBe('Cancelled.');
    expect(ran).toBeGreaterThanOrEqual(10);
    expect(ran).toBeLessThanOrEqual(12);
    // Every unit that finished before the cancel was heard kept its result.
    expect(h.state().results).toEqual(Array.from({ length: ran }, (_, i) => `a${i + 1}`));
    expect(h.state().progress).toBeCloseTo(ran / units, 9);
    expect(ends(h, 1).map((m) => m.type)).toEqual(['cancelled']);
  });

  it('(why the shell yields a task, not a microtask) with a microtask yield the same cancel is not heard until the job ends', async () => {
    const h = connect({ yieldNow: () => Promise.resolve() });
    h.onUnit = (_tag, unit) => {
      if (unit === 10) h.client.cancel();
    };
    h.client.start({ tag: 'a', units: 2_000 });
    await h.ended();
    expect(h.ran.get('a')).toBe(2_000);
    expect(h.state().status).toBe('done');
  });

  it('refuses a request of another protocol version or kind, running nothing', async () => {
    for (const kind of [jobKind<FakeTypes>('fake', 2), jobKind<FakeTypes>('other', 1)]) {
      const h = connect({ kind });
      h.client.start({ tag: 'a', units: 3 });
      await h.ended();
      expect(h.state().status).toBe('failed');
      expect(h.state().message).toMatch(/^The fake stopped: protocol mismatch: page (fake v2|other v1), protocol 1, worker fake v1, protocol 1$/);
      expect(h.ran.size).toBe(0);
    }
  });

  it('a new request aborts the old run; the old run’s stragglers are dropped by the client', async () => {
    const h = connect();
    h.onUnit = (tag, unit) => {
      // The rest of unit a5 (its progress and result) is posted after b started: stragglers.
      if (tag === 'a' && unit === 5) h.client.start({ tag: 'b', units: 3 });
    };
    const first = h.client.start({ tag: 'a', units: 100_000 });
    await until(() => h.state().runId === first + 1, 'the second run to start');
    await h.ended();
    expect(h.state()).toMatchObject({ runId: first + 1, status: 'done', results: ['b1', 'b2', 'b3'], progress: 1 });
    expect(h.ran.get('a')).toBeLessThanOrEqual(7);
    // The stragglers did arrive, and were ignored.
    expect(h.raw).toContainEqual({ type: 'result', runId: first, result: 'a5' });
    expect(ends(h, first).map((m) => m.type)).toEqual(['cancelled']);
    expect(ends(h, first + 1).map((m) => m.type)).toEqual(['done']);
  });

  it('a thrown error becomes failed, with the results before it kept', async () => {
    const h = connect();
    h.client.start({ tag: 'a', units: 10, failAt: 3 });
    await h.ended();
    expect(h.state()).toMatchObject({ status: 'failed', running: false, message: 'The fake stopped: unit 3 broke', results: ['a1', 'a2'] });
  });

  it('a backend that fails to start fails the run', async () => {
    const h = connect({ ready: () => Promise.reject(new Error('no backend')) });
    h.client.start({ tag: 'a', units: 3 });
    await h.ended();
    expect(h.state()).toMatchObject({ status: 'failed', message: 'The fake stopped: no backend' });
    expect(h.ran.size).toBe(0);
  });

  it('live updates reach the running job, those sent before it listened first', async () => {
    const h = connect();
    h.onUnit = (_tag, unit) => {
      if (unit === 5) h.client.setLive(9);
    };
    h.client.start({ tag: 'a', units: 8, liveFrom: 3 });
    h.client.setLive(7); // before the job listens
    await h.ended();
    expect(h.lives).toEqual([7, 9]);
    h.client.setLive(11); // no run: not sent
    await new Promise((r) => setTimeout(r, 10));
    expect(h.lives).toEqual([7, 9]);
  });

  it('cancel without a running run sends nothing', async () => {
    const h = connect();
    h.client.start({ tag: 'a', units: 2 });
    await h.ended();
    h.client.cancel();
    h.client.start({ tag: 'b', units: 2 });
    await h.ended();
    expect(h.state()).toMatchObject({ status: 'done', results: ['b1', 'b2'] });
  });
});
