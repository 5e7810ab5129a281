/**
 * What one train step of any model reports: its scalars, the births and
 * deaths it caused, and whether it was undone. Model-neutral: every trainer,
 * the worker and the protocol say what a step is with these types.
 */

/** LARA: split, birth, starved. DNA cells: split (a strong cell halves into two), extinct (a weak cell dies at a plateau), threshold (threshold mode). */
export type TopologyCause = 'split' | 'birth' | 'starved' | 'extinct' | 'threshold';

/** A node born or dead, with the edges that came or went with it. */
export interface TopologyEvent {
  readonly kind: 'birth' | 'death';
  readonly nodeId: number;
  /** Global tick at which it happened. */
  readonly tick: number;
  readonly cause: TopologyCause;
  /** Node the new one was copied from or wired to (births). */
  readonly parentId?: number;
  readonly edgeIds: readonly number[];
  /** DNA: the cell a newborn cell split from. */
  readonly parentEdgeId?: number;
}

/** Scalars of one train step. */
export interface StepStats {
  /** Steps done, this one included. */
  readonly step: number;
  /** Global tick count after the step. */
  readonly tick: number;
  /** Mean cross-entropy (nats) over scored symbols or examples. */
  readonly loss: number;
  /** Fraction of scored symbols or examples predicted right. */
  readonly accuracy: number;
  /** Global gradient L2 norm before clipping; null where the rule has no gradient (local rules, reservoir). */
  readonly gradNorm: number | null;
  /** Wall time of the step in milliseconds. */
  readonly ms: number;
}

export interface StepResult {
  readonly stats: StepStats;
  /** Births and deaths this step (growth, extinction). */
  readonly events: readonly TopologyEvent[];
  /** Set when the step produced a non-finite loss or gradient and the trainer went back to its last checkpoint. */
  readonly rolledBack?: { readonly reason: string; readonly toStep: number };
}
