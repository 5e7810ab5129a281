/** A loopy network's sizes (no tfjs): its export is stored in LARA's tables (../lara/lara-document.ts) with these dimensions. */
import type { LaraDims } from '../lara/lara-model';
import { taskSizes } from '../tasks/task-registry';
import type { LoopyExperiment } from './loopy-params';

/** A reservoir is read out from every node, as an echo-state network is; the other rules read the output nodes. */
export function loopyDims(experiment: LoopyExperiment): LaraDims {
  return { width: experiment.params.width, ...taskSizes(experiment.task), readAll: experiment.params.rule === 'reservoir' };
}
