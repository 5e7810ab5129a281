/** Parameters of a LARA experiment, their ranges and defaults. */
import { z } from 'zod';
import type { ExperimentOf } from '../model-descriptor';

export const GATE_KINDS = ['gaussian', 'sigmoid', 'softmax'] as const;
export type GateKind = (typeof GATE_KINDS)[number];

export const EXPLORATION_KINDS = ['epsilon', 'gumbel'] as const;
export type ExplorationKind = (typeof EXPLORATION_KINDS)[number];

export const READOUT_KINDS = ['output', 'all'] as const;
export type ReadoutKind = (typeof READOUT_KINDS)[number];

/**
 * How threads pick the nodes that compute. 'argmax' (the seed's form): each
 * thread moves to its host's source with the largest gate. 'random-walk': to a
 * uniformly random source, whatever the gates (they still scale messages).
 * 'all-active': no routing, every node computes every tick; threads still
 * move by argmax, for display only.
 */
export const ROUTING_KINDS = ['argmax', 'random-walk', 'all-active'] as const;
export type RoutingKind = (typeof ROUTING_KINDS)[number];

/**
 * How a tick computes. 'active' (default): only the active nodes of each lane
 * (threads, input on a symbol tick, output on a read tick) compute, by row
 * gathers and a gathered matmul; 'dense': every node computes and a mask keeps
 * the inactive states (the reference; all-active routing always runs dense).
 */
export const TICK_KINDS = ['active', 'dense'] as const;
export type TickKind = (typeof TICK_KINDS)[number];

export const GROWTH_MODES = ['split', 'birth'] as const;
export type GrowthMode = (typeof GROWTH_MODES)[number];

/**
 * When a busy node may grow. 'plateau' (ours, default): only while the loss is
 * stuck (not improving and not yet low); 'visits' (the design's first rule):
 * whenever a node is busy, whatever the loss.
 */
export const GROWTH_TRIGGERS = ['plateau', 'visits'] as const;
export type GrowthTrigger = (typeof GROWTH_TRIGGERS)[number];

export const growthParamsSchema = z.strictObject({
  enabled: z.boolean(),
  /** 'split' copies the busiest node (Net2Net); 'birth' adds a fresh node wired to the busiest ones. */
  mode: z.enum(GROWTH_MODES),
  /** A node whose visit share (EMA) rises above this grows a new node (with trigger 'plateau', only while the loss is stuck). */
  splitAbove: z.number().min(0).max(1),
  // Defaults on the newer fields keep older exported documents importable.
  trigger: z.enum(GROWTH_TRIGGERS).default('plateau'),
  /** Steps without the loss EMA setting a new best (by minImprovement) before the loss counts as stuck. */
  plateauSteps: z.number().int().min(1).max(100000).default(100),
  /** Relative fall of the loss EMA below its best that counts as improving (0.03 = 3%). */
  minImprovement: z.number().min(0).max(1).default(0.03),
  /** Loss EMA (nats) below which the task counts as solved: nothing grows. */
  lossFloor: z.number().min(0).max(100).default(0.1),
  /** A node whose visit share stays below this for `patience` checks dies. */
  deleteBelow: z.number().min(0).max(1),
  /** Consecutive growth checks a node must starve before it dies. */
  patience: z.number().int().min(1).max(1000),
  /** Train steps between growth checks. */
  every: z.number().int().min(1).max(10000),
  minNodes: z.number().int().min(3).max(4096),
  maxNodes: z.number().int().min(3).max(4096),
  /** Most in-edges a node may gain through growth (packed slot count cap). */
  maxDegree: z.number().int().min(1).max(64),
});
export type GrowthParams = z.infer<typeof growthParamsSchema>;

/** The parameter fields without cross-field checks (zod cannot take .partial() of a refined object). */
export const laraParamsObject = z.strictObject({
  /** Node count of the initial graph. */
  nodes: z.number().int().min(3).max(4096),
  /** State width H of every node. */
  width: z.number().int().min(1).max(256),
  /** In-degree k of every node of the initial graph, self-loop included. */
  degree: z.number().int().min(1).max(32),
  selfLoops: z.boolean(),
  /** Hops from the input node to the output node in the initial graph. */
  outputDistance: z.number().int().min(1).max(8),
  gate: z.enum(GATE_KINDS),
  /** A per-node bias b_a added to every pre-activation; off is the seed's form. Defaults keep older documents importable. */
  bias: z.boolean().default(false),
  routing: z.enum(ROUTING_KINDS).default('argmax'),
  tick: z.enum(TICK_KINDS).default('active'),
  exploration: z.enum(EXPLORATION_KINDS),
  /** Epsilon (probability of a random move) or Gumbel temperature, per `exploration`. */
  explore: z.number().min(0).max(1),
  /** Walkers routed through the graph. */
  threads: z.number().int().min(1).max(16),
  /** Whether a thread may stay on its node through a self-loop; off, it always moves on (ours). */
  threadStays: z.boolean(),
  /** Ticks per input symbol. */
  thinkTicks: z.number().int().min(1).max(16),
  readout: z.enum(READOUT_KINDS),
  learningRate: z.number().positive().max(1),
  /** Defer each node's update while it rests, then apply accumulated / restingSteps. */
  restingPhase: z.boolean(),
  /** Parallel sequences per train step. */
  batch: z.number().int().min(1).max(1024),
  /** Symbols per train step: the truncated-BPTT window. */
  window: z.number().int().min(1).max(512),
  /** Global gradient-norm clip (0 = off). */
  gradClip: z.number().min(0).max(1000),
  growth: growthParamsSchema,
});

export const laraParamsSchema = laraParamsObject.refine((p) => p.growth.minNodes <= p.growth.maxNodes, {
  message: 'growth.minNodes must not exceed growth.maxNodes',
  path: ['growth', 'minNodes'],
});
export type LaraParams = z.infer<typeof laraParamsSchema>;

export const DEFAULT_LARA_PARAMS: LaraParams = {
  nodes: 24,
  width: 16,
  degree: 4,
  selfLoops: true,
  outputDistance: 1,
  gate: 'gaussian',
  bias: false,
  routing: 'argmax',
  tick: 'active',
  exploration: 'epsilon',
  explore: 0.05,
  threads: 1,
  threadStays: false,
  thinkTicks: 1,
  readout: 'output',
  // Slow enough that a first run visibly learns (Recall 2 back plateaus near step 230, about
  // 15 s in the lab; 0.01 solved it in 50 steps); the battery keeps 0.01 (lara-sequence-model.ts).
  learningRate: 0.001,
  restingPhase: false,
  batch: 16,
  window: 16,
  gradClip: 1,
  growth: {
    enabled: false,
    mode: 'split',
    splitAbove: 0.2,
    trigger: 'plateau',
    plateauSteps: 100,
    minImprovement: 0.03,
    lossFloor: 0.1,
    deleteBelow: 0.004,
    patience: 4,
    every: 25,
    minNodes: 8,
    maxNodes: 64,
    maxDegree: 8,
  },
};

/** Parameters that can change while the experiment runs; the rest need a new trainer. */
export const LIVE_PARAM_KEYS = [
  'gate',
  'routing',
  'tick',
  'threadStays',
  'exploration',
  'explore',
  'thinkTicks',
  'learningRate',
  'restingPhase',
  'window',
  'gradClip',
  'growth',
] as const satisfies readonly (keyof LaraParams)[];
export type LiveParams = Pick<LaraParams, (typeof LIVE_PARAM_KEYS)[number]>;

/** A LARA experiment: a sequence task, a seed and these parameters. */
export type LaraExperiment = ExperimentOf<'lara', 'sequence', LaraParams>;
