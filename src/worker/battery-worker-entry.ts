/// <reference lib="webworker" />
/** Entry point of the battery worker: the job shell running the battery job. */
import type { BatteryJobTypes } from '../protocol/battery-messages';
import type { FromJobWorker, ToJobWorker } from '../protocol/job-messages';
import type { Endpoint } from '../protocol/messages';
import { createBatteryJob } from './battery-job';
import { JobWorker } from './job-worker';
import { readySmallModelBackend } from './small-model-backend';

new JobWorker(self as unknown as Endpoint<ToJobWorker<BatteryJobTypes>, FromJobWorker<BatteryJobTypes>>, createBatteryJob(), readySmallModelBackend);
