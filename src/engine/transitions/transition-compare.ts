/**
 * Transition-representation training against BPTT on the same cell, task,
 * seed and training set (docs/ARCHITECTURE.md): steps and wall-clock to a target
 * roll-out loss, and the final roll-out accuracy.
 *
 * The two runs alternate step by step in one process, so load on the
 * machine hits both alike. The target is judged on the honest held-out
 * roll-out, every `evalEvery` steps (so steps-to-target is a multiple of it,
 * or the last step); roll-outs are not counted in the wall-clock.
 */
import { TRANSITION_MODES, TransitionRun, type TransitionMode, type TransitionRunInput } from './transition-training';

/** One run of a comparison: its options and a label (the study's variant names). */
export interface LabelledRun {
  readonly label: string;
  readonly options: TransitionRunInput;
}

export interface CompareSettings {
  /** Train steps of each mode. */
  readonly steps: number;
  /** Held-out roll-out loss (nats) that counts as reached. */
  readonly targetLoss: number;
  /** Steps between roll-outs (default 10). */
  readonly evalEvery?: number;
}

export interface ModeCurve {
  readonly mode: TransitionMode;
  /** Sequential cell steps per train step (transition-depth.ts). */
  readonly sequentialDepth: number;
  /** Training loss per step (transitions: from the embeddings). */
  readonly loss: number[];
  /** Cumulative training wall-clock (ms) after each step. */
  readonly cumulativeMs: number[];
  /** Steps after which the frozen target was refreshed. */
  readonly refreshSteps: number[];
  /** Held-out roll-outs: step, loss, accuracy. */
  readonly rollouts: { step: number; loss: number; accuracy: number }[];
  /** First roll-out step with loss <= targetLoss; null if never. */
  readonly stepsToTarget: number | null;
  /** Training wall-clock (ms) up to that step; null if never. */
  readonly msToTarget: number | null;
  readonly finalRolloutLoss: number;
  readonly finalRolloutAccuracy: number;
}

export interface CompareResult {
  readonly transitions: ModeCurve;
  readonly bptt: ModeCurve;
}

interface Tracker {
  readonly run: TransitionRun;
  readonly curve: { -readonly [K in keyof ModeCurve]: ModeCurve[K] };
  elapsed: number;
}

/** Runs both modes from `opts` (its `mode` is ignored) for `settings.steps` steps each. */
export async function compareModes(opts: TransitionRunInput, settings: CompareSettings): Promise<CompareResult> {
  const curves = await compareRuns(
    TRANSITION_MODES.map((mode) => ({ label: mode, options: { ...opts, mode } })),
    settings,
  );
  const [transitions, bptt] = curves as [ModeCurve, ModeCurve];
  return { transitions, bptt };
}

/** Any runs on the same footing, alternating step by step; one curve per run, in order. */
export async function compareRuns(runs: readonly LabelledRun[], settings: CompareSettings): Promise<ModeCurve[]> {
  const evalEvery = Math.max(1, settings.evalEvery ?? 10);
  const trackers: Tracker[] = [];
  try {
    for (const { options } of runs) {
      const run = new TransitionRun(options);
      trackers.push({
        run,
        curve: { mode: run.options.mode, sequentialDepth: run.sequentialDepth, loss: [], cumulativeMs: [], refreshSteps: [], rollouts: [], stepsToTarget: null, msToTarget: null, finalRolloutLoss: NaN, finalRolloutAccuracy: NaN },
        elapsed: 0,
      });
    }
    for (let step = 1; step <= settings.steps; step++) {
      for (const t of trackers) {
        const r = await t.run.trainStep();
        t.elapsed += r.ms;
        t.curve.loss.push(r.loss);
        t.curve.cumulativeMs.push(t.elapsed);
        if (r.refreshed) t.curve.refreshSteps.push(r.step);
        if (step % evalEvery !== 0 && step !== settings.steps) continue;
        const ro = await t.run.rollout();
        t.curve.rollouts.push({ step, ...ro });
        if (t.curve.stepsToTarget === null && ro.loss <= settings.targetLoss) {
          t.curve.stepsToTarget = step;
          t.curve.msToTarget = t.elapsed;
        }
        t.curve.finalRolloutLoss = ro.loss;
        t.curve.finalRolloutAccuracy = ro.accuracy;
      }
    }
  } finally {
    for (const t of trackers) t.run.dispose();
  }
  return trackers.map((t) => t.curve);
}
