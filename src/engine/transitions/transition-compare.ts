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
  const evalEvery = Math.max(1, settings.evalEvery ?? 10);
  const trackers: Tracker[] = TRANSITION_MODES.map((mode) => ({
    run: new TransitionRun({ ...opts, mode }),
    curve: { mode, loss: [], cumulativeMs: [], refreshSteps: [], rollouts: [], stepsToTarget: null, msToTarget: null, finalRolloutLoss: NaN, finalRolloutAccuracy: NaN },
    elapsed: 0,
  }));
  try {
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
  const [transitions, bptt] = trackers.map((t) => t.curve) as [ModeCurve, ModeCurve];
  return { transitions, bptt };
}
