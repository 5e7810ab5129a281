/** The battery's job client: runs land in the store's battery slice. */
import { BATTERY_JOB, type BatteryJobTypes } from '../protocol/battery-messages';
import type { FromJobWorker, ToJobWorker } from '../protocol/job-messages';
import type { Endpoint } from '../protocol/messages';
import type { BatteryState, LabStore } from '../store/lab-store';
import { JobClient } from './job-client';

/** The job client of the battery. */
export type BatteryClient = JobClient<BatteryJobTypes, BatteryState>;

/** A battery client writing into `store`'s battery slice; the worker is made on the first run. */
export function createBatteryClient(store: LabStore, makeWorker: () => Endpoint<FromJobWorker<BatteryJobTypes>, ToJobWorker<BatteryJobTypes>>): BatteryClient {
  return new JobClient(BATTERY_JOB, makeWorker, {
    read: () => store.getState().battery,
    write: (patch) => store.getState().setBattery(patch),
    started: (r) => ({ progress: 0, currentTest: r.tests[0] ?? null, jobs: r.jobs, tests: r.tests, sweep: r.sweep, rows: [] }),
    progress: (_s, p) => ({ progress: p.overall, currentTest: p.test }),
    result: (s, row) => ({ rows: [...s.rows, row] }),
    ended: (s, end) => ({ currentTest: null, progress: end === 'done' ? 1 : s.progress }),
    wording: { cancelled: 'Cancelled.', failed: 'The battery stopped' },
  });
}
