/**
 * What the worker drives: one running experiment of any model kind. LARA and
 * loopy networks share the host model (graph + parameter tables), the probe
 * trace and the step result, so the worker, export and the view need not know
 * which model runs.
 */
import type { Experiment } from './experiments';
import type { Graph } from './graph';
import { LaraTrainer, type ProbeTrace, type StepResult } from './lara/lara-trainer';
import type { LaraHostModel } from './lara/lara-model';
import type { LiveParams } from './lara/lara-params';
import { LoopyTrainer } from './loopy/loopy-trainer';
import type { LoopyLiveParams } from './loopy/loopy-params';

export interface LabTrainer {
  readonly step: number;
  readonly tick: number;
  readonly currentGraph: Graph;
  /** Visit share per node id. */
  readonly visits: ReadonlyMap<number, number>;
  /** The experiment with its live parameters as they are now. */
  readonly currentExperiment: Experiment;
  setLiveParams(live: Partial<LiveParams> | Partial<LoopyLiveParams>): void;
  trainStep(): Promise<StepResult>;
  probe(symbols: number): Promise<ProbeTrace>;
  predict(): Promise<Float32Array>;
  exportModel(): Promise<LaraHostModel>;
  /** Host copy of everything; the function rebuilds an equal trainer on the backend current when it is called. */
  suspend(): Promise<() => LabTrainer>;
  dispose(): void;
}

export function createTrainer(experiment: Experiment): LabTrainer {
  return experiment.model === 'lara' ? LaraTrainer.create(experiment) : LoopyTrainer.create(experiment);
}

/** A trainer resumed from a network (import, crash recovery). */
export function trainerFromModel(experiment: Experiment, model: LaraHostModel, step: number): LabTrainer {
  return experiment.model === 'lara' ? LaraTrainer.fromModel(experiment, model, step) : LoopyTrainer.fromModel(experiment, model, step);
}
