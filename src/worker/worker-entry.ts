/// <reference lib="webworker" />
/** Entry point of the training worker: registers every backend and starts the shell. */
import '@tensorflow/tfjs-backend-webgpu';
import { destroyWebGpuDevice, selectBackend, workerMemory } from './backend-choice';
import { LabWorker } from './lab-worker';
import { configureWasm } from './wasm-paths';

configureWasm();

new LabWorker(self, selectBackend, {
  memory: workerMemory,
  // Test hooks (window.__loopyLab.injectFault): the faults a browser can deal a worker.
  injectFault(fault) {
    switch (fault) {
      case 'throw':
        setTimeout(() => {
          throw new Error('test fault: an uncaught throw in the training worker');
        }, 0);
        return;
      case 'close':
        self.close();
        return;
      case 'loseDevice':
        destroyWebGpuDevice();
        return;
    }
  },
});
