/**
 * An experiment: which model, on which task, from which seed, with which
 * parameters. One discriminated union for every model the lab trains live;
 * the protocol validates it (experiment.ts) and the export format stores it.
 * Recurrent models run sequence tasks; the feed-forward ones (DNA, routing
 * modules) run classification datasets.
 */
import type { DatasetId } from './datasets/dataset-info';
import type { DnaLiveParams, DnaParams } from './dna/dna-params';
import type { LaraParams, LiveParams } from './lara/lara-params';
import type { LoopyLiveParams, LoopyParams } from './loopy/loopy-params';
import type { RoutingLiveParams, RoutingParams } from './routing/routing-params';
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

export interface DnaExperiment {
  readonly model: 'dna';
  readonly task: DatasetId;
  readonly seed: number;
  readonly params: DnaParams;
}

export interface RoutingExperiment {
  readonly model: 'routing';
  readonly task: DatasetId;
  readonly seed: number;
  readonly params: RoutingParams;
}

export type Experiment = LaraExperiment | LoopyExperiment | DnaExperiment | RoutingExperiment;

/** The parameters of any model that can change while it runs. */
export type AnyLiveParams = Partial<LiveParams> | Partial<LoopyLiveParams> | Partial<DnaLiveParams> | Partial<RoutingLiveParams>;
