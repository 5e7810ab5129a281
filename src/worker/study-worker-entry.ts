/// <reference lib="webworker" />
/** Entry point of the study worker. */
import type { Endpoint } from '../protocol/messages';
import type { FromStudyWorker, ToStudyWorker } from '../protocol/study-messages';
import { readySmallModelBackend } from './small-model-backend';
import { StudyWorker } from './study-worker';

new StudyWorker(self as unknown as Endpoint<ToStudyWorker, FromStudyWorker>, readySmallModelBackend);
