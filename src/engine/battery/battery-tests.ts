/**
 * What the page shows of each battery test (ids, titles, units, descriptions)
 * and the constants those descriptions quote. Plain data, no tfjs and no
 * corpus: the main thread imports it, battery.ts adds how each test runs.
 */
import { TEXT_ALPHABET } from '../tasks/text-task';

/** The tests, in the order they run and are numbered. */
export const BATTERY_TESTS = [
  'memorisation',
  'circuit',
  'long-term',
  'garbage',
  'weight-noise',
  'removal',
  'forgetting',
  'transfer',
  'composition',
  'language-model',
] as const;

/**
 * The ablation study's tasks (lara-ablations.ts): one learning curve each,
 * scored by the final held-out accuracy or bits per char, with the train
 * steps to a fixed criterion beside it. Not part of the battery's ten.
 */
export const STUDY_TESTS = ['recall-curve', 'circuit-curve', 'text-curve'] as const;
export type StudyTestId = (typeof STUDY_TESTS)[number];
export type BatteryTestId = (typeof BATTERY_TESTS)[number] | StudyTestId;

/** One test as the page names it. */
export interface BatteryTestInfo {
  readonly id: BatteryTestId;
  readonly title: string;
  readonly unit: string;
  /** Which way a score is better, for the table's marks and the heatmap's colours. */
  readonly better: 'higher' | 'lower';
  /** What the number means, for tables and help text. */
  readonly description: string;
}

/** Sequence lengths the memorisation test tries, shortest first. */
export const MEMORISE_LENGTHS: readonly number[] = [4, 8, 16, 32, 64];
/** Gaps the long-term dependency test tries, shortest first. */
export const LONG_TERM_GAPS: readonly number[] = [1, 2, 4, 8, 16, 32];
/** Accuracy at which a length or gap counts as solved. */
export const SOLVED = 0.95;
/** Episode length and warm-up (unscored symbols) of the circuit tests. */
export const CIRCUIT_LENGTH = 24;
export const CIRCUIT_WARMUP = 4;
/** The recall task of the robustness tests and the ablation study: recall the symbol 2 back, 4 symbols, 24 per episode. */
export const RECALL = { delay: 2, symbols: 4, length: 24 } as const;
/** The ablation study's recall: 4 back, so that it takes more than a few curve points to learn (2 back saturated at 150 steps). */
export const STUDY_RECALL = { delay: 4, symbols: 4, length: 24 } as const;
/** The hidden random circuit's size. */
export const CIRCUIT = { states: 3, symbols: 3, outputs: 3 } as const;
/** Weight-noise levels, in units of each weight tensor's std. */
export const NOISE_SIGMAS: readonly number[] = [0.03, 0.1, 0.3, 1];
/** The study tasks' criteria: accuracy at or above (recall, circuit), bits per char at or below (text). */
export const STUDY_CRITERIA: Readonly<Record<StudyTestId, number>> = { 'recall-curve': 0.95, 'circuit-curve': 0.75, 'text-curve': 4 };
/** Characters per lane of held-out text each point of the text task's curve reads (the final score reads all of it). */
export const TEXT_CURVE_CHARS = 256;
/** Shares of recurrent connections removed. */
export const REMOVED_FRACTIONS: readonly number[] = [0.05, 0.1, 0.2, 0.4];

/** Every test's page info by id. */
export const BATTERY_TEST_INFO: Readonly<Record<BatteryTestId, BatteryTestInfo>> = {
  memorisation: {
    id: 'memorisation',
    title: 'Memorisation',
    unit: 'symbols',
    better: 'higher',
    description: `Longest random sequence (of ${MEMORISE_LENGTHS.join(', ')}) a fresh model reproduces with ≥ ${SOLVED * 100}% accuracy after training.`,
  },
  circuit: {
    id: 'circuit',
    title: 'Random circuit',
    unit: 'accuracy',
    better: 'higher',
    description: `Accuracy predicting a hidden random ${CIRCUIT.states}-state machine's outputs after training (chance ${(1 / CIRCUIT.outputs).toFixed(2)}).`,
  },
  'long-term': {
    id: 'long-term',
    title: 'Long-term dependency',
    unit: 'steps',
    better: 'higher',
    description: `Largest gap (of ${LONG_TERM_GAPS.join(', ')}) over which a fresh model recalls the first symbol with ≥ ${SOLVED * 100}% accuracy (chance 50%).`,
  },
  garbage: {
    id: 'garbage',
    title: 'Garbage robustness',
    unit: 'retained',
    better: 'higher',
    description:
      'Recall-2: accuracy after a burst of 4 garbage symbols (an unseen symbol, or random ones), as a fraction of clean accuracy above chance (1 = unaffected).',
  },
  'weight-noise': {
    id: 'weight-noise',
    title: 'Weight-noise robustness',
    unit: 'retained',
    better: 'higher',
    description: `Recall-2: accuracy with Gaussian noise of σ = ${NOISE_SIGMAS.join(', ')} × each weight tensor's std, mean fraction of clean accuracy above chance kept.`,
  },
  removal: {
    id: 'removal',
    title: 'Edge-removal robustness',
    unit: 'retained',
    better: 'higher',
    description: `Recall-2: accuracy with ${REMOVED_FRACTIONS.map((f) => `${f * 100}%`).join(', ')} of the recurrent connections removed, mean fraction of clean accuracy above chance kept.`,
  },
  forgetting: {
    id: 'forgetting',
    title: 'Forgetting',
    unit: 'retained',
    better: 'higher',
    description: 'Train circuit X, then circuit Y, then test X: the fraction of X accuracy above chance retained (1 = no forgetting).',
  },
  transfer: {
    id: 'transfer',
    title: 'Transfer',
    unit: '× speed-up',
    better: 'higher',
    description: 'Steps to reach 95% of what a fresh model reaches on circuit X + δ (2 output cells changed): from scratch ÷ after learning X. Above 1 = transfer.',
  },
  composition: {
    id: 'composition',
    title: 'Composition',
    unit: '× speed-up',
    better: 'higher',
    description: 'Steps to reach 95% of what a fresh model reaches on circuit A∘B (A’s outputs drive B): from scratch ÷ after learning A and B. Above 1 = composition helps.',
  },
  'language-model': {
    id: 'language-model',
    title: 'Language model',
    unit: 'bits/char',
    better: 'lower',
    description: `Bits per character on held-out text (Moby-Dick chapters 11-12) after training on chapters 1-10, ${TEXT_ALPHABET.length}-symbol alphabet (uniform: ${Math.log2(TEXT_ALPHABET.length).toFixed(2)}). Lower is better.`,
  },
  'recall-curve': {
    id: 'recall-curve',
    title: 'Recall (learning curve)',
    unit: 'accuracy',
    better: 'higher',
    description: `Recall the symbol ${STUDY_RECALL.delay} back (${STUDY_RECALL.symbols} symbols): held-out accuracy after training; its steps to ≥ ${STUDY_CRITERIA['recall-curve']} beside it.`,
  },
  'circuit-curve': {
    id: 'circuit-curve',
    title: 'Circuit (learning curve)',
    unit: 'accuracy',
    better: 'higher',
    description: `Predict a hidden random ${CIRCUIT.states}-state machine's outputs: held-out accuracy after training; its steps to ≥ ${STUDY_CRITERIA['circuit-curve']} beside it.`,
  },
  'text-curve': {
    id: 'text-curve',
    title: 'Next character (learning curve)',
    unit: 'bits/char',
    better: 'lower',
    description: `Bits per character on the held-out Moby-Dick chapters after training at the other tests' step count; its steps to ≤ ${STUDY_CRITERIA['text-curve']} bits (on the first ${TEXT_CURVE_CHARS} characters per lane) beside it.`,
  },
};
