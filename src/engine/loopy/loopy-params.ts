/** Parameters of a loopy network, their ranges and defaults. */
import { z } from 'zod';
import type { ExperimentOf } from '../model-descriptor';
import { GRAPH_GENERATORS } from '../graph-generator-kinds';

/** Gradient rules (bptt, tbptt), the echo-state reservoir, and the local rules of loopy-local-rules.ts and loopy-eprop.ts. */
export const LOOPY_RULES = ['bptt', 'tbptt', 'reservoir', 'hebbian', 'perturbation', 'eprop', 'rflo'] as const;
export type LoopyRule = (typeof LOOPY_RULES)[number];

/** The rules that backpropagate nothing through time (loopy-local-rules.ts, loopy-eprop.ts). */
export const LOCAL_RULES = ['hebbian', 'perturbation', 'eprop', 'rflo'] as const satisfies readonly LoopyRule[];
export type LocalRule = (typeof LOCAL_RULES)[number];

export function isLocalRule(rule: string): rule is LocalRule {
  return (LOCAL_RULES as readonly string[]).includes(rule);
}

/** Local rules built on eligibility traces and a fed-back output error (loopy-eprop.ts); Adam moves their recurrent weights. */
export const TRACE_RULES = ['eprop', 'rflo'] as const satisfies readonly LocalRule[];
export type TraceRule = (typeof TRACE_RULES)[number];

export function isTraceRule(rule: string): rule is TraceRule {
  return (TRACE_RULES as readonly string[]).includes(rule);
}

/**
 * How e-prop and RFLO send the output error back to a node: fixed random weights; the read-out's own
 * (zero where a node is not read); or mixed: the read-out's own on read nodes, fixed random ones elsewhere.
 */
export const LOOPY_FEEDBACKS = ['random', 'symmetric', 'mixed'] as const;
export type LoopyFeedback = (typeof LOOPY_FEEDBACKS)[number];

/** 'fixed': thinkTicks ticks per symbol; 'read-node': read when the read node fires (thinkTicks is then the cap). */
export const LOOPY_PACINGS = ['fixed', 'read-node'] as const;
export type LoopyPacing = (typeof LOOPY_PACINGS)[number];

/** The most hidden nodes, and the most hidden x mean in-degree (about the edge count; 4,096 x 64, the old maxima, still parse). */
export const LOOPY_MAX_HIDDEN = 10_000;
export const LOOPY_MAX_EDGES = 2 ** 18;

export const loopyParamsSchema = z.strictObject({
  /** How the graph is wired (see graph-generators.ts). */
  generator: z.enum(GRAPH_GENERATORS).default('erdos-renyi'),
  /** Hidden nodes; input and output nodes come on top (10,000: the sparse unroll's cost follows the edges). */
  hidden: z.number().int().min(1).max(LOOPY_MAX_HIDDEN).default(64),
  /** Mean in-degree of hidden nodes. */
  degree: z.number().min(1).max(64).default(4),
  /** Watts-Strogatz rewiring probability. */
  rewire: z.number().min(0).max(1).default(0.1),
  /** Units per node (1 = single neurons). */
  width: z.number().int().min(1).max(64).default(1),
  selfLoops: z.boolean().default(true),
  rule: z.enum(LOOPY_RULES).default('tbptt'),
  learningRate: z.number().positive().max(1).default(0.01),
  /** Spectral radius the initial recurrent weights are scaled to. */
  spectralRadius: z.number().min(0).max(3).default(0.9),
  /** Drive an input node gets from its symbol. */
  inputScale: z.number().min(0).max(10).default(1),
  /** Ticks per input symbol (signals need ticks to cross the graph); with the read node, the most before a forced read. */
  thinkTicks: z.number().int().min(1).max(16).default(3),
  pacing: z.enum(LOOPY_PACINGS).default('fixed'),
  /** Share of its old state a node keeps each tick: h <- leak h + (1 - leak) tanh(...); 0 is the plain tanh tick (every rule). */
  leak: z.number().min(0).max(0.99).default(0),
  /** Feedback of the output error in e-prop and RFLO. */
  feedback: z.enum(LOOPY_FEEDBACKS).default('random'),
  /** Exploration noise (std of a pre-activation kick per node and tick) of the local rules. */
  noise: z.number().min(0.001).max(1).default(0.05),
  gradClip: z.number().min(0).max(1000).default(1),
  /** Parallel sequences per train step (the lab; the battery sets its own). */
  batch: z.number().int().min(1).max(256).default(16),
  /** Symbols per train step: the truncated-BPTT window (the lab; the battery's batches set their own). */
  window: z.number().int().min(1).max(256).default(16),
}).refine((p) => p.hidden * p.degree <= LOOPY_MAX_EDGES, {
  message: `nodes x density must be at most ${LOOPY_MAX_EDGES.toLocaleString('en-US')} (about the edge count)`,
  path: ['degree'],
});
export type LoopyParams = z.output<typeof loopyParamsSchema>;
export type LoopyParamsInput = z.input<typeof loopyParamsSchema>;
/** The lab's default: a few hundred single neurons, read every 3 ticks. */
export const DEFAULT_LOOPY_PARAMS: LoopyParams = loopyParamsSchema.parse({ hidden: 200, degree: 4 });

/** Parameters that can change while a loopy experiment runs in the lab; the rest need a new network. */
export const LOOPY_LIVE_PARAM_KEYS = ['learningRate', 'noise', 'thinkTicks', 'window', 'gradClip'] as const satisfies readonly (keyof LoopyParams)[];
export type LoopyLiveParams = Pick<LoopyParams, (typeof LOOPY_LIVE_PARAM_KEYS)[number]>;

/** A loopy-network experiment: a sequence task, a seed and these parameters. */
export type LoopyExperiment = ExperimentOf<'loopy', 'sequence', LoopyParams>;
