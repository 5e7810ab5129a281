/** Parameters of a stack of layers with routing modules (adaptive sparsity, seed 003), their ranges and defaults. */
import { z } from 'zod';
import type { ExperimentOf } from '../model-descriptor';

export const ROUTING_ACTIVATIONS = ['relu', 'tanh'] as const;
export type RoutingActivation = (typeof ROUTING_ACTIVATIONS)[number];

/**
 * How training sees the router: 'soft' mixes both paths by p (the seed's);
 * 'straight-through' runs the hard decision forward and passes p's gradient
 * back (Bengio et al. 2013); 'gumbel' adds Gumbel noise to the scores first
 * (straight-through Gumbel-softmax, Jang et al. 2017 / Maddison et al. 2017,
 * as ConvNet-AIG gates layers, Veit & Belongie 2018). Inference is hard for all three.
 */
export const ROUTER_KINDS = ['soft', 'straight-through', 'gumbel'] as const;
export type RouterKind = (typeof ROUTER_KINDS)[number];

/** The skip path: 'dense' h S (S zero at the start, the seed's); 'identity-diagonal' h ⊙ (1 + d), d zero at the start (W multiply-adds instead of W²). */
export const SKIP_KINDS = ['dense', 'identity-diagonal'] as const;
export type SkipKind = (typeof SKIP_KINDS)[number];

export const routingParamsSchema = z.strictObject({
  /** Routed layers in the stack (between the input projection and the read-out). */
  layers: z.number().int().min(1).max(16).default(4),
  /** Units per layer. */
  width: z.number().int().min(2).max(256).default(16),
  activation: z.enum(ROUTING_ACTIVATIONS).default('tanh'),
  /** false: the same stack with every layer always executed and no skip path (the baseline). */
  routing: z.boolean().default(true),
  router: z.enum(ROUTER_KINDS).default('soft'),
  skip: z.enum(SKIP_KINDS).default('dense'),
  /** lambda_s: weight of mean(p_exec) in the loss (sparsity pressure). */
  lambdaS: z.number().min(0).max(1).default(0.05),
  /** lambda_1: weight of |S|_1 over the skip matrices (|d|_1 for the identity skip). */
  lambda1: z.number().min(0).max(0.1).default(0.0001),
  learningRate: z.number().positive().max(1).default(0.01),
  /** Examples per train step. */
  batch: z.number().int().min(1).max(512).default(32),
  /** Playground noise of the 2-D datasets (0..0.5). */
  noise: z.number().min(0).max(0.5).default(0),
});
export type RoutingParams = z.output<typeof routingParamsSchema>;
export type RoutingParamsInput = z.input<typeof routingParamsSchema>;
export const DEFAULT_ROUTING_PARAMS: RoutingParams = routingParamsSchema.parse({});

/** Parameters that can change while a routing experiment runs; the rest need a new stack. */
export const ROUTING_LIVE_PARAM_KEYS = ['learningRate', 'lambdaS', 'lambda1'] as const satisfies readonly (keyof RoutingParams)[];
export type RoutingLiveParams = Pick<RoutingParams, (typeof ROUTING_LIVE_PARAM_KEYS)[number]>;

/** A routing-modules experiment: a classification dataset, a seed and these parameters. */
export type RoutingExperiment = ExperimentOf<'routing', 'classification', RoutingParams>;
