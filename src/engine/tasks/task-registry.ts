import { createCircuitStream, randomCircuit } from './circuit-task';
import { createRecallStream } from './recall-task';
import type { TaskId, TaskInfo, TaskStream } from './task';
import { createTextStream, TEXT_ALPHABET } from './text-task';

/** Fixed sizes of the built-in tasks (kept small so they learn within a minute in a browser). */
export const RECALL = { delay: 2, symbols: 4 } as const;
export const CIRCUIT = { states: 3, symbols: 3, outputs: 3 } as const;

export const TASKS: Readonly<Record<TaskId, TaskInfo>> = {
  recall: {
    id: 'recall',
    label: `Recall ${RECALL.delay} back`,
    description: `Output the symbol seen ${RECALL.delay} steps ago (${RECALL.symbols} symbols).`,
    chance: 1 / RECALL.symbols,
  },
  circuit: {
    id: 'circuit',
    label: 'Random circuit',
    description: `Predict the output of a hidden random ${CIRCUIT.states}-state machine driven by the inputs.`,
    chance: 1 / CIRCUIT.outputs,
  },
  text: {
    id: 'text',
    label: 'Next character',
    description: 'Predict the next character of the opening of Alice in Wonderland.',
    chance: 1 / TEXT_ALPHABET.length,
  },
};

/**
 * A task stream for `lanes` parallel sequences. `taskSeed` fixes the task itself
 * (the circuit); `streamSeed` fixes the sampled symbols.
 */
export function createTaskStream(id: TaskId, lanes: number, taskSeed: number, streamSeed: number): TaskStream {
  switch (id) {
    case 'recall':
      return createRecallStream(lanes, streamSeed, RECALL);
    case 'circuit':
      return createCircuitStream(lanes, streamSeed, randomCircuit(taskSeed, CIRCUIT));
    case 'text':
      return createTextStream(lanes, streamSeed);
    default: {
      const never: never = id;
      throw new Error(`unknown task ${String(never)}`);
    }
  }
}

/** Input alphabet and output class counts of a task. */
export function taskSizes(id: TaskId): { inputSize: number; outputSize: number } {
  const s = createTaskStream(id, 1, 0, 0);
  return { inputSize: s.inputSize, outputSize: s.outputSize };
}
