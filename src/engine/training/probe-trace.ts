/**
 * A per-tick trace of one probe lane, for the graph view: which nodes
 * computed, how strongly, how open each in-edge was, where the threads sat.
 * Every model gives one (a feed-forward pass is one tick). Typed arrays only,
 * so it travels as transferables.
 */
export interface ProbeTrace {
  /** Node id per packed position [L]. */
  readonly nodeIds: Int32Array;
  readonly ticks: number;
  /** In-edge slots per position. */
  readonly K: number;
  /** Edge id per slot [L*K], -1 for padding. */
  readonly slotEdge: Int32Array;
  /** Mean state per node [ticks, L]. */
  readonly activity: Float32Array;
  /**
   * Gate (or normalised message strength) per slot [ticks, L, K], in [0, 1]; or [1, L, K] when every
   * tick has the same values (a loopy network's weights), so a 10,000-node frame does not repeat them.
   */
  readonly gates: Float32Array;
  /** 1 where the node computed [ticks, L]. */
  readonly active: Uint8Array;
  /** Node id of each thread per tick [ticks, Th]; empty for models without threads. */
  readonly threads: Int32Array;
  /** 1 on the ticks the output was read [ticks]. */
  readonly reads: Uint8Array;
}

/** Where tick `tick`'s [L, K] gate rows start in `trace.gates` (tick 0's for a single shared row). */
export function gateRowOffset(trace: Pick<ProbeTrace, 'gates' | 'ticks' | 'nodeIds' | 'K'>, tick: number): number {
  const LK = trace.nodeIds.length * trace.K;
  return trace.gates.length === LK ? 0 : tick * LK;
}
