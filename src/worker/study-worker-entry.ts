/// <reference lib="webworker" />
/** Entry point of the study worker: the job shell running the study job. */
import { JobWorker } from './job-worker';
import { readySmallModelBackend } from './small-model-backend';
import { studyJob } from './study-job';

new JobWorker(self, studyJob, readySmallModelBackend);
