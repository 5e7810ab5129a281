/**
 * Experiment parameters and seed in the URL hash, so a link reproduces an
 * experiment. `model` (absent = lara) picks the model first; every other key
 * belongs to that model. Parsing validates every value; a bad one is dropped
 * with a message naming it, the rest still apply.
 */
import { z } from 'zod';
import {
  BACKEND_CHOICES,
  DEFAULT_EXPERIMENT,
  DEFAULT_LOOPY_EXPERIMENT,
  experimentFor,
  experimentSchema,
  MODEL_KINDS,
  type BackendChoice,
  type Experiment,
  type LaraExperiment,
  type LaraParams,
  type LoopyParams,
  type DnaParams,
  type RoutingParams,
  DEFAULT_DNA_EXPERIMENT,
  DEFAULT_ROUTING_EXPERIMENT,
} from '../protocol/experiment';

/** LARA: hash key -> parameter. Growth settings other than on/off keep their defaults. */
const LARA_KEYS = {
  lr: 'learningRate',
  explore: 'explore',
  exploration: 'exploration',
  think: 'thinkTicks',
  nodes: 'nodes',
  width: 'width',
  degree: 'degree',
  gate: 'gate',
  threads: 'threads',
  batch: 'batch',
  window: 'window',
  readout: 'readout',
} as const satisfies Record<string, keyof LaraParams>;

const LARA_BOOLEAN_KEYS = { resting: 'restingPhase', stay: 'threadStays' } as const satisfies Record<string, keyof LaraParams>;

/** Loopy network: hash key -> parameter. */
const LOOPY_KEYS = {
  graph: 'generator',
  rule: 'rule',
  pacing: 'pacing',
  nodes: 'hidden',
  density: 'degree',
  radius: 'spectralRadius',
  lr: 'learningRate',
  think: 'thinkTicks',
  width: 'width',
  noise: 'noise',
  batch: 'batch',
  window: 'window',
  rewire: 'rewire',
} as const satisfies Record<string, keyof LoopyParams>;

/** DNA cells: hash key -> parameter. */
const DNA_KEYS = {
  w0: 'initialWeight',
  extinction: 'extinction',
  split: 'splitPercent',
  delete: 'deletePercent',
  patience: 'patience',
  warmup: 'warmupEpochs',
  lr: 'learningRate',
  batch: 'batch',
  noise: 'noise',
} as const satisfies Record<string, keyof DnaParams>;

/** Routing modules: hash key -> parameter. */
const ROUTING_KEYS = {
  layers: 'layers',
  width: 'width',
  act: 'activation',
  routing: 'routing',
  sparsity: 'lambdaS',
  l1: 'lambda1',
  lr: 'learningRate',
  batch: 'batch',
  noise: 'noise',
} as const satisfies Record<string, keyof RoutingParams>;

export interface UrlState {
  readonly experiment: Experiment;
  readonly backend: BackendChoice;
  /** One line per ignored value. */
  readonly problems: readonly string[];
}

function coerce(value: string): string | number | boolean {
  if (value === 'true' || value === '1') return value === 'true' ? true : 1;
  if (value === 'false' || value === '0') return value === 'false' ? false : 0;
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) ? n : value;
}

function fieldOf<T extends Record<string, string>>(keys: T, key: string): T[keyof T] | undefined {
  return Object.hasOwn(keys, key) ? keys[key as keyof T] : undefined;
}

/** The experiment with hash `key` set to `value`, or null when `key` is not a parameter of its model. Not yet validated. */
function withParam(e: Experiment, key: string, value: string): Experiment | null {
  if (e.model !== 'lara') {
    const keys: Record<string, string> = e.model === 'loopy' ? LOOPY_KEYS : e.model === 'dna' ? DNA_KEYS : ROUTING_KEYS;
    const field = fieldOf(keys, key);
    const v = key === 'routing' ? value === '1' || value === 'true' : coerce(value);
    return field === undefined ? null : ({ ...e, params: { ...e.params, [field]: v } } as Experiment);
  }
  const on = value === '1' || value === 'true';
  const field = fieldOf(LARA_KEYS, key);
  if (field !== undefined) return { ...e, params: { ...e.params, [field]: coerce(value) } } as LaraExperiment;
  const flag = fieldOf(LARA_BOOLEAN_KEYS, key);
  if (flag !== undefined) return { ...e, params: { ...e.params, [flag]: on } };
  if (key === 'growth') return { ...e, params: { ...e.params, growth: { ...e.params.growth, enabled: on } } };
  return null;
}

export function parseHash(hash: string, base: Experiment = DEFAULT_EXPERIMENT): UrlState {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const problems: string[] = [];
  const modelRaw = params.get('model');
  const model = z.enum(MODEL_KINDS).safeParse(modelRaw ?? 'lara');
  if (!model.success) problems.push(`model=${modelRaw ?? ''} ignored: expected one of ${MODEL_KINDS.join(', ')}`);
  let experiment = experimentFor(model.success ? model.data : 'lara', base);
  const tryApply = (key: string, next: Experiment): void => {
    const r = experimentSchema.safeParse(next);
    if (r.success) experiment = r.data;
    else problems.push(`${key}=${params.get(key) ?? ''} ignored: ${r.error.issues[0]?.message ?? 'invalid'}`);
  };
  for (const [key, value] of params) {
    if (key === 'model' || key === 'backend') continue;
    if (key === 'task') tryApply(key, { ...experiment, task: value } as Experiment);
    else if (key === 'seed') tryApply(key, { ...experiment, seed: Number(value) });
    else {
      const next = withParam(experiment, key, value);
      if (next) tryApply(key, next);
      else problems.push(`${key} is not a known parameter (model=${experiment.model})`);
    }
  }
  const backendRaw = params.get('backend');
  const backend = z.enum(BACKEND_CHOICES).safeParse(backendRaw ?? 'auto');
  if (!backend.success) problems.push(`backend=${backendRaw ?? ''} ignored: expected one of ${BACKEND_CHOICES.join(', ')}`);
  return { experiment, backend: backend.success ? backend.data : 'auto', problems };
}

/** Writes `key=value` for every field of `keys` where `p` differs from `d`. */
function setChanged<P>(out: URLSearchParams, keys: Record<string, keyof P>, p: P, d: P, format: (v: P[keyof P]) => string = String): void {
  for (const [key, field] of Object.entries(keys)) {
    if (p[field] !== d[field]) out.set(key, format(p[field]));
  }
}

/** The hash for an experiment: the model (when not lara), task and seed, and only values that differ from that model's defaults. */
export function formatHash(experiment: Experiment, backend: BackendChoice): string {
  const out = new URLSearchParams();
  if (experiment.model !== 'lara') out.set('model', experiment.model);
  out.set('task', experiment.task);
  out.set('seed', String(experiment.seed));
  if (experiment.model === 'loopy') {
    setChanged<LoopyParams>(out, LOOPY_KEYS, experiment.params, DEFAULT_LOOPY_EXPERIMENT.params);
  } else if (experiment.model === 'dna') {
    setChanged<DnaParams>(out, DNA_KEYS, experiment.params, DEFAULT_DNA_EXPERIMENT.params);
  } else if (experiment.model === 'routing') {
    setChanged<RoutingParams>(out, ROUTING_KEYS, experiment.params, DEFAULT_ROUTING_EXPERIMENT.params, (v) => (typeof v === 'boolean' ? (v ? '1' : '0') : String(v)));
  } else {
    const d = (DEFAULT_EXPERIMENT as LaraExperiment).params;
    const p = experiment.params;
    setChanged<LaraParams>(out, LARA_KEYS, p, d);
    setChanged<LaraParams>(out, LARA_BOOLEAN_KEYS, p, d, (v) => (v ? '1' : '0'));
    if (p.growth.enabled !== d.growth.enabled) out.set('growth', p.growth.enabled ? '1' : '0');
  }
  if (backend !== 'auto') out.set('backend', backend);
  return `#${out.toString()}`;
}
