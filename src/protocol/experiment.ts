/**
 * The experiment vocabulary both sides of the worker share: what can be
 * chosen, its schema and defaults. Views read labels and ranges from here
 * rather than from the engine.
 */
import { z } from 'zod';
import {
  DEFAULT_LARA_PARAMS,
  EXPLORATION_KINDS,
  GATE_KINDS,
  GROWTH_MODES,
  laraParamsSchema,
  LIVE_PARAM_KEYS,
  READOUT_KINDS,
  type LiveParams,
} from '../engine/lara/lara-params';
import { GRAPH_GENERATORS } from '../engine/graph-generators';
import { DEFAULT_LOOPY_PARAMS, LOOPY_LIVE_PARAM_KEYS, LOOPY_PACINGS, LOOPY_RULES, loopyParamsSchema, type LoopyLiveParams } from '../engine/loopy/loopy-params';
import type { AnyLiveParams, DnaExperiment, Experiment, LaraExperiment, LoopyExperiment, RoutingExperiment } from '../engine/experiments';
import { DATASET_IDS, DATASETS, type DatasetId } from '../engine/datasets/dataset-info';
import { DEFAULT_DNA_PARAMS, DNA_LIVE_PARAM_KEYS, dnaParamsSchema, EXTINCTION_MODES, type DnaLiveParams } from '../engine/dna/dna-params';
import {
  DEFAULT_ROUTING_PARAMS,
  ROUTING_ACTIVATIONS,
  ROUTING_LIVE_PARAM_KEYS,
  routingParamsSchema,
  type RoutingLiveParams,
} from '../engine/routing/routing-params';
import { TASK_IDS } from '../engine/tasks/task';
import { TASKS } from '../engine/tasks/task-registry';

export {
  DATASET_IDS,
  DATASETS,
  DEFAULT_DNA_PARAMS,
  DEFAULT_ROUTING_PARAMS,
  EXTINCTION_MODES,
  ROUTING_ACTIVATIONS,
  DEFAULT_LARA_PARAMS,
  DEFAULT_LOOPY_PARAMS,
  EXPLORATION_KINDS,
  GATE_KINDS,
  GRAPH_GENERATORS,
  GROWTH_MODES,
  LIVE_PARAM_KEYS,
  LOOPY_LIVE_PARAM_KEYS,
  LOOPY_PACINGS,
  LOOPY_RULES,
  READOUT_KINDS,
  TASK_IDS,
  TASKS,
};
export type { GateKind, GrowthParams, LaraParams } from '../engine/lara/lara-params';
export type { LoopyParams, LoopyPacing, LoopyRule } from '../engine/loopy/loopy-params';
export type { GraphGenerator } from '../engine/graph-generators';
export type { TaskId } from '../engine/tasks/task';
export type { DnaParams, ExtinctionMode } from '../engine/dna/dna-params';
export type { RoutingParams } from '../engine/routing/routing-params';
export type { DatasetId };
export type { AnyLiveParams, DnaExperiment, DnaLiveParams, Experiment, LaraExperiment, LoopyExperiment, LiveParams, LoopyLiveParams, RoutingExperiment, RoutingLiveParams };

export const MODEL_KINDS = ['lara', 'loopy', 'dna', 'routing'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
export const MODEL_LABELS: Record<ModelKind, string> = {
  lara: 'LARA (learned routing)',
  loopy: 'Loopy network',
  dna: 'DNA cells (birth and death)',
  routing: 'Routing modules (adaptive sparsity)',
};

/** Models that read sequence tasks; the others classify datasets. */
export function isSequenceModel(model: ModelKind): model is 'lara' | 'loopy' {
  return model === 'lara' || model === 'loopy';
}

const seed = z.number().int().min(0).max(2 ** 31 - 1);
const sequence = { task: z.enum(TASK_IDS), seed };
const classification = { task: z.enum(DATASET_IDS), seed };
export const experimentSchema = z.discriminatedUnion('model', [
  z.object({ model: z.literal('lara'), ...sequence, params: laraParamsSchema }),
  z.object({ model: z.literal('loopy'), ...sequence, params: loopyParamsSchema }),
  z.object({ model: z.literal('dna'), ...classification, params: dnaParamsSchema }),
  z.object({ model: z.literal('routing'), ...classification, params: routingParamsSchema }),
]);

export const DEFAULT_EXPERIMENT: LaraExperiment = { model: 'lara', task: 'recall', seed: 1, params: DEFAULT_LARA_PARAMS };
/** The loopy model's starting point in the lab: a few hundred single neurons. */
export const DEFAULT_LOOPY_EXPERIMENT: LoopyExperiment = { model: 'loopy', task: 'recall', seed: 1, params: DEFAULT_LOOPY_PARAMS };

/** DNA starts on MNIST, the seed's own task. */
export const DEFAULT_DNA_EXPERIMENT: DnaExperiment = { model: 'dna', task: 'mnist', seed: 1, params: DEFAULT_DNA_PARAMS };
/** Routing modules start on Playground's circle, where the decision boundary shows. */
export const DEFAULT_ROUTING_EXPERIMENT: RoutingExperiment = { model: 'routing', task: 'circle', seed: 1, params: DEFAULT_ROUTING_PARAMS };

const DEFAULTS: Readonly<Record<ModelKind, Experiment>> = {
  lara: DEFAULT_EXPERIMENT,
  loopy: DEFAULT_LOOPY_EXPERIMENT,
  dna: DEFAULT_DNA_EXPERIMENT,
  routing: DEFAULT_ROUTING_EXPERIMENT,
};

/** The default experiment of a model kind, keeping the seed, and the task when the new model runs that kind of task. */
export function experimentFor(model: ModelKind, from: Experiment): Experiment {
  if (model === from.model) return from;
  const base = DEFAULTS[model];
  const sameTasks = isSequenceModel(model) === isSequenceModel(from.model);
  return { ...base, task: sameTasks ? from.task : base.task, seed: from.seed } as Experiment;
}

/** The tasks a model kind can run, with labels. */
export function tasksFor(model: ModelKind): readonly { readonly id: string; readonly label: string; readonly description: string }[] {
  return isSequenceModel(model) ? TASK_IDS.map((id) => TASKS[id]) : DATASET_IDS.map((id) => DATASETS[id]);
}

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export const BACKEND_CHOICES = ['auto', ...BACKENDS] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

const LIVE_KEYS: Readonly<Record<ModelKind, readonly string[]>> = {
  lara: LIVE_PARAM_KEYS,
  loopy: LOOPY_LIVE_PARAM_KEYS,
  dna: DNA_LIVE_PARAM_KEYS,
  routing: ROUTING_LIVE_PARAM_KEYS,
};

function liveKeys(model: ModelKind): readonly string[] {
  return LIVE_KEYS[model];
}

/** Whether a parameter change needs a new experiment (new graph and weights) rather than a live update. */
export function isLiveChange(before: Experiment, after: Experiment): boolean {
  if (before.model !== after.model || before.task !== after.task || before.seed !== after.seed) return false;
  const live = new Set(liveKeys(after.model));
  const b = before.params as Record<string, unknown>;
  const a = after.params as Record<string, unknown>;
  for (const key of Object.keys(a)) {
    if (!live.has(key) && JSON.stringify(b[key]) !== JSON.stringify(a[key])) return false;
  }
  return true;
}

/** The live subset of an experiment's parameters. */
export function liveParams(experiment: Experiment): AnyLiveParams {
  const out: Record<string, unknown> = {};
  const p = experiment.params as Record<string, unknown>;
  for (const key of liveKeys(experiment.model)) out[key] = p[key];
  return out;
}
