/**
 * The models the battery can score, as the page knows them: name,
 * description and a check of a parameter object. Only zod schemas, no tfjs:
 * battery-models.ts adds how each is built.
 */
import { DEFAULT_LARA_PARAMS, laraParamsObject, laraParamsSchema } from '../lara/lara-params';
import { describeIssues, esnParamsSchema, gatedRnnParamsSchema } from '../baselines/baseline-params';
import { LOOPY_RULES, loopyParamsSchema } from '../loopy/loopy-params';
import type { z } from 'zod';

/** What the page shows of a battery model and how it checks a sweep cell. */
export interface BatteryModelInfo {
  readonly description: string;
  /** Checks a (partial) parameter object; returns the problem or null. */
  validate(params: Readonly<Record<string, unknown>>): string | null;
}

const noParams = (name: string) => (params: Readonly<Record<string, unknown>>) =>
  Object.keys(params).length === 0 ? null : `${name} takes no parameters`;

/** A baseline's schema fills defaults and refuses unknown keys and out-of-range values. */
const validateWith = (schema: z.ZodType) => (params: Readonly<Record<string, unknown>>) => {
  const r = schema.safeParse(params);
  return r.success ? null : describeIssues(r.error);
};

/** Every battery model's page info by name. */
export const BATTERY_MODEL_INFO = {
  lara: {
    description: 'LARA: learned activity routing (the lab model)',
    validate: (params) => {
      const unknown = Object.keys(params).filter((k) => !(k in laraParamsObject.shape));
      if (unknown.length > 0) return `unknown parameter(s) ${unknown.join(', ')}`;
      const r = laraParamsSchema.safeParse({ ...DEFAULT_LARA_PARAMS, ...params });
      return r.success ? null : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    },
  },
  lstm: { description: 'baseline: one-layer LSTM, truncated BPTT over each batch, Adam', validate: validateWith(gatedRnnParamsSchema) },
  gru: { description: 'baseline: one-layer GRU (PyTorch convention), truncated BPTT over each batch, Adam', validate: validateWith(gatedRnnParamsSchema) },
  esn: {
    description: 'baseline: echo-state network, fixed sparse reservoir at a set spectral radius, trained linear read-out',
    validate: validateWith(esnParamsSchema),
  },
  loopy: {
    description: `loopy network: a generated graph, all nodes active, no gates, tanh (rules ${LOOPY_RULES.join(', ')})`,
    validate: validateWith(loopyParamsSchema),
  },
  oracle: { description: 'calibration: knows every answer', validate: noParams('oracle') },
  random: { description: 'calibration: uniformly random guesses', validate: noParams('random') },
  memoryless: { description: 'calibration: best answer for the current symbol alone (loop-free control)', validate: noParams('memoryless') },
  unigram: { description: 'calibration: target frequencies alone, ignoring the input (on text: a unigram model)', validate: noParams('unigram') },
} as const satisfies Record<string, BatteryModelInfo>;

export type BatteryModelName = keyof typeof BATTERY_MODEL_INFO;
/** The battery models' names, in table order. */
export const BATTERY_MODEL_NAMES = Object.keys(BATTERY_MODEL_INFO) as BatteryModelName[];
