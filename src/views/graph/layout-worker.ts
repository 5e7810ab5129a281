/**
 * The layout worker's shell: runs a LayoutWorkerCore, ticking in batches of
 * about a frame and posting each batch's positions (transferred, not copied).
 * Between batches it yields, so a drag or a new graph gets in.
 */
import { LayoutWorkerCore, type FromLayoutWorker, type ToLayoutWorker } from './layout-worker-core';

/** A batch lasts about a frame, so the view sees the layout move at the display's rate. */
const BATCH_MS = 16;
const BATCH_MAX_TICKS = 50;

interface WorkerScope {
  onmessage: ((e: MessageEvent<ToLayoutWorker>) => void) | null;
  postMessage(msg: FromLayoutWorker, transfer: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;
const core = new LayoutWorkerCore();
let scheduled = false;

function run(): void {
  scheduled = false;
  const out = core.step(BATCH_MAX_TICKS, BATCH_MS);
  if (out) scope.postMessage(out, [out.state.buffer]);
  if (core.pending) schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setTimeout(run, 0);
}

scope.onmessage = (e) => {
  core.handle(e.data);
  schedule();
};
