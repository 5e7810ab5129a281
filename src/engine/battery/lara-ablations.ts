/**
 * LARA's claims (seed 000) as an ablation study: each claim names the seed's
 * form and the alternatives it says are worse; the study trains every
 * variant on the STUDY_TESTS tasks over several seeds, and a verdict per
 * claim says whether the seed's form won at this budget. Plain data and
 * arithmetic: the page imports it, the study CLI and results command too.
 */
import type { LaraParams } from '../lara/lara-params';
import { TEXT_ALPHABET } from '../tasks/text-task';
import { BATTERY_TEST_INFO, CIRCUIT, STUDY_RECALL, STUDY_TESTS, type StudyTestId } from './battery-tests';

/** A variant of the current settings: a label for tables and how it changes them. */
export interface AblationVariant {
  readonly label: string;
  apply(p: LaraParams): LaraParams;
}

export interface LaraClaim {
  readonly id: string;
  /** The claim, in the seed's words where it has them. */
  readonly statement: string;
  /** The seed's form. */
  readonly seedForm: AblationVariant;
  /** What the claim says is worse. */
  readonly alternatives: readonly AblationVariant[];
}

const variant = (label: string, apply: (p: LaraParams) => LaraParams): AblationVariant => ({ label, apply });

export const LARA_CLAIMS: readonly LaraClaim[] = [
  {
    id: 'no-bias',
    statement: 'No biases is better: "if an input were to have a bias, the layer would be able to converge towards an ideal state internally possibly without ever considering the outside input."',
    seedForm: variant('bias off', (p) => ({ ...p, bias: false })),
    alternatives: [variant('bias on', (p) => ({ ...p, bias: true }))],
  },
  {
    id: 'gaussian-gates',
    statement: 'Gaussian gates keep the network stable: "exploding or out of range inputs to a given layer will always be nullified", where a sigmoid would not.',
    seedForm: variant('gate gaussian', (p) => ({ ...p, gate: 'gaussian' })),
    alternatives: [variant('gate sigmoid', (p) => ({ ...p, gate: 'sigmoid' })), variant('gate softmax', (p) => ({ ...p, gate: 'softmax' }))],
  },
  {
    id: 'argmax-routing',
    statement: 'Routing by the gates\' argmax beats being told where to go: a uniform random walk, or no routing at all (every node active).',
    seedForm: variant('routing argmax', (p) => ({ ...p, routing: 'argmax' })),
    alternatives: [variant('routing random-walk', (p) => ({ ...p, routing: 'random-walk' })), variant('routing all-active', (p) => ({ ...p, routing: 'all-active' }))],
  },
  {
    id: 'resting-phase',
    statement: 'The resting-phase division (a resting node\'s accumulated error divided by its resting steps) keeps rarely used nodes trainable.',
    seedForm: variant('resting on', (p) => ({ ...p, restingPhase: true })),
    alternatives: [variant('resting off', (p) => ({ ...p, restingPhase: false }))],
  },
  {
    id: 'growth',
    statement: 'Growth (splitting busy nodes, removing starved ones) finds useful structure.',
    // At the lab's settings growth waits for 100 stuck steps and a node with a fifth of the visits: within a
    // study's budget it never fires (visits spread near-uniformly over 24 nodes). The variant grows whenever
    // a hidden node is busier than the uniform share (ours), so that the switch changes what it names.
    seedForm: variant('growth on', (p) => ({ ...p, growth: { ...p.growth, enabled: true, trigger: 'visits', splitAbove: Math.min(p.growth.splitAbove, 1 / p.nodes) } })),
    alternatives: [variant('growth off', (p) => ({ ...p, growth: { ...p.growth, enabled: false } }))],
  },
];

/** One run the study needs: a variant label and its parameters; variants equal to the base settings collapse into it. */
export interface AblationRun {
  readonly label: string;
  readonly params: LaraParams;
  /** Every claim-side label this run stands for ("bias off", "gate gaussian", ...). */
  readonly stands: readonly string[];
}

/**
 * The distinct parameter sets the claims need on top of `base`: the base
 * itself first (labelled "base"), then every claim side that differs from it.
 */
export function ablationRuns(base: LaraParams): AblationRun[] {
  const runs: { label: string; params: LaraParams; key: string; stands: string[] }[] = [{ label: 'base', params: base, key: JSON.stringify(base), stands: [] }];
  for (const claim of LARA_CLAIMS) {
    for (const side of [claim.seedForm, ...claim.alternatives]) {
      const params = side.apply(base);
      const key = JSON.stringify(params);
      const same = runs.find((r) => r.key === key);
      if (same) same.stands.push(side.label);
      else runs.push({ label: side.label, params, key, stands: [side.label] });
    }
  }
  return runs.map(({ label, params, stands }) => ({ label, params, stands }));
}

/** One finished run of a variant on a task at a seed, as the battery reports it. */
export interface AblationResult {
  readonly label: string;
  readonly task: StudyTestId;
  readonly seed: number;
  /** NaN when diverged. */
  readonly score: number;
  readonly diverged: boolean;
  /** NaN when the criterion was not reached. */
  readonly stepsToCriterion: number;
}

export interface Summary {
  readonly mean: number;
  readonly sd: number;
  readonly n: number;
}

/** Mean and sample standard deviation (sd 0 for one value; NaN mean for none). */
export function summarise(xs: readonly number[]): Summary {
  const n = xs.length;
  if (n === 0) return { mean: NaN, sd: NaN, n };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/** What a diverged run scores in the study: chance accuracy, or the uniform guess's bits (ours: a diverged model predicts nothing). */
export function divergedScore(task: StudyTestId): number {
  return task === 'text-curve' ? Math.log2(TEXT_ALPHABET.length) : task === 'recall-curve' ? 1 / STUDY_RECALL.symbols : 1 / CIRCUIT.outputs;
}

export interface VariantTaskSummary {
  readonly label: string;
  readonly task: StudyTestId;
  readonly score: Summary;
  /** Over the seeds that reached the criterion. */
  readonly steps: Summary;
  readonly reached: number;
  readonly diverged: number;
  readonly seeds: number;
}

/** Mean ± sd per variant and task; a diverged run scores `fallback` (divergedScore). */
export function summariseAblations(results: readonly AblationResult[], fallback: (task: StudyTestId) => number = divergedScore): VariantTaskSummary[] {
  const groups = new Map<string, AblationResult[]>();
  for (const r of results) {
    const key = `${r.label}\u0000${r.task}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((rs) => {
    const first = rs[0] as AblationResult;
    const reachedSteps = rs.map((r) => r.stepsToCriterion).filter(Number.isFinite);
    return {
      label: first.label,
      task: first.task,
      score: summarise(rs.map((r) => (r.diverged || !Number.isFinite(r.score) ? fallback(r.task) : r.score))),
      steps: summarise(reachedSteps),
      reached: reachedSteps.length,
      diverged: rs.filter((r) => r.diverged).length,
      seeds: rs.length,
    };
  });
}

/** Smallest difference that counts, per task unit: 2 accuracy points, 0.05 bits per char (ours). */
const MIN_EFFECT: Readonly<Record<string, number>> = { accuracy: 0.02, 'bits/char': 0.05 };

/** +1: `a` decisively better than `b` on the task; -1: decisively worse; 0: within noise (2 standard errors) or below the minimum effect. */
export function compare(a: Summary, b: Summary, task: StudyTestId): -1 | 0 | 1 {
  const info = BATTERY_TEST_INFO[task];
  const sign = info.better === 'higher' ? 1 : -1;
  const diff = sign * (a.mean - b.mean);
  const se = Math.sqrt((a.n > 0 ? a.sd ** 2 / a.n : 0) + (b.n > 0 ? b.sd ** 2 / b.n : 0));
  if (!Number.isFinite(diff) || Math.abs(diff) < (MIN_EFFECT[info.unit] ?? 0) || Math.abs(diff) <= 2 * se) return 0;
  return diff > 0 ? 1 : -1;
}

export type Verdict = 'held' | 'did not hold' | 'undecided';

export interface ClaimVerdict {
  readonly claim: LaraClaim;
  readonly verdict: Verdict;
  /** One sentence with the numbers behind it. */
  readonly sentence: string;
}

/**
 * Held: the seed's form is decisively better than every alternative on at
 * least one task and decisively worse on none. Did not hold: some
 * alternative is decisively better on a task and worse on none. Otherwise
 * undecided at this budget.
 */
export function claimVerdicts(summaries: readonly VariantTaskSummary[], runs: readonly AblationRun[], tasks: readonly StudyTestId[] = STUDY_TESTS): ClaimVerdict[] {
  const runOf = (side: string): string | undefined => runs.find((r) => r.stands.includes(side))?.label;
  const get = (label: string | undefined, task: StudyTestId) => summaries.find((s) => s.label === label && s.task === task);
  return LARA_CLAIMS.map((claim) => {
    const seedRun = runOf(claim.seedForm.label);
    const parts: string[] = [];
    let seedWinsAll = true;
    let someAltWins = false;
    for (const alt of claim.alternatives) {
      const cmp = tasks.map((t) => {
        const a = get(seedRun, t);
        const b = get(runOf(alt.label), t);
        return a && b ? compare(a.score, b.score, t) : 0;
      });
      const better = cmp.filter((c) => c > 0).length;
      const worse = cmp.filter((c) => c < 0).length;
      if (!(better > 0 && worse === 0)) seedWinsAll = false;
      if (worse > 0 && better === 0) someAltWins = true;
      parts.push(
        `${claim.seedForm.label} vs ${alt.label}: ${tasks
          .map((t, i) => {
            const a = get(seedRun, t);
            const b = get(runOf(alt.label), t);
            const mark = cmp[i] === 1 ? 'better' : cmp[i] === -1 ? 'worse' : 'no clear difference';
            return `${BATTERY_TEST_INFO[t].title.replace(/ \(learning curve\)$/, '').toLowerCase()} ${fmt(a?.score)} vs ${fmt(b?.score)} (${mark})`;
          })
          .join(', ')}`,
      );
    }
    const verdict: Verdict = seedWinsAll ? 'held' : someAltWins ? 'did not hold' : 'undecided';
    return { claim, verdict, sentence: `${parts.join('; ')}.` };
  });
}

/** "0.812 ± 0.031" (3 significant decimals), or "n/a". */
export function fmt(s: Summary | undefined, digits = 3): string {
  if (!s || !Number.isFinite(s.mean)) return 'n/a';
  return s.n > 1 ? `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)}` : s.mean.toFixed(digits);
}
