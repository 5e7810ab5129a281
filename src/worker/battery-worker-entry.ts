/// <reference lib="webworker" />
/** Entry point of the battery worker: the job shell running the battery job. */
import { createBatteryJob } from './battery-job';
import { JobWorker } from './job-worker';
import { readySmallModelBackend } from './small-model-backend';

new JobWorker(self, createBatteryJob(), readySmallModelBackend);
