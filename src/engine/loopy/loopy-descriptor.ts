/** Loopy networks in the lab: one descriptor (see ../model-descriptor.ts). */
import { GRAPH_GENERATORS, type GraphGenerator } from '../graph-generator-kinds';
import { laraTableCodec } from '../lara/lara-document';
import type { LaraHostModel } from '../lara/lara-model';
import { learningRateControl, optionsOf, type ModelDescriptor, type WarningContext } from '../model-descriptor';
import {
  DEFAULT_LOOPY_PARAMS,
  isLocalRule,
  isTraceRule,
  LOOPY_FEEDBACKS,
  LOOPY_LIVE_PARAM_KEYS,
  LOOPY_MAX_EDGES,
  LOOPY_MAX_HIDDEN,
  LOOPY_PACINGS,
  LOOPY_RULES,
  loopyParamsSchema,
  type LoopyFeedback,
  type LoopyPacing,
  type LoopyParams,
  type LoopyRule,
} from './loopy-params';
import { loopyDims, loopyGraphProblem } from './loopy-document';
import { loopyStepEstimate } from './loopy-step-cost';

/** A step longer than this trains visibly slowly (2 steps a second): the Nodes slider warns from here. */
export const SLOW_STEP_MS = 500;

const duration = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 10) * 10} ms`);

/**
 * The Nodes slider's warning where a train step at this size is estimated slow on the backend the worker runs on
 * (loopy-step-cost.ts), else ''. It says what the figure rests on: the backend's model, this run's timed steps
 * (at this size, or scaled from the size they ran at), or, on a GPU backend before any step is timed, wasm's speed.
 */
export function loopySlowHint(p: LoopyParams, context: WarningContext<LoopyParams> = { backend: null }): string {
  const e = loopyStepEstimate(p, context);
  if (e.ms < SLOW_STEP_MS) return '';
  const at = `at ${p.hidden.toLocaleString('en-US')} nodes`;
  const slow = `Slow: about ${duration(e.ms)} per train step`;
  const fewer = 'fewer nodes, lanes or density train faster';
  const m = context.measured;
  switch (e.basis) {
    case 'model':
      return `${slow} on ${e.backend ?? 'wasm'} ${at}${isLocalRule(p.rule) ? ' (more: this rule runs on padded slots)' : ''}; ${fewer}`;
    case 'measured':
      return `${slow} on ${e.backend ?? 'wasm'} ${at} (this run's steps); ${fewer}`;
    case 'scaled':
      return `${slow} on ${e.backend ?? 'wasm'} ${at} (scaled from this run's ${duration(m?.stepMs ?? 0)} steps at ${(m?.params.hidden ?? 0).toLocaleString('en-US')} nodes); ${fewer}`;
    case 'wasm-class':
      return `${slow} ${at} at wasm speed (${e.backend === null ? 'the backend is still starting' : `${e.backend} is timed once it trains`}); ${fewer}`;
  }
}

const GRAPH_LABELS: Record<GraphGenerator, string> = {
  'erdos-renyi': 'Erdős–Rényi',
  'watts-strogatz': 'Watts–Strogatz',
  'barabasi-albert': 'Barabási–Albert',
  waxman: 'Waxman (spatial)',
  lattice: 'Ring lattice',
  'feed-forward': 'Feed-forward (no loops)',
};

const RULE_LABELS: Record<LoopyRule, string> = {
  bptt: 'BPTT',
  tbptt: 'Truncated BPTT',
  reservoir: 'Reservoir (read-out only)',
  hebbian: 'Three-factor Hebbian',
  perturbation: 'Node perturbation',
  eprop: 'e-prop (eligibility traces)',
  rflo: 'RFLO (random-feedback local online)',
};

const PACING_LABELS: Record<LoopyPacing, string> = { fixed: 'Fixed think ticks', 'read-node': 'Read node' };

const FEEDBACK_LABELS: Record<LoopyFeedback, string> = {
  random: 'Random (fixed)',
  symmetric: 'Symmetric (read-out weights)',
  mixed: 'Mixed (read-out where read, random elsewhere)',
};

export const loopyModel: ModelDescriptor<'loopy', 'sequence', LoopyParams, LaraHostModel, null> = {
  kind: 'loopy',
  label: 'Loopy network',
  summary: 'loopy network: a generated graph, all nodes active, no gates, tanh (rules bptt, tbptt, reservoir, hebbian, perturbation, eprop, rflo)',
  family: 'sequence',
  defaultTask: 'recall',
  schema: loopyParamsSchema,
  defaults: DEFAULT_LOOPY_PARAMS,
  liveKeys: LOOPY_LIVE_PARAM_KEYS,
  url: {
    graph: 'generator',
    rule: 'rule',
    pacing: 'pacing',
    nodes: 'hidden',
    density: 'degree',
    radius: 'spectralRadius',
    lr: 'learningRate',
    think: 'thinkTicks',
    width: 'width',
    noise: 'noise',
    leak: 'leak',
    feedback: 'feedback',
    batch: 'batch',
    window: 'window',
    rewire: 'rewire',
  },
  controls: {
    liveLegend: 'Training',
    restartLegend: 'Network',
    controls: [
      learningRateControl<LoopyParams>((p) =>
        isLocalRule(p.rule) && !isTraceRule(p.rule)
          ? 'Plain SGD step of the recurrent weights; Adam step of the read-out (log scale)'
          : 'Adam step size (log scale)',
      ),
      {
        type: 'slider',
        key: 'thinkTicks',
        label: 'Think ticks',
        min: 1,
        max: 16,
        step: 1,
        help: (p) => (p.pacing === 'read-node' ? 'Most ticks per symbol before a read is forced' : 'Ticks per input symbol; the output is read on the last'),
      },
      {
        type: 'slider',
        key: 'noise',
        label: 'Noise',
        min: 0.005,
        max: 0.5,
        step: 0.005,
        digits: 3,
        visible: (p) => isLocalRule(p.rule) && !isTraceRule(p.rule),
        help: 'Exploration noise of Hebbian and node perturbation: std of the kick added to every node’s pre-activation each tick',
      },
      { type: 'select', key: 'generator', label: 'Graph', options: optionsOf(GRAPH_GENERATORS, GRAPH_LABELS), help: 'How the graph is wired' },
      { type: 'select', key: 'rule', label: 'Learning rule', options: optionsOf(LOOPY_RULES, RULE_LABELS), help: 'How the network learns (see Help)' },
      {
        type: 'select',
        key: 'pacing',
        label: 'Pacing',
        options: optionsOf(LOOPY_PACINGS, PACING_LABELS),
        help: 'Fixed: think ticks per symbol. Read node: the output is read when the read node switches low to high',
      },
      {
        type: 'select',
        key: 'feedback',
        label: 'Feedback',
        options: optionsOf(LOOPY_FEEDBACKS, FEEDBACK_LABELS),
        visible: (p) => isTraceRule(p.rule),
        help: 'How e-prop and RFLO send the output error back to each node: fixed random weights, the read-out’s own (unread nodes then get none), or both',
      },
      {
        type: 'slider',
        key: 'leak',
        label: 'Leak',
        min: 0,
        max: 0.95,
        step: 0.05,
        digits: 2,
        help: 'Share of its old state a node keeps each tick (leaky neurons, as e-prop and RFLO assume); 0 = the plain tanh tick. Applies to every rule',
      },
      {
        type: 'slider',
        key: 'hidden',
        label: 'Nodes',
        min: Math.log10(8),
        max: Math.log10(LOOPY_MAX_HIDDEN),
        step: 0.01,
        scale: 'log',
        format: (v) => Math.round(v).toLocaleString('en-US'),
        set: (p, v) => ({ ...p, hidden: Math.min(LOOPY_MAX_HIDDEN, Math.max(8, Math.round(v))), degree: Math.min(p.degree, LOOPY_MAX_EDGES / Math.max(8, Math.round(v))) }),
        help: 'Hidden nodes (single neurons); input and output nodes come on top. A step costs about nodes x density; the line below says when a size will train slowly on the backend in use',
        warning: loopySlowHint,
      },
      {
        type: 'slider',
        key: 'degree',
        label: 'Density',
        min: 1,
        max: 16,
        step: 0.5,
        digits: 1,
        help: 'Mean in-degree of a hidden node (Watts–Strogatz, Barabási–Albert and the lattice round it to even)',
      },
      {
        type: 'slider',
        key: 'spectralRadius',
        label: 'Spectral radius',
        min: 0,
        max: 2,
        step: 0.05,
        digits: 2,
        help: 'The initial recurrent weights are scaled to this spectral radius',
      },
      { type: 'slider', key: 'width', label: 'Width', min: 1, max: 8, step: 1, help: 'Units per node: 1 = single neurons; more makes each node a small layer' },
    ],
  },
  help: {
    title: 'Loopy network',
    intro: [
      'Source: the seed *“Large Loopy Networks”*. The same engine with another policy: every node computes every tick, no gates, no thread, widths down to 1 (each node a single neuron). The graph comes from the chosen generator; the feed-forward graph is the loop-free control.',
    ],
    formulas: [
      'update of every node: `h_a ← tanh(Σ_b W_ab h_b + [a is input] W_in x)`; with Leak λ > 0: `h_a ← λ h_a + (1 − λ) tanh(…)` (leaky neurons, the model e-prop and RFLO were made for)',
      'e-prop / RFLO trace of synapse b → a: `e_ab ← (λ + ψ_a W_aa) e_ab + ψ_a h_b` (RFLO drops `ψ_a W_aa`: `e_ab ← λ e_ab + ψ_a h_b`), `ψ_a = (1 − λ) tanh′(u_a)`; on a read tick `L_a = Σ_k B_ak (softmax_k − target_k)`, `ΔW_ab ∝ Σ_t L_a(t) e_ab(t)`',
      'input: one node per symbol, driven by the one-hot symbol; output: one node per symbol, read out as `y = softmax(W_out h_out)`; loss = cross-entropy',
      'pacing *Fixed think ticks*: a symbol is fed on the first of Think ticks ticks, the output is read on the last',
      'pacing *Read node*: one more output node. The output is read on the tick its mean state crosses 0 upwards (low → high); the next symbol is fed for one tick after a read; after Think ticks ticks without one, a read is forced',
    ],
    lists: [
      {
        heading: 'Learning rules',
        items: [
          '**BPTT**: each train step is a whole sequence from a fresh state, backprop through every tick; Adam.',
          '**Truncated BPTT**: the state carries over from step to step; backprop stops at the step’s window.',
          '**Reservoir**: the recurrent weights stay as drawn; only the linear read-out trains (an echo-state network on the generated graph).',
          '**Three-factor Hebbian** (reward-modulated Oja, after Hoerzer, Legenstein & Maass 2014): one noisy run; `ΔW_ab ∝ M · (y_a − ȳ_a) · h_b − 0.01 · y_a² · W_ab`, M = a lane’s reward (−loss) minus the baseline, ȳ_a a trace of a’s recent activity.',
          '**Node perturbation** (Fiete & Seung 2006): a clean and a noisy run, noise ξ on every pre-activation; `ΔW_ab ∝ −(ΔL / σ²) Σ_t ξ_a h_b`, ΔL the noisy minus the clean loss: an unbiased gradient estimate as σ → 0.',
          '**e-prop** (Bellec et al. 2020, *Nat. Commun.* 11:3625): each synapse keeps an eligibility trace of how its weight moved its node’s state, through the node’s own recurrence (its self-loop and leak); the output error, fed back through B, turns the trace into a weight change. Adam on the resulting direction, as for BPTT.',
          '**RFLO** (random-feedback local online, Murray 2019, *eLife* 8:e43299): e-prop’s trace without the self-loop term, a low-pass filter `(1 − 1/τ)` of `tanh′(u_a) h_b`, with λ = 1 − 1/τ.',
          'The local rules backpropagate nothing through time; their read-out learns by the delta rule (its exact gradient).',
        ],
      },
      {
        heading: 'e-prop and RFLO: what is local and what is not',
        items: [
          'Local in time: the rule needs only what each tick gives, traces running forward with the network and the weights changing once per train step, from the sum over the step’s ticks. The lab computes the same sum faster after the window, by two scans back over its ticks per node (the trace recursion is per postsynaptic unit); the numbers are equal (tested against a plain tick-by-tick reference). Ours: an implementation choice, not part of the rule.',
          'Local in space: a synapse’s trace needs only its presynaptic state, its own node’s pre-activation and its node’s self-loop weight.',
          'Not local: the learning signal. The output error (softmax − target at each read) is broadcast to every node through the feedback weights B; a node needs its own row of B and the error vector.',
          'Random B is fixed and never learns; symmetric B copies the read-out’s current weights to the read nodes, a weight transport the brain would have to do. Unread nodes get no signal from symmetric B, so their incoming weights stay put; Mixed gives them random rows.',
          'What e-prop leaves out: every path from a weight to the loss through other nodes (the off-diagonal Jacobian). RFLO leaves out the self-loop too. With symmetric B, e-prop equals the true gradient over a one-tick window, and over any window on a graph of self-loops only with every node read (unit tests).',
        ],
      },
      {
        heading: 'From the seed',
        items: [
          'One-hot input nodes; one-hot output nodes plus a read node, read when it switches from low to high.',
          'After a read the next symbol is fed for one tick, and the output nodes get their error signal.',
          'The connectivity rule, degree, learning rate and learning rule are parameters; a local learning rule is the goal.',
        ],
      },
      {
        heading: 'Our choices (the seed leaves them open)',
        items: [
          'tanh; graph generators; reservoir and BPTT as references for the local rules.',
          'BPTT, truncated BPTT and the reservoir pass messages over the real edges, kept sorted by destination (CSR, as a sparse matrix–dense matrix product): one fused kernel computes `tanh(A_W h + drive)` per tick and one its backward (JS loops on cpu and wasm, WGSL on WebGPU, plain tfjs elsewhere), so a tick costs what its edges cost, up to 10,000 nodes. The local and trace rules keep the padded slots (their eligibility traces are per slot). The padded unroll is the reference the sparse one is tested against.',
          'Every rule starts from recurrent weights scaled to the chosen Spectral radius (of the linearised recurrence).',
          'The reservoir is read out from every node, as an echo-state network is; the other rules read the output nodes.',
          '“Low to high” is the read node’s mean state crossing 0 upwards; Think ticks caps the wait and forces a read.',
          'The read decision is discrete and not differentiated: gradients flow through the states that are read, so nothing trains the read node’s timing directly.',
          'Hebbian: the baseline is the mean reward over the parallel lanes; the activity trace is ȳ ← 0.8 ȳ + 0.2 y; Oja decay 0.01.',
          'Hebbian and node perturbation move the recurrent weights by plain SGD (Adam’s per-weight scaling would blow a weak, noisy signal up to full-size random steps); the read-out uses Adam.',
          'e-prop and RFLO feed their directions to Adam, as BPTT does (they estimate the gradient, so the same optimiser and learning rate make a fair comparison; Adam’s moments are per synapse and running in time, so they stay local).',
          'e-prop and RFLO: random B is drawn with the read-out’s initial scale; a neuron is one unit (with Width > 1, each unit’s own self-loop weight is its diagonal term); traces carry over from step to step with the state, and reset with it.',
          'Leak is one setting for every rule, so BPTT can be compared on the same leaky neurons; its default 0 keeps the plain tanh tick.',
        ],
      },
    ],
  },
  view: 'graph',
  graphView: { edges: 'weight' },
  document: laraTableCodec(loopyDims, loopyGraphProblem),
  battery: {
    model: 'loopy',
    params: (p) => p,
    sweepKeys: ['hidden', 'degree', 'width', 'spectralRadius', 'thinkTicks', 'learningRate', 'noise', 'leak', 'feedback', 'rule', 'generator', 'pacing'],
  },
  loadTrainer: async () => (await import('./loopy-trainer')).loopyTrainerFactory,
};
