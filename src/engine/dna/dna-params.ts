/** Parameters of a DNA layer (cells that are born and die, seed 004), their ranges and defaults. */
import { z } from 'zod';
import type { ExperimentOf } from '../model-descriptor';

/** 'percent': after a plateau the top p% cells split, the bottom p% die; 'threshold': split above 2·w0, die below w0/2. */
export const EXTINCTION_MODES = ['percent', 'threshold'] as const;
export type ExtinctionMode = (typeof EXTINCTION_MODES)[number];

/** 'per-output': one bias per output, shared by its cells (ours, the default: a death leaves the output's bias); 'per-cell': each cell its own b (the seed's). */
export const BIAS_MODES = ['per-output', 'per-cell'] as const;
export type BiasMode = (typeof BIAS_MODES)[number];

/** How an extinction event refills the layer: 'split' (the seed's halving), 'set' (random absent pairs, Mocanu 2018), 'rigl' (absent pairs with the largest |dense gradient|, Evci 2020). */
export const REGROWTH_MODES = ['split', 'set', 'rigl'] as const;
export type RegrowthMode = (typeof REGROWTH_MODES)[number];

export const dnaParamsSchema = z.strictObject({
  /** w0 of every initial cell: 1 in the seed's text, 1/outputs in the seed's code (the default: 0.1 for ten classes). */
  initialWeight: z.number().min(0.001).max(2).default(0.1),
  extinction: z.enum(EXTINCTION_MODES).default('percent'),
  bias: z.enum(BIAS_MODES).default('per-output'),
  regrowth: z.enum(REGROWTH_MODES).default('split'),
  /** Share of the D·C input-output pairs holding a cell at the start (seeded uniform pick, at least one per output); SET and RigL keep the pair count. */
  density: z.number().min(0.05).max(1).default(1),
  /** Share of cells (by passthrough) that split at an extinction event, in percent. */
  splitPercent: z.number().min(0).max(50).default(5),
  /** Share of cells (by passthrough) that die at an extinction event, in percent. */
  deletePercent: z.number().min(0).max(50).default(5),
  /** Epochs without a better loss before an extinction event (k). */
  patience: z.number().int().min(1).max(50).default(2),
  /** Epochs before the first extinction event can happen (n). */
  warmupEpochs: z.number().int().min(0).max(100).default(2),
  learningRate: z.number().positive().max(1).default(0.01),
  /** Examples per train step. */
  batch: z.number().int().min(1).max(512).default(64),
  /** Playground noise of the 2-D datasets (0..0.5). */
  noise: z.number().min(0).max(0.5).default(0),
});
export type DnaParams = z.output<typeof dnaParamsSchema>;
export type DnaParamsInput = z.input<typeof dnaParamsSchema>;
export const DEFAULT_DNA_PARAMS: DnaParams = dnaParamsSchema.parse({});

/** Parameters that can change while a DNA experiment runs; the rest need a new layer. */
export const DNA_LIVE_PARAM_KEYS = ['learningRate', 'extinction', 'regrowth', 'splitPercent', 'deletePercent', 'patience'] as const satisfies readonly (keyof DnaParams)[];
export type DnaLiveParams = Pick<DnaParams, (typeof DNA_LIVE_PARAM_KEYS)[number]>;

/** A DNA experiment: a classification dataset, a seed and these parameters. */
export type DnaExperiment = ExperimentOf<'dna', 'classification', DnaParams>;
