/** LARA in the lab: everything the page and the worker need to know about it, in one descriptor (see ../model-descriptor.ts). */
import { taskSizes } from '../tasks/task-registry';
import { learningRateControl, optionsOf, type ModelDescriptor } from '../model-descriptor';
import { laraTableCodec } from './lara-document';
import type { LaraDims, LaraHostModel } from './lara-model';
import {
  DEFAULT_LARA_PARAMS,
  EXPLORATION_KINDS,
  GATE_KINDS,
  laraParamsSchema,
  LIVE_PARAM_KEYS,
  ROUTING_KINDS,
  TICK_KINDS,
  type GrowthTrigger,
  type LaraExperiment,
  type LaraParams,
} from './lara-params';

export function laraDims(experiment: LaraExperiment): LaraDims {
  return { width: experiment.params.width, ...taskSizes(experiment.task), readAll: experiment.params.readout === 'all' };
}

export const laraModel: ModelDescriptor<'lara', 'sequence', LaraParams, LaraHostModel, null> = {
  kind: 'lara',
  label: 'LARA (learned routing)',
  summary: 'LARA: learned activity routing (the lab model)',
  family: 'sequence',
  defaultTask: 'recall',
  schema: laraParamsSchema,
  defaults: DEFAULT_LARA_PARAMS,
  liveKeys: LIVE_PARAM_KEYS,
  url: {
    lr: 'learningRate',
    explore: 'explore',
    exploration: 'exploration',
    think: 'thinkTicks',
    nodes: 'nodes',
    width: 'width',
    degree: 'degree',
    gate: 'gate',
    threads: 'threads',
    batch: 'batch',
    window: 'window',
    readout: 'readout',
    resting: 'restingPhase',
    stay: 'threadStays',
    routing: 'routing',
    tick: 'tick',
    bias: 'bias',
    // Growth settings other than on/off and the trigger keep their defaults.
    growth: { get: (p) => p.growth.enabled, set: (p, v) => ({ ...p, growth: { ...p.growth, enabled: v as boolean } }) },
    // The schema refuses a value that is not a trigger.
    trigger: { get: (p) => p.growth.trigger, set: (p, v) => ({ ...p, growth: { ...p.growth, trigger: v as GrowthTrigger } }) },
  },
  controls: {
    liveLegend: 'Training',
    restartLegend: 'Network',
    controls: [
      learningRateControl(),
      {
        type: 'slider',
        key: 'explore',
        label: 'Exploration',
        min: 0,
        max: 1,
        step: 0.01,
        digits: 2,
        help: 'Epsilon: chance of a random move; Gumbel: temperature of the noise on log G',
      },
      { type: 'slider', key: 'thinkTicks', label: 'Think ticks', min: 1, max: 8, step: 1, help: 'Ticks the thread walks per input symbol' },
      { type: 'select', key: 'gate', label: 'Gate', options: optionsOf(GATE_KINDS), help: 'Gaussian exp(−z²), sigmoid σ(z), or softmax of z over the host’s sources' },
      {
        type: 'select',
        key: 'routing',
        label: 'Routing',
        options: optionsOf(ROUTING_KINDS),
        help: 'The seed claims routing by the gates’ argmax beats being told where to go. argmax: the seed; random-walk: each thread moves to a uniformly random source (gates still scale messages), in training and evaluation; all-active: no routing, every node computes every tick',
      },
      {
        type: 'select',
        key: 'tick',
        label: 'Tick',
        options: optionsOf(TICK_KINDS),
        help: 'active: only the active nodes of each lane compute (threads, input and output on their ticks), by row gathers and a gathered matmul; dense: every node computes and a mask keeps the rest. Same numbers; all-active routing and traced display runs are always dense',
      },
      { type: 'select', key: 'exploration', label: 'Exploration mode', options: optionsOf(EXPLORATION_KINDS), help: 'Epsilon-random moves or Gumbel noise on log G while training' },
      { type: 'checkbox', key: 'restingPhase', label: 'Resting-phase optimiser', help: 'The seed’s deferred update: a resting node’s gradient accumulates, then applies averaged' },
      {
        type: 'checkbox',
        key: 'threadStays',
        label: 'Thread may stay',
        help: 'Off: a thread always leaves its node; a self-loop feeds the node its own state but is not a route',
      },
      {
        type: 'checkbox',
        key: 'growth',
        label: 'Growth',
        help: 'A busy node splits only while the loss is stuck (not improving, not yet low); starved nodes die',
        get: (p) => p.growth.enabled,
        set: (p, enabled) => ({ ...p, growth: { ...p.growth, enabled } }),
      },
      {
        type: 'slider',
        key: 'nodes',
        label: 'Nodes',
        min: 3,
        max: 256,
        step: 1,
        help: 'Layer-nodes in a new random loopy graph',
        // Growth's bounds widen so the new size is inside them.
        set: (p, nodes) => ({ ...p, nodes, growth: { ...p.growth, minNodes: Math.min(p.growth.minNodes, nodes), maxNodes: Math.max(p.growth.maxNodes, nodes) } }),
      },
      {
        type: 'checkbox',
        key: 'bias',
        label: 'Bias',
        help: 'Adds a trained per-node bias b_a (starts at 0) to every pre-activation. The seed claims biases are worse: a node can ignore its inputs. Off is the seed’s form',
      },
      { type: 'slider', key: 'width', label: 'Width', min: 2, max: 64, step: 1, help: 'State width H of every node' },
      { type: 'slider', key: 'threads', label: 'Threads', min: 1, max: 4, step: 1, help: 'Walkers routed through the graph' },
    ],
  },
  help: {
    title: 'LARA: learned activity routing',
    intro: [
      'Source: the seed *“LARA is all you need”*. Nodes are layers (state vectors of width H). An edge b → a means host a reads b. Each tick only the **active** nodes compute: the nodes the thread sits on, the input node on a tick that carries a symbol, the output node on the tick it is read.',
    ],
    formulas: [
      'message: `I_ab = W_ab · h_b` (h_b is b’s latest state, cached while b rests)',
      'gate: `z_ab = u_ab · h_a + v_ab · h_b`, `G_ab = exp(−z²)` (gaussian), `σ(z)` (sigmoid) or softmax of z over a’s sources',
      'update of an active node: `h_a ← relu(Σ_b G_ab I_ab + [a is input] W_in x_t)`; inactive nodes keep h',
      'routing: the thread on a moves to `argmax_b G_ab`',
      'ablations: *Bias* makes the update `h_a ← relu(Σ_b G_ab I_ab + [a is input] W_in x_t + b_a)`; *Routing* random-walk moves the thread to a uniformly random source of a, all-active makes every node active every tick',
      'read-out: `y_t = softmax(W_out h_out)` on the last think tick of each symbol; loss = cross-entropy',
      'resting-phase optimiser: a node’s gradient accumulates while it rests; when it is active again it is updated with `accumulated / resting steps`',
    ],
    lists: [
      {
        heading: 'From the seed',
        items: [
          'No biases anywhere: resting nodes’ cached states act as pseudo-biases.',
          'Gates see their host and their source; gaussian gates by default (they null out-of-range inputs).',
          'The next node is the one with the largest gate; inactive nodes still receive gradient.',
          'The resting-phase division of accumulated gradients; growth and death by how attractive a node is to the thread.',
        ],
      },
      {
        heading: 'Testing the seed’s claims (ablations)',
        items: [
          '*Gate* gaussian / sigmoid / softmax tests “gaussian gates keep it stable”.',
          '*Bias* on tests “no biases is better”: every node gets a trained bias b_a (width H, starting at 0, updated by Adam; under the resting-phase optimiser it rests with its node). Split copies the parent’s bias, a born node starts at 0. Not live: switching it makes a new network.',
          '*Routing* random-walk tests “routing by the argmax beats being told where to go”: each thread moves to a uniformly random source of its host every tick (the self-loop rule of *Thread may stay* still applies), in training, evaluation and the probe; the gates still scale the messages. *all-active* removes routing: every node computes every tick, the threads move by argmax for display only. Live.',
          '*Resting-phase optimiser* on / off tests “the resting-phase division keeps rarely used nodes trainable”; *Growth* on / off tests “growth finds useful structure”.',
          'The fused WebGPU tick implements the seed’s form only; with a bias or a routing other than argmax the plain tfjs ops run (slower, same numbers).',
        ],
      },
      {
        heading: 'Our choices (the seed leaves them open)',
        items: [
          'Graph: a ring plus random symmetric chords, every node reads k sources including itself; node 0 is the input, the output node is one hop from it.',
          'The output node is forced active on read ticks (the seed only says how the thread moves).',
          'A thread leaves its node every tick: a self-loop feeds the node its own state but is not a route (tick *Thread may stay* to allow staying). Without this the argmax often settles on the self-loop and the thread stops.',
          'Exploration while training: epsilon (a random source) or Gumbel-max on log G (samples a source with probability ∝ G^(1/T)).',
          'Gradients flow through gate values, not through the argmax choice. Optimiser: Adam with global-norm clipping at 1; input and read-out weights always update.',
          'Growth needs a reason: a node grows only when it is busy (its share of thread visits, an EMA, is above 20%) **and** the loss is stuck: its EMA has not fallen 3% below its best for 100 steps and is still above 0.1 nats. A solved task (loss near 0) grows nothing; after a birth the new node gets another 100 steps to help before the next. The visits-only rule (the seed ties growth to how attractive a node is to the thread and nothing else: grow whenever a node is busy, whatever the loss) stays available as the growth trigger *visits* (URL `trigger=visits`).',
          'How a node grows: it splits (Net2Net: the copy reads the same sources, both share the halved outgoing weights) or, in birth mode, a fresh node is wired to the busiest nodes with zero outgoing weight. Growth is checked every 25 steps; a node starving for several checks (visit share below 0.4%) dies unless that would cut the graph in two, whatever the loss.',
          'Tick *active* (default): each tick computes messages, gates and updates only for the active (node, lane) rows, at most threads + forced nodes per lane, so the cost follows the activity thread, not L; inactive nodes keep their cached states. Per-row weight matrices go through a registered “gathered matmul” kernel y[i] = x[i]·W[idx[i]] (the idea of DGL’s gather_mm and PyG’s segment_matmul; JS loops over the cpu and wasm buffers, plain tfjs elsewhere). Ours: a node listed twice in a lane computes once (its first occurrence writes back), the row gathers carry scatter gradients, routing reads the gates of the thread rows (same moves as the dense tick). Tick *dense*: every node’s message is recomputed from cached states each tick in one batched kernel and a mask keeps the inactive states: the reference the active tick is tested against, and what traced display runs and all-active routing use. On WebGPU the fused WGSL tick (the seed’s form) trains by the active rule too: its reverse sweep records only the active rows and makes the weight gradients once per unroll from each node’s rows (ours). Per unroll, the node-owned tables’ gradients are summed once from every tick’s rows (a gradient “tap”, ours), not as one dense [L, …] gradient per tick.',
          'A non-finite loss pauses training and rolls back to the last checkpoint (every 25 steps).',
        ],
      },
    ],
  },
  view: 'graph',
  graphView: { edges: 'gate', growth: (p) => p.growth.enabled },
  document: laraTableCodec(laraDims, undefined, (e) => e.params.bias),
  battery: { model: 'lara', params: (p) => p, sweepKeys: ['nodes', 'width', 'degree', 'threads', 'thinkTicks', 'learningRate', 'explore'] },
  loadTrainer: async () => (await import('./lara-trainer')).laraTrainerFactory,
};
