/**
 * The experiment vocabulary both sides of the worker share: the model kinds
 * (from the registry), the schema an experiment must pass, defaults, tasks,
 * which changes are live, and the backends. Nothing here names a model kind:
 * it all iterates engine/model-registry.ts.
 */
import { z } from 'zod';
import { CLASSIFICATION_TASK_IDS, DATASET_IDS, DATASETS, type BuiltinDatasetId, type DatasetId } from '../engine/datasets/dataset-info';
import { datasetInfo, installedOwnData, OWN_CSV_DATASET, OWN_TEXT_TASK } from '../engine/datasets/own-data';
import { descriptorOf, MODEL_KINDS, MODELS, type AnyLiveParams, type AnyModelDescriptor, type Experiment, type ExperimentOfKind, type ModelDetail, type ModelKind, type ViewKind } from '../engine/model-registry';
import type { CheckboxControl, ControlDescriptor, HelpText, SelectControl, SliderControl, TaskFamily } from '../engine/model-descriptor';
import { SEQUENCE_TASK_IDS, TASK_IDS, type BuiltinTaskId, type TaskId } from '../engine/tasks/task';
import { taskInfo, TASKS } from '../engine/tasks/task-registry';

export { DATASET_IDS, DATASETS, datasetInfo, descriptorOf, MODEL_KINDS, MODELS, TASK_IDS, TASKS, taskInfo };
export type { CheckboxControl, ControlDescriptor, HelpText, SelectControl, SliderControl };
export type { AnyLiveParams, AnyModelDescriptor, BuiltinDatasetId, BuiltinTaskId, DatasetId, Experiment, ExperimentOfKind, ModelDetail, ModelKind, TaskFamily, TaskId, ViewKind };

/** A built-in sequence task (the battery and the transitions study run only these). */
export function isBuiltinTask(task: string): task is BuiltinTaskId {
  return (TASK_IDS as readonly string[]).includes(task);
}

/** The seed is a 31-bit integer everywhere (it seeds 32-bit generators). */
const seedSchema = z.number().int().min(0).max(2 ** 31 - 1);

const TASK_SCHEMAS: Readonly<Record<TaskFamily, z.ZodType<string>>> = { sequence: z.enum(SEQUENCE_TASK_IDS), classification: z.enum(CLASSIFICATION_TASK_IDS) };

function kindSchema(kind: ModelKind) {
  const d = descriptorOf(kind);
  return z.object({ model: z.literal(kind), task: TASK_SCHEMAS[d.family], seed: seedSchema, params: d.schema });
}

/** Any experiment: discriminated by `model`, each kind with its own tasks and parameter schema. */
export const experimentSchema = z.discriminatedUnion(
  'model',
  MODEL_KINDS.map(kindSchema) as unknown as [ReturnType<typeof kindSchema>, ...ReturnType<typeof kindSchema>[]],
) as unknown as z.ZodType<Experiment>;

/** A kind's experiment from its defaults. */
export function defaultExperiment<K extends ModelKind>(kind: K, seed = 1): ExperimentOfKind<K> {
  const d = descriptorOf(kind);
  return { model: kind, task: d.defaultTask, seed, params: d.defaults } as ExperimentOfKind<K>;
}

/** What the lab opens with: the first model of the registry on its default task. */
export const DEFAULT_EXPERIMENT: Experiment = defaultExperiment(MODEL_KINDS[0] as ModelKind);

export function isSequenceModel(model: ModelKind): boolean {
  return descriptorOf(model).family === 'sequence';
}

/** The default experiment of a model kind, keeping the seed, and the task when the new model runs that kind of task. */
export function experimentFor(model: ModelKind, from: Experiment): Experiment {
  if (model === from.model) return from;
  const base = defaultExperiment(model, from.seed);
  const sameTasks = descriptorOf(model).family === descriptorOf(from.model).family;
  return sameTasks ? ({ ...base, task: from.task } as Experiment) : base;
}

/**
 * What a model that ignores its input scores on an experiment's task: the
 * accuracy of guessing (tasks and datasets are balanced) and the loss of a
 * uniform prediction, -ln(chance). The charts draw both as dashed lines.
 */
export function chanceOf(experiment: Experiment): { readonly accuracy: number; readonly loss: number } {
  const accuracy = isSequenceModel(experiment.model) ? taskInfo(experiment.task as TaskId).chance : 1 / Math.max(1, datasetInfo(experiment.task as DatasetId).classes);
  return { accuracy, loss: -Math.log(accuracy) };
}

/** The tasks a model kind can run, with labels: the built-in ones, and the own data set of its kind once one is loaded on this page. */
export function tasksFor(model: ModelKind): readonly { readonly id: string; readonly label: string; readonly description: string }[] {
  if (isSequenceModel(model)) return [...TASK_IDS.map((id) => TASKS[id]), ...(installedOwnData('text') ? [taskInfo(OWN_TEXT_TASK)] : [])];
  return [...DATASET_IDS.map((id) => DATASETS[id]), ...(installedOwnData('csv') ? [datasetInfo(OWN_CSV_DATASET)] : [])];
}

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export const BACKEND_CHOICES = ['auto', ...BACKENDS] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** Whether a parameter change can apply to the running experiment (same model, task and seed; only live keys differ). */
export function isLiveChange(before: Experiment, after: Experiment): boolean {
  if (before.model !== after.model || before.task !== after.task || before.seed !== after.seed) return false;
  const live = new Set<string>(descriptorOf(after.model).liveKeys);
  const b = before.params as Readonly<Record<string, unknown>>;
  const a = after.params as Readonly<Record<string, unknown>>;
  for (const key of Object.keys(a)) {
    if (!live.has(key) && JSON.stringify(b[key]) !== JSON.stringify(a[key])) return false;
  }
  return true;
}

/** The live subset of an experiment's parameters. */
export function liveParams(experiment: Experiment): AnyLiveParams {
  const out: Record<string, unknown> = {};
  const p = experiment.params as Readonly<Record<string, unknown>>;
  for (const key of descriptorOf(experiment.model).liveKeys) out[key] = p[key];
  return out;
}
