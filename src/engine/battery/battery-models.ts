/** The models the battery can score by name, with how to build each from a parameter object. */
import { createLaraSequenceModel } from '../lara/lara-sequence-model';
import { DEFAULT_LARA_PARAMS, laraParamsObject, laraParamsSchema, type LaraParams } from '../lara/lara-params';
import type { ModelSpec, SequenceModel } from '../sequence-model';
import { createMemoryless, createOracle, createRandomPredictor } from './calibration-models';

export interface BatteryModelEntry {
  readonly description: string;
  /** Checks a (partial) parameter object; returns the problem or null. */
  validate(params: Readonly<Record<string, unknown>>): string | null;
  create(spec: ModelSpec, params: Readonly<Record<string, unknown>>): SequenceModel;
}

const noParams = (name: string) => (params: Readonly<Record<string, unknown>>) =>
  Object.keys(params).length === 0 ? null : `${name} takes no parameters`;


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
