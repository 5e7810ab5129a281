/// <reference lib="webworker" />
/** Entry point of the training worker: registers every backend and starts the shell. */
import '@tensorflow/tfjs-backend-webgpu';
import { selectBackend } from './backend-choice';
import { LabWorker } from './lab-worker';
import { configureWasm } from './wasm-paths';

configureWasm();

new LabWorker(self, selectBackend);
