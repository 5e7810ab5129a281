/** A GRU's or LSTM's sizes and the tensors its export holds (no tfjs: import checks them on the page, the trainer builds on them). */
import type { TaskId } from '../tasks/task';
import { taskSizes } from '../tasks/task-registry';
import type { GatedSizes } from './gated-graph';
import type { GatedKind } from './gated-params';

/** Gate blocks per unit in the input and recurrent matrices: GRU (r, z, n), LSTM (i, f, g, o). */
export const GATES: Readonly<Record<GatedKind, number>> = { gru: 3, lstm: 4 };

export function gatedSizes(task: TaskId, hidden: number): GatedSizes {
  const { inputSize, outputSize } = taskSizes(task);
  return { inputSize, hidden, outputSize };
}

/** The tensors a GRU or LSTM export holds (the cell's weights, by the cell's names). */
export function gatedTensorShapes(kind: GatedKind, s: GatedSizes): Record<string, readonly number[]> {
  const { inputSize: D, hidden: H, outputSize: C } = s;
  const G = GATES[kind] * H;
  const biases: Record<string, readonly number[]> = kind === 'gru' ? { inputB: [G], recurrentB: [G] } : { bias: [G] };
  return { inputW: [D, G], recurrentW: [H, G], ...biases, readoutW: [H, C], readoutB: [C] };
}
