/**
 * Every model kind the lab trains live, one line each. Protocol schemas,
 * export and import, URL state, the controls, the help panel, the view, the
 * battery panel and the test API all iterate this registry; a kind added
 * here with a missing piece is a type error (see model-descriptor.ts).
 */
import { dnaModel } from './dna/dna-descriptor';
import { gruModel, lstmModel } from './gated/gated-descriptor';
import { laraModel } from './lara/lara-descriptor';
import { loopyModel } from './loopy/loopy-descriptor';
import type { ExperimentOf, ModelDescriptor, TaskFamily, TrainerFactory } from './model-descriptor';
import { routingModel } from './routing/routing-descriptor';
import type { LabTrainer } from './training/trainer-core';

export const MODELS = {
  lara: laraModel,
  loopy: loopyModel,
  dna: dnaModel,
  routing: routingModel,
  gru: gruModel,
  lstm: lstmModel,
} as const;

type Registry = typeof MODELS;
export type ModelKind = keyof Registry;
/** Model kinds in the Model select's order. */
export const MODEL_KINDS = Object.keys(MODELS) as ModelKind[];

type ExperimentOfDescriptor<M> = M extends ModelDescriptor<infer K, infer F, infer P, infer _H, infer _D> ? ExperimentOf<K, F, P> : never;
type DetailOfDescriptor<M> = M extends ModelDescriptor<infer _K, infer _F, infer _P, infer _H, infer D> ? D : never;

/** One experiment of any model kind (a discriminated union on `model`). */
export type Experiment = { [K in ModelKind]: ExperimentOfDescriptor<Registry[K]> }[ModelKind];
/** The experiment of kind K. */
export type ExperimentOfKind<K extends ModelKind> = ExperimentOfDescriptor<Registry[K]>;
/** The parameters of any model that can change while it runs (the worker applies only the live keys). */
export type AnyLiveParams = Partial<Experiment['params']>;
/** What any model's frame may carry for its own view (null: the graph view says it all). */
export type ModelDetail = { [K in ModelKind]: DetailOfDescriptor<Registry[K]> }[ModelKind];
/** The views models are drawn in. */
export type ViewKind = Registry[ModelKind]['view'];

/**
 * A descriptor with its types erased to any kind: what code that handles
 * any experiment holds. Each descriptor only ever receives experiments and
 * host models of its own kind, because it is looked up by experiment.model.
 */
export type AnyModelDescriptor = ModelDescriptor<ModelKind, TaskFamily, object, unknown, ModelDetail>;

/** The trainer code of any kind, typed by the experiment union. */
type AnyTrainerFactory = TrainerFactory<Experiment, unknown, ModelDetail>;

export function descriptorOf(kind: ModelKind): AnyModelDescriptor {
  return MODELS[kind] as unknown as AnyModelDescriptor;
}

/** A trainer for a fresh experiment (its kind's trainer code is loaded on first use). */
export async function createTrainer(experiment: Experiment): Promise<LabTrainer<Experiment, unknown, ModelDetail>> {
  const factory = (await descriptorOf(experiment.model).loadTrainer()) as unknown as AnyTrainerFactory;
  return factory.create(experiment);
}

/** A trainer resumed from a host model (import, crash recovery). */
export async function trainerFromModel(experiment: Experiment, model: unknown, step: number): Promise<LabTrainer<Experiment, unknown, ModelDetail>> {
  const factory = (await descriptorOf(experiment.model).loadTrainer()) as unknown as AnyTrainerFactory;
  return factory.fromModel(experiment, model, step);
}

