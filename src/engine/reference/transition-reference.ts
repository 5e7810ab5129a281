/**
 * The transition-representation loss (docs/ARCHITECTURE.md) as plain float64 loops:
 * the reference transition-training.ts is tested against. Any cell given as a
 * host function of (states, inputs) works; the GRU's comes from the
 * baselines' own float64 reference, one step per row.
 */
import { gruReference, referenceLoss as crossEntropy, type ReferenceCase } from '../baselines/baseline-reference';
import type { GruWeightName } from '../baselines/gru';

/** One step of every row from `states` [rows*S]: next states [rows*S] and logits [rows*C]. */
export type ReferenceCell = (states: Float64Array, inputs: ArrayLike<number>, outputSize: number) => { next: Float64Array; logits: Float64Array };

export interface TransitionCase {
  /** N */
  readonly sequences: number;
  /** T */
  readonly length: number;
  /** S */
  readonly stateSize: number;
  readonly inputSize: number;
  readonly outputSize: number;
  /** Symbol per [t, i], time major. */
  readonly inputs: ArrayLike<number>;
  /** Class per [t, i], -1 where nothing is scored. */
  readonly targets: ArrayLike<number>;
  /** e_{i,t} for t = 1..T-1, [(T-1)*N*S], time major; e_{i,0} is zero (the start state). */
  readonly embeddings: ArrayLike<number>;
  /** The frozen target ebar, same layout. */
  readonly target: ArrayLike<number>;
  readonly beta: number;
}

export interface TransitionReferenceResult {
  readonly loss: number;
  readonly ce: number;
  readonly consistency: number;
}

const at = (a: ArrayLike<number>, i: number): number => a[i] as number;


/** loss = CE(f(e_{i,t}, x_{i,t})) + beta * mean_{i, t<T-1} ||s'_{i,t} - ebar_{i,t+1}||^2. */
export function transitionLossReference(cell: ReferenceCell, c: TransitionCase): TransitionReferenceResult {
  const { sequences: N, length: T, stateSize: S } = c;
  const states = new Float64Array(T * N * S);
  for (let i = 0; i < (T - 1) * N * S; i++) states[N * S + i] = at(c.embeddings, i);
  const { next, logits } = cell(states, c.inputs, c.outputSize);
  const ce = crossEntropy(logits, c.targets, c.outputSize);
  let sq = 0;
  for (let i = 0; i < (T - 1) * N * S; i++) sq += (at(next, i) - at(c.target, i)) ** 2;
  const consistency = sq / ((T - 1) * N);
  return { loss: ce + c.beta * consistency, ce, consistency };
}

/** The GRU (gru.ts, PyTorch convention) as a ReferenceCell: every row one lane of one step. */
export function gruReferenceCell(w: Readonly<Record<GruWeightName, ArrayLike<number>>>, hidden: number, inputSize: number): ReferenceCell {
  return (states, inputs, outputSize) => {
    const rows = inputs.length;
    const c: ReferenceCase = { inputSize, outputSize, lanes: rows, length: 1, inputs, targets: new Int32Array(rows).fill(-1) };
    const r = gruReference(w, c, hidden, states);
    return { next: r.state[0] as Float64Array, logits: r.logits };
  };
}
