/** A loopy network's sizes and graph rule (no tfjs): its export is stored in LARA's tables (../lara/lara-document.ts) with these dimensions. */
import { rolePositions, type Graph } from '../graph';
import type { LaraDims } from '../lara/lara-model';
import { taskSizes } from '../tasks/task-registry';
import type { LoopyExperiment } from './loopy-params';

/** A reservoir is read out from every node, as an echo-state network is; the other rules read the output nodes. */
export function loopyDims(experiment: LoopyExperiment): LaraDims {
  return { width: experiment.params.width, ...taskSizes(experiment.task), readAll: experiment.params.rule === 'reservoir' };
}

/** A loopy network's graph has what its generator makes: one input node per symbol, one output node per class (and the read node, with read-node pacing) and `hidden` hidden nodes. */
export function loopyGraphProblem(experiment: LoopyExperiment, graph: Graph): string | null {
  const { inputSize, outputSize: classes } = taskSizes(experiment.task);
  const outputSize = classes + (experiment.params.pacing === 'read-node' ? 1 : 0);
  const hidden = experiment.params.hidden;
  const counts = [rolePositions(graph, 'input').length, rolePositions(graph, 'hidden').length, rolePositions(graph, 'output').length];
  if (counts[0] === inputSize && counts[1] === hidden && counts[2] === outputSize) return null;
  return `a loopy network of ${hidden} nodes on ${experiment.task} has ${inputSize} input, ${hidden} hidden and ${outputSize} output nodes, the graph has ${counts.join(', ')}`;
}
