/** The battery as a job: every job (model column) on every test, a result per test as it lands. */
import { DEFAULT_BATTERY_CONFIG, languageModelBudget, runBattery } from '../engine/battery/battery';
import { BATTERY_MODELS, type BatteryModelEntry } from '../engine/battery/battery-models';
import type { SequenceModel } from '../engine/sequence-model';
import { BATTERY_JOB, type BatteryJobTypes, type BatteryModelName } from '../protocol/battery-messages';
import type { JobDefinition } from './job-worker';

/**
 * The model with a yield before every batch it trains or evaluates. The
 * battery's loops only await resolved promises (microtasks), so without this
 * a cancel would wait for the whole battery.
 */
function yieldingModel(model: SequenceModel, between: () => Promise<void>): SequenceModel {
  return {
    kind: model.kind,
    lanes: model.lanes,
    train: async (batch) => {
      await between();
      return model.train(batch);
    },
    evaluate: async (batch) => {
      await between();
      return model.evaluate(batch);
    },
    resetState: () => model.resetState(),
    checkpoint: () => model.checkpoint(),
    perturbWeights: (sigma, seed) => model.perturbWeights(sigma, seed),
    removeConnections: (fraction, seed) => model.removeConnections(fraction, seed),
    dispose: () => model.dispose(),
  };
}

/** The battery job over a model registry (tests pass their own). */
export function createBatteryJob(models: { readonly [K in BatteryModelName]: BatteryModelEntry } = BATTERY_MODELS): JobDefinition<BatteryJobTypes> {
  return {
    kind: BATTERY_JOB,
    async run(request, ctx) {
      const config = { ...DEFAULT_BATTERY_CONFIG, trainSteps: request.trainSteps, lanes: request.lanes, seed: request.seed, languageModel: languageModelBudget(request.trainSteps) };
      for (const [job, spec] of request.jobs.entries()) {
        const entry = models[spec.model];
        const problem = entry.validate(spec.params);
        if (problem) throw new Error(`${spec.label}: ${problem}`);
        await runBattery((s) => yieldingModel(entry.create(s, spec.params), () => ctx.yield()), spec.label, request.tests, { ...config, seed: spec.seed ?? request.seed }, {
          signal: ctx.signal,
          progress: (test, fraction, overall) => ctx.progress({ job, test, fraction, overall: (job + overall) / request.jobs.length }),
          result: (result) => ctx.result({ ...result, job }),
        });
      }
    },
  };
}
