/** WebGPU compute dispatches issued by a piece of work in this page (the bench pages' one counter). */

let total = 0;
let wrapped = false;

/** Wraps dispatchWorkgroups once, so every compute pass in the page is counted. */
function wrap(): void {
  if (wrapped) return;
  wrapped = true;
  const proto = GPUComputePassEncoder.prototype;
  const original = proto.dispatchWorkgroups;
  proto.dispatchWorkgroups = function (this: GPUComputePassEncoder, ...args: Parameters<typeof original>) {
    total++;
    return original.apply(this, args);
  };
}

/** Runs `work` (nothing else may dispatch meanwhile) and returns its value with the dispatches it issued. */
export async function withDispatchCount<T>(work: () => Promise<T>): Promise<{ value: T; dispatches: number }> {
  wrap();
  const start = total;
  const value = await work();
  return { value, dispatches: total - start };
}
