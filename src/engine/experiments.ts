/**
 * An experiment: which model, on which task, from which seed, with which
 * parameters. One discriminated union for every model the lab trains live;
 * the protocol validates it (experiment.ts) and the export format stores it.
 */
import type { LaraParams } from './lara/lara-params';
import type { LoopyParams } from './loopy/loopy-params';
import type { TaskId } from './tasks/task';

export interface LaraExperiment {
  readonly model: 'lara';
  readonly task: TaskId;
  readonly seed: number;
  readonly params: LaraParams;
}

export interface LoopyExperiment {
  readonly model: 'loopy';
  readonly task: TaskId;
  readonly seed: number;
  readonly params: LoopyParams;
}

export type Experiment = LaraExperiment | LoopyExperiment;
