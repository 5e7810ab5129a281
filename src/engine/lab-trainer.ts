/**
 * What the worker drives: one running experiment of any model kind. Every
 * model gives a graph, a probe trace for the graph view, step results and an
 * exportable host model; the feed-forward models add a detail for their own
 * view. The worker, export and the views need not know which model runs.
 */
import type { HostTensor } from './training/host-tensor';
import type { AnyLiveParams, Experiment } from './experiments';
import type { Graph } from './graph';
import { LaraTrainer } from './lara/lara-trainer';
import { type ProbeTrace } from './training/probe-trace';
import { type StepResult } from './training/step-result';
import type { LaraHostModel } from './lara/lara-model';
import { LoopyTrainer } from './loopy/loopy-trainer';
import type { ModelDetail } from './model-detail';
import { DnaTrainer } from './dna/dna-trainer';
import { RoutingTrainer } from './routing/routing-trainer';

/** A model whose weights are a few named tensors (DNA, routing modules); the export format stores them as they are. */
export interface TensorHostModel {
  readonly graph: Graph;
  readonly tensors: Readonly<Record<string, HostTensor>>;
}

/** LARA and loopy networks keep weights per graph row (they grow and shrink); the others as named tensors. */
export type HostModel = LaraHostModel | TensorHostModel;

export interface LabTrainer {
  readonly step: number;
  readonly tick: number;
  readonly currentGraph: Graph;
  /** Visit share per node id. */
  readonly visits: ReadonlyMap<number, number>;
  /** The experiment with its live parameters as they are now. */
  readonly currentExperiment: Experiment;
  setLiveParams(live: AnyLiveParams): void;
  trainStep(): Promise<StepResult>;
  probe(symbols: number): Promise<ProbeTrace>;
  /** The model's own view data, or null when the graph view says it all. */
  detail(): Promise<ModelDetail | null>;
  predict(): Promise<Float32Array>;
  exportModel(): Promise<HostModel>;
  /** Host copy of everything; the function rebuilds an equal trainer on the backend current when it is called. */
  suspend(): Promise<() => LabTrainer>;
  dispose(): void;
}

export async function createTrainer(experiment: Experiment): Promise<LabTrainer> {
  switch (experiment.model) {
    case 'lara':
      return LaraTrainer.create(experiment);
    case 'loopy':
      return LoopyTrainer.create(experiment);
    case 'dna':
      return DnaTrainer.create(experiment);
    case 'routing':
      return RoutingTrainer.create(experiment);
  }
}

/** A trainer resumed from a network (import, crash recovery). */
export async function trainerFromModel(experiment: Experiment, model: HostModel, step: number): Promise<LabTrainer> {
  switch (experiment.model) {
    case 'lara':
      return LaraTrainer.fromModel(experiment, model as LaraHostModel, step);
    case 'loopy':
      return LoopyTrainer.fromModel(experiment, model as LaraHostModel, step);
    case 'dna':
      return DnaTrainer.fromModel(experiment, model as TensorHostModel, step);
    case 'routing':
      return RoutingTrainer.fromModel(experiment, model as TensorHostModel, step);
  }
}
