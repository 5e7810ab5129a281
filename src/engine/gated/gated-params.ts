/** Parameters of a gated recurrent network (GRU or LSTM) in the lab, their ranges and defaults. */
import { z } from 'zod';
import type { ExperimentOf } from '../model-descriptor';

export const gatedParamsSchema = z.strictObject({
  /** Hidden units of the one recurrent layer (each a node of the graph view). */
  hidden: z.number().int().min(2).max(64).default(16),
  learningRate: z.number().positive().max(1).default(0.01),
  /** Global gradient-norm clip (0 = off). */
  gradClip: z.number().min(0).max(1000).default(1),
  /** Parallel sequences per train step. */
  batch: z.number().int().min(1).max(256).default(16),
  /** Symbols per train step: the truncated-BPTT window; every lane's state carries on to the next. */
  window: z.number().int().min(1).max(256).default(16),
});
export type GatedParams = z.output<typeof gatedParamsSchema>;
export const DEFAULT_GATED_PARAMS: GatedParams = gatedParamsSchema.parse({});

/** Parameters that change while it runs; the rest need a new network. */
export const GATED_LIVE_PARAM_KEYS = ['learningRate', 'window'] as const satisfies readonly (keyof GatedParams)[];

/** The two cells: GRU (PyTorch's convention) and LSTM (with a forget gate). */
export type GatedKind = 'gru' | 'lstm';

/** An experiment of a GRU or LSTM: a sequence task, a seed and these parameters. */
export type GatedExperiment<K extends GatedKind = GatedKind> = ExperimentOf<K, 'sequence', GatedParams>;
