/**
 * Parameters of the battery's baselines (LSTM, GRU, echo-state network):
 * ranges and defaults in one schema each. Parsing a partial object fills the
 * defaults; unknown keys and out-of-range values are refused.
 */
import { z } from 'zod';

const learningRate = z.number().positive().max(1);
/** Global gradient-norm clip (0 = off). */
const gradClip = z.number().min(0).max(1000);

/** LSTM and GRU share their parameters: one layer of `hidden` units and a linear read-out. */
export const gatedRnnParamsSchema = z.strictObject({
  /** Hidden units of the one recurrent layer. */
  hidden: z.number().int().min(1).max(512).default(32),
  learningRate: learningRate.default(0.01),
  gradClip: gradClip.default(1),
});
export type GatedRnnParams = z.output<typeof gatedRnnParamsSchema>;
export type GatedRnnParamsInput = z.input<typeof gatedRnnParamsSchema>;

export const lstmParamsSchema = gatedRnnParamsSchema;
export type LstmParams = GatedRnnParams;
export const gruParamsSchema = gatedRnnParamsSchema;
export type GruParams = GatedRnnParams;

export const DEFAULT_GATED_RNN_PARAMS: GatedRnnParams = gatedRnnParamsSchema.parse({});

export const esnParamsSchema = z.strictObject({
  /** Reservoir size N (tanh units). */
  units: z.number().int().min(2).max(2000).default(100),
  /** Probability that a reservoir entry W[i][j] is a connection. */
  connectivity: z.number().gt(0).max(1).default(0.1),
  /** The reservoir's spectral radius after rescaling (largest |eigenvalue|). */
  spectralRadius: z.number().min(0).max(3).default(0.9),
  /** Leaky integration a: x' = (1 - a) x + a tanh(...); 1 = no leak. */
  leakRate: z.number().gt(0).max(1).default(1),
  /** Input weights are uniform in [-inputScale, inputScale]. */
  inputScale: z.number().min(0).max(10).default(1),
  /** Adam on the read-out only: a reservoir learns slowly with a small step. */
  learningRate: learningRate.default(0.03),
  gradClip: gradClip.default(1),
});
export type EsnParams = z.output<typeof esnParamsSchema>;
export type EsnParamsInput = z.input<typeof esnParamsSchema>;

export const DEFAULT_ESN_PARAMS: EsnParams = esnParamsSchema.parse({});

/** Parses `params` (defaults filled in) or throws an Error listing every problem. */
export function parseParams<S extends z.ZodType>(schema: S, params: unknown, name: string): z.output<S> {
  const r = schema.safeParse(params);
  if (r.success) return r.data;
  throw new Error(`${name} parameters: ${describeIssues(r.error)}`);
}

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ');
}
