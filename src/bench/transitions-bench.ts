/**
 * Transition-representation training against BPTT (docs/ARCHITECTURE.md): same cell,
 * task, seed and training set, the two runs alternating step by step in one
 * process. Per cell, one row per mode: steps and training wall-clock until
 * the held-out roll-out loss first reaches the target, the final roll-out
 * accuracy, and the transitions / BPTT ratio of wall-clock to target.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { compareModes, type ModeCurve } from '../engine/transitions/transition-compare';
import type { TransitionRunInput } from '../engine/transitions/transition-training';

export interface TransitionsBenchOptions {
  readonly backend?: 'cpu' | 'wasm';
  /** Train steps of each mode (default 150). */
  readonly steps?: number;
  /** Held-out roll-out loss that counts as learnt (nats; chance on recall is ln 4 = 1.39). */
  readonly targetLoss?: number;
  /** Also the loopy cell (slower per step). */
  readonly loopy?: boolean;
}

/** The cells compared, on recall with one seed; GRU and loopy at a size each trains in seconds. */
const CELLS: readonly TransitionRunInput[] = [
  { cell: 'gru', task: 'recall', seed: 1, hidden: 16, sequences: 32, length: 16, learningRate: 0.03 },
  { cell: 'loopy', task: 'recall', seed: 1, hidden: 24, thinkTicks: 3, sequences: 16, length: 12, learningRate: 0.03 },
];

const round = (x: number | null, digits: number): number | null => (x === null || !Number.isFinite(x) ? null : Number(x.toFixed(digits)));

function row(opts: TransitionRunInput, curve: ModeCurve, backend: string, targetLoss: number, steps: number, ratio: number | null): Record<string, number | string | null> {
  const ms = curve.cumulativeMs[curve.cumulativeMs.length - 1] ?? NaN;
  return {
    bench: 'transitions-vs-bptt',
    backend,
    cell: opts.cell ?? 'gru',
    task: opts.task ?? 'recall',
    mode: curve.mode,
    targetLoss,
    stepsToTarget: curve.stepsToTarget,
    msToTarget: round(curve.msToTarget, 0),
    finalRolloutLoss: round(curve.finalRolloutLoss, 3),
    finalRolloutAccuracy: round(curve.finalRolloutAccuracy, 3),
    bestRolloutLoss: round(Math.min(...curve.rollouts.map((r) => r.loss)), 3),
    msPerStep: round(ms / steps, 1),
    // transitions / BPTT wall-clock to target; null unless both reach it.
    ratioMsToTarget: round(ratio, 2),
    config: `hidden=${opts.hidden} N=${opts.sequences} T=${opts.length} steps=${steps}`,
  };
}

export async function benchTransitions(options: TransitionsBenchOptions = {}): Promise<Record<string, number | string | null>[]> {
  const backend = options.backend ?? 'wasm';
  const steps = options.steps ?? 150;
  const targetLoss = options.targetLoss ?? 1.2;
  tf.env().set('PROD', true);
  await tf.setBackend(backend);
  await tf.ready();
  const rows: Record<string, number | string | null>[] = [];
  for (const opts of CELLS) {
    if (opts.cell === 'loopy' && options.loopy === false) continue;
    const r = await compareModes(opts, { steps, targetLoss, evalEvery: 5 });
    const ratio = r.transitions.msToTarget !== null && r.bptt.msToTarget !== null && r.bptt.msToTarget > 0 ? r.transitions.msToTarget / r.bptt.msToTarget : null;
    rows.push(row(opts, r.transitions, backend, targetLoss, steps, ratio), row(opts, r.bptt, backend, targetLoss, steps, ratio));
  }
  return rows;
}
