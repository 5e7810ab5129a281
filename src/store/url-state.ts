/**
 * Experiment parameters and seed in the URL hash, so a link reproduces an
 * experiment. Parsing validates every value; a bad one is dropped with a
 * message naming it, the rest still apply.
 */
import { z } from 'zod';
import {
  BACKEND_CHOICES,
  DEFAULT_EXPERIMENT,
  experimentSchema,
  type BackendChoice,
  type Experiment,
  type LaraParams,
} from '../protocol/experiment';

/** Hash key -> where it lives. Growth settings other than on/off keep their defaults. */
const PARAM_KEYS = {
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

const BOOLEAN_KEYS = { resting: 'restingPhase', stay: 'threadStays' } as const satisfies Record<string, keyof LaraParams>;

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

export function parseHash(hash: string, base: Experiment = DEFAULT_EXPERIMENT): UrlState {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const problems: string[] = [];
  let experiment = base;
  const tryApply = (key: string, next: Experiment): void => {
    const r = experimentSchema.safeParse(next);
    if (r.success) experiment = r.data;
    else problems.push(`${key}=${params.get(key) ?? ''} ignored: ${r.error.issues[0]?.message ?? 'invalid'}`);
  };
  for (const [key, value] of params) {
    if (key === 'task') tryApply(key, { ...experiment, task: value as Experiment['task'] });
    else if (key === 'seed') tryApply(key, { ...experiment, seed: Number(value) });
    else if (key in PARAM_KEYS) {
      const field = PARAM_KEYS[key as keyof typeof PARAM_KEYS];
      tryApply(key, { ...experiment, params: { ...experiment.params, [field]: coerce(value) } });
    } else if (key in BOOLEAN_KEYS) {
      const field = BOOLEAN_KEYS[key as keyof typeof BOOLEAN_KEYS];
      tryApply(key, { ...experiment, params: { ...experiment.params, [field]: value === '1' || value === 'true' } });
    } else if (key === 'growth') {
      const on = value === '1' || value === 'true';
      tryApply(key, { ...experiment, params: { ...experiment.params, growth: { ...experiment.params.growth, enabled: on } } });
    } else if (key !== 'backend') problems.push(`${key} is not a known parameter`);
  }
  const backendRaw = params.get('backend');
  const backend = z.enum(BACKEND_CHOICES).safeParse(backendRaw ?? 'auto');
  if (!backend.success) problems.push(`backend=${backendRaw ?? ''} ignored: expected one of ${BACKEND_CHOICES.join(', ')}`);
  return { experiment, backend: backend.success ? backend.data : 'auto', problems };
}

/** The hash for an experiment: only values that differ from the defaults, plus task and seed. */
export function formatHash(experiment: Experiment, backend: BackendChoice): string {
  const out = new URLSearchParams();
  out.set('task', experiment.task);
  out.set('seed', String(experiment.seed));
  const d = DEFAULT_EXPERIMENT.params;
  const p = experiment.params;
  for (const [key, field] of Object.entries(PARAM_KEYS)) {
    if (p[field] !== d[field]) out.set(key, String(p[field]));
  }
  for (const [key, field] of Object.entries(BOOLEAN_KEYS)) {
    if (p[field] !== d[field]) out.set(key, p[field] ? '1' : '0');
  }
  if (p.growth.enabled !== d.growth.enabled) out.set('growth', p.growth.enabled ? '1' : '0');
  if (backend !== 'auto') out.set('backend', backend);
  return `#${out.toString()}`;
}
