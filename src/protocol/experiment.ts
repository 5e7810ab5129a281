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
import type { Experiment, LaraExperiment, LoopyExperiment } from '../engine/experiments';
import { TASK_IDS } from '../engine/tasks/task';
import { TASKS } from '../engine/tasks/task-registry';

export {
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
export type { Experiment, LaraExperiment, LoopyExperiment, LiveParams, LoopyLiveParams };

export const MODEL_KINDS = ['lara', 'loopy'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
export const MODEL_LABELS: Record<ModelKind, string> = { lara: 'LARA (learned routing)', loopy: 'Loopy network' };

const common = { task: z.enum(TASK_IDS), seed: z.number().int().min(0).max(2 ** 31 - 1) };
export const experimentSchema = z.discriminatedUnion('model', [
  z.object({ model: z.literal('lara'), ...common, params: laraParamsSchema }),
  z.object({ model: z.literal('loopy'), ...common, params: loopyParamsSchema }),
]);

export const DEFAULT_EXPERIMENT: LaraExperiment = { model: 'lara', task: 'recall', seed: 1, params: DEFAULT_LARA_PARAMS };
/** The loopy model's starting point in the lab: a few hundred single neurons. */
export const DEFAULT_LOOPY_EXPERIMENT: LoopyExperiment = { model: 'loopy', task: 'recall', seed: 1, params: DEFAULT_LOOPY_PARAMS };

/** The default experiment of a model kind, keeping task and seed. */
export function experimentFor(model: ModelKind, from: Experiment): Experiment {
  if (model === from.model) return from;
  const base = model === 'lara' ? DEFAULT_EXPERIMENT : DEFAULT_LOOPY_EXPERIMENT;
  return { ...base, task: from.task, seed: from.seed } as Experiment;
}

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export const BACKEND_CHOICES = ['auto', ...BACKENDS] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

function liveKeys(model: ModelKind): readonly string[] {
  return model === 'lara' ? LIVE_PARAM_KEYS : LOOPY_LIVE_PARAM_KEYS;
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
export function liveParams(experiment: Experiment): Partial<LiveParams> | Partial<LoopyLiveParams> {
  const out: Record<string, unknown> = {};
  const p = experiment.params as Record<string, unknown>;
  for (const key of liveKeys(experiment.model)) out[key] = p[key];
  return out;
}
