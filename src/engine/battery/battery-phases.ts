/**
 * The pieces every battery test and study task is made of: configuration,
 * progress and cancellation, divergence, training phases, accuracy and
 * held-out bits per character. battery.ts and study-tasks.ts compose them.
 */
import { deriveSeed } from '../random';
import type { BatchScore, ModelSpec, SequenceModel } from '../sequence-model';
import { randomCircuit, type Circuit } from '../tasks/circuit-task';
import { MOBY_DICK } from '../tasks/moby-dick-corpus';
import type { TaskStream } from '../tasks/task';
import { TEXT_ALPHABET, createCodeStream } from '../tasks/text-task';
import type { EpisodeSource } from './battery-streams';
import { CIRCUIT, type BatteryTestInfo } from './battery-tests';

export interface BatteryConfig {
  /** Parallel episodes per train step. */
  readonly lanes: number;
  /** Train steps (episodes batches) per training phase. */
  readonly trainSteps: number;
  /** Episode batches per measurement. */
  readonly evalBatches: number;
  readonly seed: number;
  /** The language-model test's own budget: train steps and characters per truncated-BPTT window. */
  readonly languageModel: { readonly steps: number; readonly window: number };
}

export type ModelFactory = (spec: ModelSpec) => SequenceModel;

/** A test's outcome. */
export interface TestOutcome {
  /** The test's one number (NaN where it is not defined for this model). */
  readonly score: number;
  readonly unit: string;
  /** Train steps spent. */
  readonly steps: number;
  /** The measurements behind the score. */
  readonly details: Readonly<Record<string, number>>;
}

/** A test's page info (battery-tests.ts) and how it runs. */
export interface BatteryTest extends BatteryTestInfo {
  run(factory: ModelFactory, config: BatteryConfig, ctx: RunContext): Promise<TestOutcome>;
}

/** Progress (0..1 within the test) and cancellation. */
export interface RunContext {
  readonly signal?: AbortSignal | undefined;
  progress(fraction: number): void;
}

export class BatteryCancelled extends Error {
  constructor() {
    super('battery cancelled');
  }
}

/** Where a test's model diverged: the phase (the model's label in the test) and the train step (1-based) whose loss was not finite. */
export interface DivergedAt {
  readonly phase: string;
  readonly step: number;
  /** The loss it reported (NaN, Infinity or -Infinity). */
  readonly loss: number;
}

/** Thrown inside a test when its model's loss is not finite; runBattery turns it into a diverged result. */
export class BatteryDiverged extends Error {
  constructor(readonly at: DivergedAt) {
    super(`diverged in ${at.phase} at train step ${at.step} (loss ${at.loss})`);
  }
}

/** A non-finite loss on scored symbols means the model's weights have diverged (a loss over nothing scored is NaN by definition). */
export function checkFinite(score: BatchScore, phase: string, step: number): void {
  if (score.scored > 0 && !Number.isFinite(score.loss)) throw new BatteryDiverged({ phase, step, loss: score.loss });
}

export function checkCancelled(ctx: RunContext): void {
  if (ctx.signal?.aborted) throw new BatteryCancelled();
}

export function spec(source: EpisodeSource, config: BatteryConfig, label: string): ModelSpec {
  return { inputSize: source.inputSize, outputSize: source.outputSize, lanes: config.lanes, seed: deriveSeed(config.seed, label) };
}

/** Trains `steps` episodes; a non-finite loss stops the test as diverged in `phase`. */
export async function train(model: SequenceModel, source: EpisodeSource, steps: number, ctx: RunContext, phase: string, done = 0, total = steps): Promise<void> {
  for (let i = 0; i < steps; i++) {
    checkCancelled(ctx);
    model.resetState();
    checkFinite(await model.train(source.next(model.lanes)), phase, done + i + 1);
    ctx.progress((done + i + 1) / total);
  }
}

/**
 * Accuracy over `batches` fresh episodes. With `phase`, a non-finite loss
 * there means the trained weights are not finite (the last update diverged),
 * and the test stops as diverged; damage measurements pass none.
 */
export async function accuracy(model: SequenceModel, source: EpisodeSource, batches: number, phase?: string): Promise<number> {
  let right = 0;
  let scored = 0;
  for (let i = 0; i < batches; i++) {
    model.resetState();
    const e = await model.evaluate(source.next(model.lanes));
    if (phase !== undefined) checkFinite(e, `${phase} (evaluation)`, 0);
    right += e.accuracy * e.scored;
    scored += e.scored;
  }
  return scored > 0 ? right / scored : 0;
}

/** Train steps between the points of a learning curve: a tenth of the phase. */
export function curveEvery(trainSteps: number): number {
  return Math.max(1, Math.floor(trainSteps / 10));
}

/** Accuracy measured before training and after every curveEvery steps. */
export async function learningCurve(model: SequenceModel, source: EpisodeSource, config: BatteryConfig, ctx: RunContext, phase: string): Promise<number[]> {
  const every = curveEvery(config.trainSteps);
  const curve = [await accuracy(model, source, config.evalBatches, phase)];
  for (let done = 0; done < config.trainSteps; done += every) {
    await train(model, source, Math.min(every, config.trainSteps - done), ctx, phase, done, config.trainSteps);
    curve.push(await accuracy(model, source, config.evalBatches, phase));
  }
  return curve;
}

/**
 * Bits per character of `model` reading `text` (symbol codes) once, cut into
 * one contiguous piece per lane, from a fresh state, `window` characters per
 * evaluate call (state carries on); at most `limit` characters per lane.
 */
export async function heldOutBits(model: SequenceModel, text: Int32Array, window: number, phase: string, limit = Infinity): Promise<{ bits: number; scored: number }> {
  const lanes = model.lanes;
  const per = Math.min(limit, Math.floor((text.length - 1) / lanes));
  const stride = Math.floor((text.length - 1) / lanes);
  model.resetState();
  let nats = 0;
  let scored = 0;
  for (let start = 0; start < per; start += window) {
    const length = Math.min(window, per - start);
    const inputs = new Int32Array(length * lanes);
    const targets = new Int32Array(length * lanes);
    for (let t = 0; t < length; t++) {
      for (let b = 0; b < lanes; b++) {
        const at = b * stride + start + t;
        inputs[t * lanes + b] = text[at] as number;
        targets[t * lanes + b] = text[at + 1] as number;
      }
    }
    const e = await model.evaluate({ lanes, length, inputs, targets });
    checkFinite(e, `${phase} (evaluation)`, 0);
    nats += e.loss * e.scored;
    scored += e.scored;
  }
  return { bits: nats / scored / Math.LN2, scored };
}

/** The seeded hidden circuit a test or task calls `label`. */
export function circuit(config: BatteryConfig, label: string): Circuit {
  return randomCircuit(deriveSeed(config.seed, label), CIRCUIT);
}

/** A next-character model's sizes, lanes and seed. */
export function textSpec(config: BatteryConfig, label: string): ModelSpec {
  const size = TEXT_ALPHABET.length;
  return { inputSize: size, outputSize: size, lanes: config.lanes, seed: deriveSeed(config.seed, label) };
}

/** The training chapters, each lane reading on from its own seeded offset. */
export function textTrainStream(config: BatteryConfig, label: string): TaskStream {
  return createCodeStream(config.lanes, deriveSeed(config.seed, label), MOBY_DICK.train);
}

/** `steps` windows of `window` characters; the state carries from window to window (truncated BPTT). */
export async function trainOnText(
  model: SequenceModel,
  stream: TaskStream,
  steps: number,
  window: number,
  ctx: RunContext,
  phase: string,
  done = 0,
  total = steps,
): Promise<void> {
  if (done === 0) model.resetState();
  for (let i = 0; i < steps; i++) {
    checkCancelled(ctx);
    checkFinite(await model.train(stream.next(window)), phase, done + i + 1);
    ctx.progress((done + i + 1) / total);
  }
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
