/// <reference lib="webworker" />
/** Entry point of the battery worker: wasm (the fastest backend for these small models on a CPU), else cpu. */
import * as tf from '@tensorflow/tfjs';
import type { FromBatteryWorker, ToBatteryWorker } from '../protocol/battery-messages';
import type { Endpoint } from '../protocol/messages';
import { BatteryWorker } from './battery-worker';
import { configureWasm } from './wasm-paths';

configureWasm();

let started: Promise<void> | null = null;
const ready = (): Promise<void> =>
  (started ??= (async () => {
    if (!(await tf.setBackend('wasm').catch(() => false))) await tf.setBackend('cpu');
    await tf.ready();
  })());

new BatteryWorker(self as unknown as Endpoint<ToBatteryWorker, FromBatteryWorker>, ready);
