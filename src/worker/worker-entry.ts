/// <reference lib="webworker" />
/** Entry point of the training worker: registers every backend and starts the shell. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { FromWorker, ToWorker, Endpoint } from '../protocol/messages';
import { selectBackend } from './backend-choice';
import { LabWorker } from './lab-worker';

// Threaded wasm needs cross-origin isolation and breaks in a minified build; SIMD alone is the fast path.
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
tf.env().set('PROD', true);
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

new LabWorker(self as unknown as Endpoint<ToWorker, FromWorker>, selectBackend);
