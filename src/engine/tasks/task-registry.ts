import { createCircuitStream, randomCircuit } from './circuit-task';
import { createRecallStream } from './recall-task';
import { ownTextData } from '../datasets/own-data';
import { createOwnTextStream } from './own-text';
import type { BuiltinTaskId, TaskId, TaskInfo, TaskStream } from './task';
import { createTextStream, TEXT_ALPHABET } from './text-task';

/** Fixed sizes of the built-in tasks (kept small so they learn within a minute in a browser). */
export const RECALL = { delay: 2, symbols: 4 } as const;
export const CIRCUIT = { states: 3, symbols: 3, outputs: 3 } as const;

/** The built-in tasks; taskInfo() also answers for an own text. */
export const TASKS: Readonly<Record<BuiltinTaskId, TaskInfo>> = {
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

/** What a task is (label, chance): the built-in table, or for `own-text` the installed file's (a placeholder naming no file when none is). */
export function taskInfo(id: TaskId): TaskInfo {
  if (id !== 'own-text') return TASKS[id];
  try {
    const { text, file } = ownTextData();
    const other = text.other ? `, the rarest characters sharing one "other" symbol` : '';
    return {
      id,
      label: 'Your text file',
      description: `Predict the next character of ${JSON.stringify(file.name)} (${text.length.toLocaleString('en-US')} characters, an alphabet of ${text.alphabet.length}${other}); the last tenth is held out.`,
      chance: 1 / text.alphabet.length,
    };
  } catch {
    return { id, label: 'Your text file', description: 'No text file is loaded.', chance: 1 };
  }
}

/**
 * A task stream for `lanes` parallel sequences. `taskSeed` fixes the task itself
 * (the circuit); `streamSeed` fixes the sampled symbols. `part` is the text a
 * stream reads where the task holds some out (own text: `heldOut` reads only
 * its last tenth, `train` never does); the built-in tasks are endless and
 * ignore it.
 */
export function createTaskStream(id: TaskId, lanes: number, taskSeed: number, streamSeed: number, part: 'train' | 'heldOut' = 'train'): TaskStream {
  switch (id) {
    case 'recall':
      return createRecallStream(lanes, streamSeed, RECALL);
    case 'circuit':
      return createCircuitStream(lanes, streamSeed, randomCircuit(taskSeed, CIRCUIT));
    case 'text':
      return createTextStream(lanes, streamSeed);
    case 'own-text':
      return createOwnTextStream(ownTextData().text, lanes, streamSeed, part);
    default: {
      const never: never = id;
      throw new Error(`unknown task ${String(never)}`);
    }
  }
}

/** The fixed evaluation stream of a task (its own seed; an own text's held-out end). */
export function createEvaluationStream(id: TaskId, lanes: number, seed: number, streamSeed: number): TaskStream {
  return createTaskStream(id, lanes, seed, streamSeed, 'heldOut');
}

/** Input alphabet and output class counts of a task. */
export function taskSizes(id: TaskId): { inputSize: number; outputSize: number } {
  const s = createTaskStream(id, 1, 0, 0);
  return { inputSize: s.inputSize, outputSize: s.outputSize };
}
