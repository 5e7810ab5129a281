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
import type { LaraExperiment } from '../engine/lara/lara-trainer';
import { TASK_IDS } from '../engine/tasks/task';
import { TASKS } from '../engine/tasks/task-registry';

export { DEFAULT_LARA_PARAMS, EXPLORATION_KINDS, GATE_KINDS, GROWTH_MODES, LIVE_PARAM_KEYS, READOUT_KINDS, TASK_IDS, TASKS };
export type { GateKind, GrowthParams, LaraParams } from '../engine/lara/lara-params';
export type { TaskId } from '../engine/tasks/task';
export type { LiveParams };

export const MODEL_KINDS = ['lara'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export const experimentSchema = z.object({
  model: z.literal('lara'),
  task: z.enum(TASK_IDS),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  params: laraParamsSchema,
});
export type Experiment = LaraExperiment;

export const DEFAULT_EXPERIMENT: Experiment = { model: 'lara', task: 'recall', seed: 1, params: DEFAULT_LARA_PARAMS };

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export const BACKEND_CHOICES = ['auto', ...BACKENDS] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** Whether a parameter change needs a new experiment (new graph and weights) rather than a live update. */
export function isLiveChange(before: Experiment, after: Experiment): boolean {
  if (before.model !== after.model || before.task !== after.task || before.seed !== after.seed) return false;
  const live = new Set<string>(LIVE_PARAM_KEYS);
  for (const key of Object.keys(after.params) as (keyof Experiment['params'])[]) {
    if (!live.has(key) && JSON.stringify(before.params[key]) !== JSON.stringify(after.params[key])) return false;
  }
  return true;
}

/** The live subset of a parameter set. */
export function liveParams(params: Experiment['params']): LiveParams {
  const out: Record<string, unknown> = {};
  for (const key of LIVE_PARAM_KEYS) out[key] = params[key];
  return out as LiveParams;
}
