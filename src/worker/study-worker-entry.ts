/// <reference lib="webworker" />
/** Entry point of the study worker: the job shell running the study job. */
import type { FromJobWorker, ToJobWorker } from '../protocol/job-messages';
import type { Endpoint } from '../protocol/messages';
import type { StudyJobTypes } from '../protocol/study-messages';
import { JobWorker } from './job-worker';
import { readySmallModelBackend } from './small-model-backend';
import { studyJob } from './study-job';

new JobWorker(self as unknown as Endpoint<ToJobWorker<StudyJobTypes>, FromJobWorker<StudyJobTypes>>, studyJob, readySmallModelBackend);
