/** The models the battery can score by name, with how to build each from a parameter object. */
import { createLaraSequenceModel } from '../lara/lara-sequence-model';
import { DEFAULT_LARA_PARAMS, laraParamsObject, laraParamsSchema, type LaraParams } from '../lara/lara-params';
import type { ModelSpec, SequenceModel } from '../sequence-model';
import { describeIssues, esnParamsSchema, gatedRnnParamsSchema, type EsnParamsInput, type GatedRnnParamsInput } from '../baselines/baseline-params';
import { createEsnModel } from '../baselines/esn';
import { createGruModel } from '../baselines/gru';
import { createLstmModel } from '../baselines/lstm';
import { createLoopySequenceModel } from '../loopy/loopy-model';
import { loopyParamsSchema, type LoopyParamsInput } from '../loopy/loopy-params';
import type { z } from 'zod';
import { createMemoryless, createOracle, createRandomPredictor } from './calibration-models';

export interface BatteryModelEntry {
  readonly description: string;
  /** Checks a (partial) parameter object; returns the problem or null. */
  validate(params: Readonly<Record<string, unknown>>): string | null;
  create(spec: ModelSpec, params: Readonly<Record<string, unknown>>): SequenceModel;
}

const noParams = (name: string) => (params: Readonly<Record<string, unknown>>) =>
  Object.keys(params).length === 0 ? null : `${name} takes no parameters`;

/** A baseline's schema fills defaults and refuses unknown keys and out-of-range values. */
const validateWith = (schema: z.ZodType) => (params: Readonly<Record<string, unknown>>) => {
  const r = schema.safeParse(params);
  return r.success ? null : describeIssues(r.error);
};

export const BATTERY_MODELS = {
  lara: {
    description: 'LARA: learned activity routing (the lab model)',
    validate: (params) => {
      const unknown = Object.keys(params).filter((k) => !(k in laraParamsObject.shape));
      if (unknown.length > 0) return `unknown parameter(s) ${unknown.join(', ')}`;
      const r = laraParamsSchema.safeParse({ ...DEFAULT_LARA_PARAMS, ...params });
      return r.success ? null : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    },
    create: (spec, params) => createLaraSequenceModel(spec, params as Partial<LaraParams>),
  },
  lstm: {
    description: 'baseline: one-layer LSTM, truncated BPTT over each batch, Adam',
    validate: validateWith(gatedRnnParamsSchema),
    create: (spec, params) => createLstmModel(spec, params as GatedRnnParamsInput),
  },
  gru: {
    description: 'baseline: one-layer GRU (PyTorch convention), truncated BPTT over each batch, Adam',
    validate: validateWith(gatedRnnParamsSchema),
    create: (spec, params) => createGruModel(spec, params as GatedRnnParamsInput),
  },
  esn: {
    description: 'baseline: echo-state network, fixed sparse reservoir at a set spectral radius, trained linear read-out',
    validate: validateWith(esnParamsSchema),
    create: (spec, params) => createEsnModel(spec, params as EsnParamsInput),
  },
  loopy: {
    description: 'loopy network: a generated graph, all nodes active, no gates, tanh (rules bptt, tbptt, reservoir, hebbian, perturbation)',
    validate: validateWith(loopyParamsSchema),
    create: (spec, params) => createLoopySequenceModel(spec, params as LoopyParamsInput),
  },
  oracle: { description: 'calibration: knows every answer', validate: noParams('oracle'), create: (spec) => createOracle(spec) },
  random: { description: 'calibration: uniformly random guesses', validate: noParams('random'), create: (spec) => createRandomPredictor(spec) },
  memoryless: {
    description: 'calibration: best answer for the current symbol alone (loop-free control)',
    validate: noParams('memoryless'),
    create: (spec) => createMemoryless(spec),
  },
} as const satisfies Record<string, BatteryModelEntry>;

export type BatteryModelName = keyof typeof BATTERY_MODELS;
export const BATTERY_MODEL_NAMES = Object.keys(BATTERY_MODELS) as BatteryModelName[];
