/// <reference lib="webworker" />
/** Entry point of the battery worker. */
import type { FromBatteryWorker, ToBatteryWorker } from '../protocol/battery-messages';
import type { Endpoint } from '../protocol/messages';
import { BatteryWorker } from './battery-worker';
import { readySmallModelBackend } from './small-model-backend';

new BatteryWorker(self as unknown as Endpoint<ToBatteryWorker, FromBatteryWorker>, readySmallModelBackend);
