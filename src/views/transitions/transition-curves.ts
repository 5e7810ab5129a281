/** Chart series from a transitions study's points: loss per step and per second for each mode, refresh markers on the transitions curve. */
import type { TransitionMode, TransitionPoint } from '../../protocol/study-messages';

export interface ModeSummary {
  readonly mode: TransitionMode;
  readonly steps: number;
  /** Refreshes of the frozen target so far (transitions mode). */
  readonly refreshes: number;
  /** First roll-out step whose loss is at or below the target; null if none yet. */
  readonly stepsToTarget: number | null;
  readonly secondsToTarget: number | null;
  readonly lastRollout: { readonly step: number; readonly loss: number; readonly accuracy: number } | null;
}

export interface CurveData {
  /** x = step: [steps, transitions loss, bptt loss, refresh markers]. */
  readonly bySteps: [number[], (number | null)[], (number | null)[], (number | null)[]];
  /** x = seconds of training, both modes' points merged in time order: [seconds, transitions loss, bptt loss]. */
  readonly bySeconds: [number[], (number | null)[], (number | null)[]];
  readonly summaries: readonly ModeSummary[];
}

interface Summary {
  steps: number;
  refreshes: number;
  stepsToTarget: number | null;
  secondsToTarget: number | null;
  lastRollout: ModeSummary['lastRollout'];
}

export function transitionCurves(points: readonly TransitionPoint[], targetLoss: number): CurveData {
  const steps = new Map<number, { t: number | null; b: number | null; refresh: number | null }>();
  const timed: { s: number; t: number | null; b: number | null }[] = [];
  const summaries = new Map<TransitionMode, Summary>();
  for (const p of points) {
    const row = steps.get(p.step) ?? { t: null, b: null, refresh: null };
    if (p.mode === 'transitions') {
      row.t = p.loss;
      if (p.refreshed) row.refresh = p.loss;
    } else row.b = p.loss;
    steps.set(p.step, row);
    timed.push({ s: p.ms / 1000, t: p.mode === 'transitions' ? p.loss : null, b: p.mode === 'bptt' ? p.loss : null });
    const sum = summaries.get(p.mode) ?? { steps: 0, refreshes: 0, stepsToTarget: null, secondsToTarget: null, lastRollout: null };
    sum.steps = p.step;
    if (p.refreshed) sum.refreshes += 1;
    if (p.rollout) {
      sum.lastRollout = { step: p.step, ...p.rollout };
      if (sum.stepsToTarget === null && p.rollout.loss <= targetLoss) {
        sum.stepsToTarget = p.step;
        sum.secondsToTarget = p.ms / 1000;
      }
    }
    summaries.set(p.mode, sum);
  }
  const xs = [...steps.keys()].sort((a, b) => a - b);
  timed.sort((a, b) => a.s - b.s);
  return {
    bySteps: [xs, xs.map((x) => steps.get(x)?.t ?? null), xs.map((x) => steps.get(x)?.b ?? null), xs.map((x) => steps.get(x)?.refresh ?? null)],
    bySeconds: [timed.map((r) => r.s), timed.map((r) => r.t), timed.map((r) => r.b)],
    summaries: [...summaries.entries()].map(([mode, s]) => ({ mode, ...s })),
  };
}
