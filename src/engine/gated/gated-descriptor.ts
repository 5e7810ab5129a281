/**
 * GRU and LSTM in the lab: one descriptor each (see ../model-descriptor.ts),
 * built from what the two cells share. The cells themselves are the
 * battery's baselines (../baselines/gru.ts, lstm.ts), tested there against
 * float64 references; this folder runs them live.
 */
import { learningRateControl, tensorModelCodec, type HelpText, type ModelDescriptor } from '../model-descriptor';
import type { TensorHostModel } from '../training/host-tensor';
import { gatedSizes, gatedTensorShapes } from './gated-document';
import { gatedGraphProblem } from './gated-graph';
import { DEFAULT_GATED_PARAMS, GATED_LIVE_PARAM_KEYS, gatedParamsSchema, type GatedExperiment, type GatedKind, type GatedParams } from './gated-params';

const SHARED_CHOICES = [
  'Each hidden unit is a node; the input symbols and the output classes are nodes too. An edge is a weight: input → unit, unit → unit (the recurrent matrix), unit → output.',
  'Edge brightness is the message strength on the tick shown, normalised per kind of edge: `|w_ba| · |h_b|`, with |w_ba| the norm of the weight over the gate blocks. Node colour is the unit’s state h.',
  'Training: truncated BPTT over *Window* symbols per step, every lane’s state carried to the next step; Adam with global-norm clipping; PyTorch’s initialisation (uniform ±1/√H, zero biases).',
  'The same cells score the battery as its GRU and LSTM baselines.',
];

function gatedModel<K extends GatedKind>(kind: K, text: { label: string; summary: string; help: HelpText }): ModelDescriptor<K, 'sequence', GatedParams, TensorHostModel, null> {
  return {
    kind,
    label: text.label,
    summary: text.summary,
    family: 'sequence',
    defaultTask: 'recall',
    schema: gatedParamsSchema,
    defaults: DEFAULT_GATED_PARAMS,
    liveKeys: GATED_LIVE_PARAM_KEYS,
    url: { lr: 'learningRate', units: 'hidden', clip: 'gradClip', batch: 'batch', window: 'window' },
    controls: {
      liveLegend: 'Training',
      restartLegend: 'Network',
      controls: [
        learningRateControl(),
        { type: 'slider', key: 'window', label: 'Window', min: 1, max: 64, step: 1, help: 'Symbols per train step: how far back the gradient flows' },
        { type: 'slider', key: 'hidden', label: 'Units', min: 2, max: 64, step: 1, help: 'Hidden units of the recurrent layer (one node each)' },
      ],
    },
    help: text.help,
    view: 'graph',
    graphView: { edges: 'message' },
    document: tensorModelCodec<GatedExperiment<K>>({
      parallelEdges: false,
      graphProblem: (e, graph) => gatedGraphProblem(gatedSizes(e.task, e.params.hidden), graph),
      tensorShapes: (e) => gatedTensorShapes(kind, gatedSizes(e.task, e.params.hidden)),
    }),
    battery: { model: kind, params: (p) => ({ hidden: p.hidden, learningRate: p.learningRate, gradClip: p.gradClip }), sweepKeys: ['hidden', 'learningRate'] },
    loadTrainer: async () => (await import('./gated-trainer')).gatedTrainerFactory(kind),
  };
}

export const gruModel = gatedModel('gru', {
  label: 'GRU',
  summary: 'GRU: one gated recurrent layer (PyTorch convention), truncated BPTT, Adam',
  help: {
    title: 'GRU: gated recurrent unit',
    intro: [
      'The standard gated recurrent network (Cho et al. 2014) in the convention of PyTorch and cuDNN, as a reference beside the lab’s own models: every unit updates every step, nothing is routed.',
    ],
    formulas: [
      'reset and update gates: `r = σ(x Wx_r + bx_r + h Wh_r + bh_r)`, `z = σ(x Wx_z + bx_z + h Wh_z + bh_z)`',
      'candidate: `n = tanh(x Wx_n + bx_n + r ⊙ (h Wh_n + bh_n))` (PyTorch applies r after the matmul; Cho et al. before it)',
      'new state: `h′ = (1 − z) ⊙ n + z ⊙ h`; read-out `y = softmax(h′ Wy + by)`; loss = cross-entropy',
    ],
    lists: [{ heading: 'Our choices', items: SHARED_CHOICES }],
  },
});

export const lstmModel = gatedModel('lstm', {
  label: 'LSTM',
  summary: 'LSTM: one long short-term memory layer (forget gate, no peepholes), truncated BPTT, Adam',
  help: {
    title: 'LSTM: long short-term memory',
    intro: [
      'The standard LSTM (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000, no peepholes), as PyTorch and Keras write it: a reference beside the lab’s own models.',
    ],
    formulas: [
      'gates: `z = x Wx + h Wh + b`, split into `i = σ(z_i)`, `f = σ(z_f)`, `g = tanh(z_g)`, `o = σ(z_o)`',
      'cell and state: `c′ = f ⊙ c + i ⊙ g`, `h′ = o ⊙ tanh(c′)`; read-out `y = softmax(h′ Wy + by)`; loss = cross-entropy',
    ],
    lists: [{ heading: 'Our choices', items: [...SHARED_CHOICES, 'The forget gate’s bias starts at 1 (Gers et al.; Keras’s unit_forget_bias), so the cell remembers from the start.'] }],
  },
});
