/** The study's job client: runs land in the store's study slice. */
import type { FromJobWorker, ToJobWorker } from '../protocol/job-messages';
import type { Endpoint } from '../protocol/messages';
import { STUDY_JOB, type StudyJobTypes } from '../protocol/study-messages';
import type { LabStore, StudyState } from '../store/lab-store';
import { JobClient } from './job-client';

/** The job client of the studies. */
export type StudyClient = JobClient<StudyJobTypes, StudyState>;

/** A study client writing into `store`'s study slice; the worker is made on the first study. */
export function createStudyClient(store: LabStore, makeWorker: () => Endpoint<FromJobWorker<StudyJobTypes>, ToJobWorker<StudyJobTypes>>): StudyClient {
  return new JobClient(STUDY_JOB, makeWorker, {
    read: () => store.getState().study,
    write: (patch) => store.getState().setStudy(patch),
    started: (study) => ({ kind: study.kind, transitionPoints: [], sweepPoints: [], progress: 0 }),
    progress: (_s, progress) => ({ progress }),
    result: (s, r) =>
      r.kind === 'transitions' ? { transitionPoints: [...s.transitionPoints, ...r.points] } : { sweepPoints: [...s.sweepPoints, r.point] },
    ended: (s, end) => ({ progress: end === 'done' ? 1 : s.progress }),
    wording: { cancelled: 'Stopped.', failed: 'The study stopped' },
  });
}
