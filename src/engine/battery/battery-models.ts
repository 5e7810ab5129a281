/** The models the battery can score by name: their page info (battery-model-info.ts) and how to build each from a parameter object. */
import { createLaraSequenceModel } from '../lara/lara-sequence-model';
import type { ModelSpec, SequenceModel } from '../sequence-model';
import { createEsnModel } from '../baselines/esn';
import { createGruModel } from '../baselines/gru';
import { createLstmModel } from '../baselines/lstm';
import { createLoopySequenceModel } from '../loopy/loopy-model';
import { BATTERY_MODEL_INFO, type BatteryModelInfo, type BatteryModelName } from './battery-model-info';
import { createMemoryless, createOracle, createRandomPredictor, createUnigram } from './calibration-models';

export { BATTERY_MODEL_NAMES, type BatteryModelName } from './battery-model-info';

/** A battery model: its page info and how to build it. */
export interface BatteryModelEntry extends BatteryModelInfo {
  create(spec: ModelSpec, params: Readonly<Record<string, unknown>>): SequenceModel;
}

/** Every battery model by name. */
export const BATTERY_MODELS: { readonly [K in BatteryModelName]: BatteryModelEntry } = {
  lara: { ...BATTERY_MODEL_INFO.lara, create: (spec, params) => createLaraSequenceModel(spec, params) },
  lstm: { ...BATTERY_MODEL_INFO.lstm, create: (spec, params) => createLstmModel(spec, params) },
  gru: { ...BATTERY_MODEL_INFO.gru, create: (spec, params) => createGruModel(spec, params) },
  esn: { ...BATTERY_MODEL_INFO.esn, create: (spec, params) => createEsnModel(spec, params) },
  loopy: { ...BATTERY_MODEL_INFO.loopy, create: (spec, params) => createLoopySequenceModel(spec, params) },
  oracle: { ...BATTERY_MODEL_INFO.oracle, create: (spec) => createOracle(spec) },
  random: { ...BATTERY_MODEL_INFO.random, create: (spec) => createRandomPredictor(spec) },
  memoryless: { ...BATTERY_MODEL_INFO.memoryless, create: (spec) => createMemoryless(spec) },
  unigram: { ...BATTERY_MODEL_INFO.unigram, create: (spec) => createUnigram(spec) },
};
