/** A child of the run pool (run-units.ts): runs each unit read from stdin on tfjs-wasm and writes its result to stdout, one JSON line each. */
import { createInterface } from 'node:readline';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { installFastKernels } from '../engine/kernels/fast-kernels';
import { runUnit, toJson, type RunUnit } from './run-units';

tf.env().set('PROD', true);
installFastKernels();
await tf.setBackend('wasm');
await tf.ready();
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  process.stdout.write(`${toJson(await runUnit(JSON.parse(line) as RunUnit))}\n`);
}
