/**
 * Sequential depth of one train step, in cell steps that must run one after
 * another (forward; the backward pass has the same depth): plain data, so the
 * page shows it without loading tfjs. BPTT: T. Multiple shooting: S per step,
 * plus T every K steps when the target is re-anchored by a roll-out.
 */
export interface DepthOptions {
  readonly mode: 'transitions' | 'bptt';
  /** T */
  readonly length: number;
  /** S */
  readonly segmentLength: number;
  readonly reanchor: 'off' | 'target' | 'states';
  /** K */
  readonly refreshEvery: number;
}

export function sequentialDepth(o: DepthOptions): number {
  const S = Math.min(o.segmentLength, o.length);
  if (o.mode === 'bptt' || S >= o.length) return o.length;
  return S + (o.reanchor === 'off' ? 0 : o.length / o.refreshEvery);
}
