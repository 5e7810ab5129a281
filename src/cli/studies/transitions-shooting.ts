/**
 * npm run study -- transitions-shooting [--seeds 3] [--steps N] [--tasks recall,circuit] [--length 64] [--segments 1,4,16]
 *   [--reanchor off,states] [--cells gru] [--target 0.2] [--refresh 5] [--write]
 * Transition representations with multiple shooting (segment length S) and
 * re-anchoring against BPTT on the same cell, task, seed and sequences, the
 * runs alternating step by step in one process (transition-compare.ts).
 * Prints one JSON line per run, then one per task, cell and variant (mean ±
 * sd over seeds of the final held-out roll-out accuracy, steps and seconds
 * to the target roll-out loss, sequential depth per step); --write puts the
 * table into docs/RESULTS.md.
 */
import * as tf from '@tensorflow/tfjs';
import { installFastKernels } from '../../engine/kernels/fast-kernels';
import '@tensorflow/tfjs-backend-wasm';
import { fmt, summarise, type Summary } from '../../engine/battery/lara-ablations';
import { TRANSITION_CELL_KINDS, type TransitionCellKind } from '../../engine/transitions/transition-cell-kinds';
import { compareRuns, type LabelledRun, type ModeCurve } from '../../engine/transitions/transition-compare';
import { REANCHOR_MODES, type ReanchorMode, type TransitionRunInput } from '../../engine/transitions/transition-training';
import { machineLine } from '../results-plan';
import { writeStudySection } from '../results-sections';
import type { StudyCommand } from './study-command';

const TASKS = ['recall', 'circuit'] as const;
type Task = (typeof TASKS)[number];

/** Per cell: a size that trains in seconds per step at T = 64 on one CPU core. */
const CELL_SIZES: Record<TransitionCellKind, Partial<TransitionRunInput>> = {
  gru: { hidden: 32 },
  loopy: { hidden: 24, thinkTicks: 2 },
  lara: { hidden: 16, width: 2 },
};

interface Variant {
  readonly label: string;
  /** null: BPTT */
  readonly segmentLength: number | null;
  readonly reanchor: ReanchorMode;
  /** K */
  readonly refreshEvery: number;
}

interface RunRow {
  readonly task: Task;
  readonly cell: TransitionCellKind;
  readonly variant: string;
  readonly seed: number;
  readonly curve: ModeCurve;
}

/** The first K serves every variant; each further K adds the re-anchored ones again (K sets their extra depth T/K). */
function variants(segments: readonly number[], reanchors: readonly ReanchorMode[], refreshes: readonly number[]): Variant[] {
  const [first = 5, ...more] = refreshes;
  const out: Variant[] = [{ label: 'BPTT', segmentLength: null, reanchor: 'off', refreshEvery: first }];
  for (const S of segments) {
    for (const r of reanchors) {
      out.push({ label: `S=${S} re-anchor ${r}`, segmentLength: S, reanchor: r, refreshEvery: first });
      if (r !== 'off') for (const K of more) out.push({ label: `S=${S} re-anchor ${r} K=${K}`, segmentLength: S, reanchor: r, refreshEvery: K });
    }
  }
  return out;
}

const last = (xs: readonly number[]): number => xs[xs.length - 1] ?? NaN;

export const study: StudyCommand = {
  summary: 'Transition representations: multiple shooting (segment length S) and re-anchoring against BPTT at T = 64, mean ± sd over seeds',
  usage: '[--seeds N] [--steps N] [--tasks recall,circuit] [--length T] [--segments 1,4,16] [--reanchor off,states] [--cells gru,loopy] [--target NATS] [--refresh K,K2..] [--write]',
  async run(flags) {
    const seeds = flags.seeds(3);
    const steps = flags.int('steps', 150);
    const tasks = flags.list('tasks', TASKS, TASKS);
    const length = flags.int('length', 64, 2);
    const segments = flags.list('segments', ['1', '4', '16']).map((s) => Number(s) || flags.fail(`--segments: "${s}" is not a positive integer`));
    if (segments.some((s) => !Number.isInteger(s) || s < 1)) flags.fail('--segments must be positive integers');
    const reanchors = flags.list('reanchor', ['off', 'states'], REANCHOR_MODES);
    const cells = flags.list('cells', ['gru'], TRANSITION_CELL_KINDS);
    const targetLoss = flags.number('target', 0.2);
    const refreshes = flags.list('refresh', ['5']).map((k) => (Number.isInteger(Number(k)) && Number(k) >= 1 ? Number(k) : flags.fail(`--refresh: "${k}" is not a positive integer`)));
    const refreshEvery = refreshes[0] ?? 5;
    const write = flags.has('write');
    flags.done();

    tf.env().set('PROD', true);
    installFastKernels();
    await tf.setBackend('wasm');
    await tf.ready();
    const started = performance.now();
    const vs = variants(segments, reanchors, refreshes);
    const rows: RunRow[] = [];
    for (const task of tasks) {
      for (const cell of cells) {
        for (const seed of seeds) {
          const base: TransitionRunInput = { cell, task, seed, ...CELL_SIZES[cell], sequences: 32, evalSequences: 32, length, learningRate: 0.03 };
          const runs: LabelledRun[] = vs.map((v) => ({
            label: v.label,
            options:
              v.segmentLength === null
                ? { ...base, mode: 'bptt' }
                : { ...base, mode: 'transitions', segmentLength: v.segmentLength, reanchor: v.reanchor, refreshEvery: v.refreshEvery },
          }));
          const t0 = performance.now();
          const curves = await compareRuns(runs, { steps, targetLoss, evalEvery: 10 });
          curves.forEach((curve, i) => {
            const variant = (vs[i] as Variant).label;
            rows.push({ task, cell, variant, seed, curve });
            console.log(
              JSON.stringify({
                kind: 'run', task, cell, variant, seed, length, steps, sequentialDepth: curve.sequentialDepth,
                finalRolloutAccuracy: curve.finalRolloutAccuracy, finalRolloutLoss: curve.finalRolloutLoss,
                stepsToTarget: curve.stepsToTarget, msToTarget: curve.msToTarget, msPerStep: last(curve.cumulativeMs) / steps,
              }),
            );
          });
          console.error(`${task} ${cell} seed ${seed}: ${curves.map((c, i) => `${(vs[i] as Variant).label} ${c.finalRolloutAccuracy.toFixed(3)}`).join(', ')} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
        }
      }
    }
    const minutes = (performance.now() - started) / 60000;
    const lines = summaries(rows, tasks, cells, vs);
    for (const l of lines) console.log(JSON.stringify({ kind: 'summary', ...l }));
    const md = markdown(lines, { seeds: seeds.length, steps, length, targetLoss, refreshEvery, minutes, command: commandLine(seeds.length, steps, tasks, length, segments, reanchors, cells, targetLoss, refreshes) });
    console.error(`\n${md}`);
    if (write) writeStudySection('transitions-shooting', md);
  },
};

interface SummaryLine {
  readonly task: Task;
  readonly cell: TransitionCellKind;
  readonly variant: string;
  readonly sequentialDepth: number;
  readonly accuracy: Summary;
  /** Final accuracy minus BPTT's on the same seed. */
  readonly gapToBptt: Summary;
  readonly reached: number;
  readonly seeds: number;
  /** Over the seeds that reached the target. */
  readonly stepsToTarget: Summary;
  readonly secondsToTarget: Summary;
  readonly msPerStep: Summary;
}

function summaries(rows: readonly RunRow[], tasks: readonly Task[], cells: readonly TransitionCellKind[], vs: readonly Variant[]): SummaryLine[] {
  const out: SummaryLine[] = [];
  for (const task of tasks) {
    for (const cell of cells) {
      const bptt = new Map(rows.filter((r) => r.task === task && r.cell === cell && r.variant === 'BPTT').map((r) => [r.seed, r.curve.finalRolloutAccuracy]));
      for (const v of vs) {
        const rs = rows.filter((r) => r.task === task && r.cell === cell && r.variant === v.label);
        const reached = rs.filter((r) => r.curve.stepsToTarget !== null);
        out.push({
          task,
          cell,
          variant: v.label,
          sequentialDepth: rs[0]?.curve.sequentialDepth ?? NaN,
          accuracy: summarise(rs.map((r) => r.curve.finalRolloutAccuracy)),
          gapToBptt: summarise(rs.map((r) => r.curve.finalRolloutAccuracy - (bptt.get(r.seed) ?? NaN))),
          reached: reached.length,
          seeds: rs.length,
          stepsToTarget: summarise(reached.map((r) => r.curve.stepsToTarget ?? NaN)),
          secondsToTarget: summarise(reached.map((r) => (r.curve.msToTarget ?? NaN) / 1000)),
          msPerStep: summarise(rs.map((r) => last(r.curve.cumulativeMs) / r.curve.loss.length)),
        });
      }
    }
  }
  return out;
}

function commandLine(seeds: number, steps: number, tasks: readonly string[], length: number, segments: readonly number[], reanchors: readonly string[], cells: readonly string[], target: number, refresh: readonly number[]): string {
  return `npm run study -- transitions-shooting --seeds ${seeds} --steps ${steps} --tasks ${tasks.join(',')} --length ${length} --segments ${segments.join(',')} --reanchor ${reanchors.join(',')} --cells ${cells.join(',')} --target ${target} --refresh ${refresh.join(',')} --write`;
}

interface Budget {
  readonly seeds: number;
  readonly steps: number;
  readonly length: number;
  readonly targetLoss: number;
  readonly refreshEvery: number;
  readonly minutes: number;
  readonly command: string;
}

function markdown(lines: readonly SummaryLine[], b: Budget): string {
  const head =
    '| task | cell | variant | sequential depth / step | roll-out accuracy | minus BPTT (same seed) | reached target | steps to target | seconds to target | ms / step |\n' +
    '|---|---|---|---|---|---|---|---|---|---|';
  const body = lines.map(
    (l) =>
      `| ${l.task} | ${l.cell} | ${l.variant} | ${Number.isInteger(l.sequentialDepth) ? l.sequentialDepth : l.sequentialDepth.toFixed(1)} | ${fmt(l.accuracy)} | ${l.variant === 'BPTT' ? '—' : fmt(l.gapToBptt)} | ${l.reached}/${l.seeds} | ${fmt(l.stepsToTarget, 0)} | ${fmt(l.secondsToTarget, 1)} | ${fmt(l.msPerStep, 0)} |`,
  );
  return [
    '### Transition representations: multiple shooting and re-anchoring (seed 002, issue 14)',
    '',
    `Each sequence of T = ${b.length} symbols is cut into segments of S symbols: BPTT inside a segment, a trainable state at each segment start, ` +
      'the consistency term at each segment end (S = 1 is the seed’s per-transition form). Re-anchor off: the frozen target is the embeddings (the seed’s); ' +
      `states: every K steps (K = ${b.refreshEvery} unless the variant names another) target and embeddings are set from a roll-out of the current cell. GRU, 32 units, N = 32 training sequences, ` +
      `${b.steps} Adam steps per run, every run of a seed alternating step by step in one process. Roll-out accuracy: the cell run forward from its start state ` +
      `on 32 held-out sequences after the last step, mean ± sd over ${b.seeds} seeds. Target: held-out roll-out loss ≤ ${b.targetLoss} nats, checked every 10 steps; ` +
      'steps and seconds to it are over the seeds that reached it, seconds of training only (roll-outs for evaluation not counted, re-anchoring roll-outs counted). ' +
      'Sequential depth: cell steps that must run one after another per train step (S, plus T/K for re-anchoring; BPTT: T).',
    '',
    head,
    ...body,
    '',
    `Command: \`${b.command}\` (${b.minutes.toFixed(1)} min on one process, wasm backend). Machine: ${machineLine()}, shared with other jobs, so the ` +
      'wall-clock columns are noisy; the depth column is what a parallel device would turn into time.',
  ].join('\n');
}
