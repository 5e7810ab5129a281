/**
 * Experiment parameters and seed in the URL hash, so a link reproduces an
 * experiment. `model` (absent = the registry's first kind) picks the model
 * first; every other key belongs to that model's descriptor (`url`). Parsing
 * validates every value; a bad one is dropped with a message naming it, the
 * rest still apply.
 */
import { z } from 'zod';
import type { UrlField } from '../engine/model-descriptor';
import { issueSentence } from '../protocol/schema-sentences';
import { BACKEND_CHOICES, DEFAULT_EXPERIMENT, descriptorOf, experimentFor, experimentSchema, MODEL_KINDS, type BackendChoice, type Experiment } from '../protocol/experiment';

export interface UrlState {
  readonly experiment: Experiment;
  readonly backend: BackendChoice;
  /** One line per ignored value. */
  readonly problems: readonly string[];
}

type Params = Readonly<Record<string, unknown>>;
type Value = string | number | boolean;

/** A plain parameter key as a field that reads and writes params[key]. */
function fieldFor(spec: string | UrlField<Params>): UrlField<Params> {
  if (typeof spec !== 'string') return spec;
  return { get: (p) => p[spec] as Value, set: (p, v) => ({ ...p, [spec]: v }) };
}

/** The hash text as the type the parameter has (its default's): booleans are 1/0 or true/false; undefined when it cannot be. */
function coerce(value: string, like: Value): Value | undefined {
  if (typeof like === 'boolean') return value === '1' || value === 'true' ? true : value === '0' || value === 'false' ? false : undefined;
  if (typeof like === 'number') {
    const n = Number(value);
    return value.trim() !== '' && Number.isFinite(n) ? n : value;
  }
  return value;
}

function format(v: Value): string {
  return typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
}

export function parseHash(hash: string, base: Experiment = DEFAULT_EXPERIMENT): UrlState {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const problems: string[] = [];
  const first = MODEL_KINDS[0] as (typeof MODEL_KINDS)[number];
  const modelRaw = params.get('model');
  const model = z.enum(MODEL_KINDS as [string, ...string[]]).safeParse(modelRaw ?? first);
  if (!model.success) problems.push(`model=${modelRaw ?? ''} ignored: expected one of ${MODEL_KINDS.join(', ')}`);
  let experiment = experimentFor(model.success ? (model.data as typeof first) : first, base);
  const descriptor = descriptorOf(experiment.model);
  const tryApply = (key: string, next: unknown): void => {
    const r = experimentSchema.safeParse(next);
    if (r.success) experiment = r.data;
    else problems.push(`${key}=${params.get(key) ?? ''} ignored: ${r.error.issues[0] ? issueSentence(r.error.issues[0], 'it') : 'it is not valid'}`);
  };
  for (const [key, value] of params) {
    if (key === 'model' || key === 'backend') continue;
    if (key === 'task') tryApply(key, { ...experiment, task: value });
    else if (key === 'seed') tryApply(key, { ...experiment, seed: Number(value) });
    else if (Object.hasOwn(descriptor.url, key)) {
      const field = fieldFor(descriptor.url[key] as string | UrlField<Params>);
      const v = coerce(value, field.get(descriptor.defaults as Params));
      if (v === undefined) problems.push(`${key}=${value} ignored: expected 1 or 0`);
      else tryApply(key, { ...experiment, params: field.set(experiment.params, v) });
    } else problems.push(`${key} is not a known parameter (model=${experiment.model})`);
  }
  const backendRaw = params.get('backend');
  const backend = z.enum(BACKEND_CHOICES).safeParse(backendRaw ?? 'auto');
  if (!backend.success) problems.push(`backend=${backendRaw ?? ''} ignored: expected one of ${BACKEND_CHOICES.join(', ')}`);
  return { experiment, backend: backend.success ? backend.data : 'auto', problems };
}

/** The hash for an experiment: the model (when not the first kind), task and seed, and only values that differ from that model's defaults. */
export function formatHash(experiment: Experiment, backend: BackendChoice): string {
  const out = new URLSearchParams();
  if (experiment.model !== MODEL_KINDS[0]) out.set('model', experiment.model);
  out.set('task', experiment.task);
  out.set('seed', String(experiment.seed));
  const d = descriptorOf(experiment.model);
  for (const [key, spec] of Object.entries(d.url)) {
    const field = fieldFor(spec as string | UrlField<Params>);
    const v = field.get(experiment.params);
    if (v !== field.get(d.defaults as Params)) out.set(key, format(v));
  }
  if (backend !== 'auto') out.set('backend', backend);
  return `#${out.toString()}`;
}

/** The alert for a link whose values were not all used. */
export function ignoredLinkMessage(problems: readonly string[]): string {
  return `Some link parameters were ignored: ${problems.join('; ')}.`;
}
