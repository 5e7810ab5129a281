/**
 * Experiment parameters and seed in the URL hash, so a link reproduces an
 * experiment. `model` (absent = the registry's first kind) picks the model
 * first; every other key belongs to that model's descriptor (`url`). Parsing
 * validates every value; a bad one is dropped with a message naming it, the
 * rest still apply.
 */
import { z } from 'zod';
import type { ControlDescriptor, UrlField } from '../engine/model-descriptor';
import { SPEEDS, type Speed } from '../protocol/messages';
import { ownDataFor, ownKindOf } from '../protocol/own-data';
import { issueSentence } from '../protocol/schema-sentences';
import { BACKEND_CHOICES, DEFAULT_EXPERIMENT, descriptorOf, experimentFor, experimentSchema, MODEL_KINDS, type BackendChoice, type Experiment } from '../protocol/experiment';

export interface UrlState {
  readonly experiment: Experiment;
  readonly backend: BackendChoice;
  /** How training is paced for the eye (a view setting, not part of the experiment). */
  readonly speed: Speed;
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

/** Longest key and value a link may carry; a longer one is dropped unread (no megabyte keys in messages or parsers). */
export const MAX_KEY_CHARS = 32;
export const MAX_VALUE_CHARS = 64;

/** A value as a message quotes it: at most 24 characters. */
function quote(text: string): string {
  return text.length <= 24 ? text : `${text.slice(0, 24)}…`;
}

/** The slider range a numeric parameter may take from a link (its control's, in value units), if it has a plain slider. */
function sliderRange(model: Experiment['model'], key: string): { lo: number; hi: number } | null {
  for (const c of descriptorOf(model).controls.controls as readonly ControlDescriptor<Params>[]) {
    if (c.type !== 'slider' || c.key !== key || c.get) continue;
    return c.scale === 'log' ? { lo: 10 ** c.min, hi: 10 ** c.max } : { lo: c.min, hi: c.max };
  }
  return null;
}

export function parseHash(hash: string, base: Experiment = DEFAULT_EXPERIMENT): UrlState {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const problems: string[] = [];
  const usable = (key: string, value: string): boolean => {
    if (key.length > MAX_KEY_CHARS) problems.push(`a key of ${key.length} characters (${quote(key)}) ignored: keys are at most ${MAX_KEY_CHARS} characters`);
    else if (value.length > MAX_VALUE_CHARS) problems.push(`${key}= ignored: its value has ${value.length} characters, at most ${MAX_VALUE_CHARS} are read`);
    else if (value.trim() === '') problems.push(`${key}= ignored: it is empty`);
    else return true;
    return false;
  };
  const read = (key: string): string | null => {
    const v = params.get(key);
    return v !== null && usable(key, v) ? v : null;
  };
  const first = MODEL_KINDS[0] as (typeof MODEL_KINDS)[number];
  const modelRaw = read('model');
  const model = z.enum(MODEL_KINDS as [string, ...string[]]).safeParse(modelRaw ?? first);
  if (!model.success) problems.push(`model=${quote(modelRaw ?? '')} ignored: it must be one of ${MODEL_KINDS.join(', ')}`);
  let experiment = experimentFor(model.success ? (model.data as typeof first) : first, base);
  const descriptor = descriptorOf(experiment.model);
  const tryApply = (key: string, value: string, next: unknown): void => {
    const r = experimentSchema.safeParse(next);
    if (r.success) experiment = r.data;
    else problems.push(`${key}=${quote(value)} ignored: ${r.error.issues[0] ? issueSentence(r.error.issues[0], 'it') : 'it is not valid'}`);
  };
  for (const [key, value] of params) {
    if (key === 'model' || key === 'backend' || key === 'speed') continue;
    if (!usable(key, value)) continue;
    // A link cannot carry a data set: an own task opens only where this page already holds the file (back and forward within a visit).
    if (key === 'task' && ownKindOf(value) !== null && !ownDataFor(value)) problems.push(`task=${quote(value)}: this link names your own data set, which a link cannot carry; opened the default task instead`);
    else if (key === 'task') tryApply(key, value, { ...experiment, task: value });
    else if (key === 'seed') tryApply(key, value, { ...experiment, seed: coerce(value, 0) });
    else if (Object.hasOwn(descriptor.url, key)) {
      const spec = descriptor.url[key] as string | UrlField<Params>;
      const field = fieldFor(spec);
      let v = coerce(value, field.get(descriptor.defaults as Params));
      if (v === undefined) {
        problems.push(`${key}=${quote(value)} ignored: it must be 1 or 0`);
        continue;
      }
      // What the schema refuses is ignored; what it takes but the slider cannot show (a size the page cannot hold) is clamped, with a word.
      const range = typeof v === 'number' && typeof spec === 'string' ? sliderRange(experiment.model, spec) : null;
      if (range && typeof v === 'number' && (v < range.lo || v > range.hi) && experimentSchema.safeParse({ ...experiment, params: field.set(experiment.params, v) }).success) {
        const used = Number(Math.min(range.hi, Math.max(range.lo, v)).toPrecision(6));
        problems.push(`${key}=${quote(value)} is ${v > range.hi ? 'more' : 'less'} than the slider allows; used ${used}`);
        v = used;
      }
      tryApply(key, value, { ...experiment, params: field.set(experiment.params, v) });
    } else problems.push(`${quote(key)} is not a known parameter (model=${experiment.model})`);
  }
  const backendRaw = read('backend');
  const backend = z.enum(BACKEND_CHOICES).safeParse(backendRaw ?? 'auto');
  if (!backend.success) problems.push(`backend=${quote(backendRaw ?? '')} ignored: it must be one of ${BACKEND_CHOICES.join(', ')}`);
  const speedRaw = read('speed');
  const speed = z.enum(SPEEDS).safeParse(speedRaw ?? 'normal');
  if (!speed.success) problems.push(`speed=${quote(speedRaw ?? '')} ignored: it must be one of ${SPEEDS.join(', ')}`);
  return { experiment, backend: backend.success ? backend.data : 'auto', speed: speed.success ? speed.data : 'normal', problems };
}

/** The hash for an experiment: the model (when not the first kind), task and seed, only values that differ from that model's defaults, then backend and speed when not the default. */
export function formatHash(experiment: Experiment, backend: BackendChoice, speed: Speed = 'normal'): string {
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
  if (speed !== 'normal') out.set('speed', speed);
  return `#${out.toString()}`;
}

/** The alert for a link whose values were not all used as written. */
export function ignoredLinkMessage(problems: readonly string[]): string {
  return `Some link values were not used as written: ${problems.join('; ')}.`;
}
