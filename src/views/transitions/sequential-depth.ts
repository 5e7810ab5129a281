/**
 * The page's copy of the engine's sequentialDepth (src/engine/transitions/transition-depth.ts):
 * views may not import the engine, and the study protocol does not re-export it.
 * sequential-depth.test.ts holds the two equal.
 */
export interface DepthOptions {
  readonly mode: 'transitions' | 'bptt';
  readonly length: number;
  readonly segmentLength: number;
  readonly reanchor: 'off' | 'target' | 'states';
  readonly refreshEvery: number;
}

/** Cell steps that must run one after another per train step: S (+ T/K when re-anchored by a roll-out), T for BPTT. */
export function sequentialDepth(o: DepthOptions): number {
  const S = Math.min(o.segmentLength, o.length);
  if (o.mode === 'bptt' || S >= o.length) return o.length;
  return S + (o.reanchor === 'off' ? 0 : o.length / o.refreshEvery);
}
