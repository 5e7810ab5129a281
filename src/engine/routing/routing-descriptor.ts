/** Routing modules in the lab: one descriptor (see ../model-descriptor.ts). */
import { learningRateControl, optionsOf, tensorModelCodec, type ModelDescriptor } from '../model-descriptor';
import type { TensorHostModel } from '../training/host-tensor';
import type { RoutingDetail } from './routing-detail';
import { DEFAULT_ROUTING_PARAMS, ROUTER_KINDS, ROUTING_ACTIVATIONS, ROUTING_LIVE_PARAM_KEYS, routingParamsSchema, SKIP_KINDS, type RoutingParams } from './routing-params';
import { routingGraphProblem, routingTensorShapes } from './routing-document';

export const routingModel: ModelDescriptor<'routing', 'classification', RoutingParams, TensorHostModel, RoutingDetail> = {
  kind: 'routing',
  label: 'Routing modules (adaptive sparsity)',
  summary: 'routing modules: a stack of layers whose routers learn to skip layers per example',
  family: 'classification',
  defaultTask: 'circle',
  schema: routingParamsSchema,
  defaults: DEFAULT_ROUTING_PARAMS,
  liveKeys: ROUTING_LIVE_PARAM_KEYS,
  url: {
    layers: 'layers',
    width: 'width',
    act: 'activation',
    routing: 'routing',
    router: 'router',
    skip: 'skip',
    sparsity: 'lambdaS',
    l1: 'lambda1',
    lr: 'learningRate',
    batch: 'batch',
    noise: 'noise',
  },
  controls: {
    liveLegend: 'Training',
    restartLegend: 'Stack',
    controls: [
      { type: 'slider', key: 'lambdaS', label: 'Sparsity λs', min: 0, max: 0.5, step: 0.005, digits: 3, help: 'Weight of mean(p_exec) in the loss: higher skips more layers' },
      { type: 'slider', key: 'lambda1', label: 'Skip L1 λ1', min: 0, max: 0.01, step: 0.0001, digits: 4, help: 'Weight of |S|₁ over the skip matrices' },
      learningRateControl(),
      { type: 'checkbox', key: 'routing', label: 'Routing modules', help: 'Off: the same stack with every layer always executed (the baseline)' },
      {
        type: 'select',
        key: 'router',
        label: 'Router',
        options: optionsOf(ROUTER_KINDS),
        help: 'How training sees the router. soft: mixes both paths by p (the seed’s). straight-through: runs the hard decision p_exec > 0.5 and passes p’s gradient back (Bengio et al. 2013). gumbel: the same with Gumbel noise on the scores, τ = 1 (straight-through Gumbel-softmax, Jang et al. 2017 / Maddison et al. 2017, as ConvNet-AIG gates layers, Veit & Belongie 2018)',
      },
      {
        type: 'select',
        key: 'skip',
        label: 'Skip path',
        options: optionsOf(SKIP_KINDS),
        help: 'dense: h S with S zero at the start (the seed’s; costs as much as the layer). identity-diagonal: h ⊙ (1 + d), d zero at the start, so a skip starts as the identity (as ConvNet-AIG’s) and costs W multiply-adds instead of W² (the diagonal is ours)',
      },
      { type: 'slider', key: 'layers', label: 'Layers', min: 1, max: 12, step: 1, help: 'Routed layers between the input projection and the read-out' },
      { type: 'slider', key: 'width', label: 'Width', min: 2, max: 128, step: 1, help: 'Units per layer' },
      { type: 'select', key: 'activation', label: 'Activation', options: optionsOf(ROUTING_ACTIVATIONS), help: 'Activation of every layer' },
      { type: 'slider', key: 'noise', label: 'Noise', min: 0, max: 0.5, step: 0.05, digits: 2, help: 'Playground’s label noise of the 2-D datasets' },
    ],
  },
  help: {
    title: 'Routing modules: adaptive sparsity',
    intro: ['Source: the seed on routing modules. A stack of layers with a small router before each that decides to run the layer or skip it, per example.'],
    formulas: [
      'router: one linear layer scores {execute, skip}, `p = softmax(h_l R_l + r_l)`',
      'training (soft router): `h_(l+1) = p_exec · f_l(h_l) + p_skip · skip_l(h_l)`, `f_l(h) = act(h W_l + b_l)`',
      'training (straight-through router): `g = 1[p_exec > 0.5]` forward, `∂g/∂p_exec = 1` backward; `h_(l+1) = g · f_l(h_l) + (1 − g) · skip_l(h_l)` (Bengio et al. 2013)',
      'training (gumbel router): the same with `p_exec = sigmoid(z_exec − z_skip + L)`, `L` logistic noise (the difference of two Gumbels), τ = 1 (Jang et al. 2017; Maddison et al. 2017; ConvNet-AIG, Veit & Belongie 2018)',
      'skip path: dense `skip_l(h) = h S_l` (S_l zero at the start), or identity-diagonal `skip_l(h) = h ⊙ (1 + d_l)` (d_l zero at the start)',
      'loss = cross-entropy `+ λs · mean(p_exec) + λ1 · Σ|S|` (Σ|d| for the identity skip)',
      'inference (hard, every router): run the layer only if `p_exec > 0.5`, else take the skip path; predictions gather each layer’s executing rows and run the layer on them alone',
    ],
    lists: [
      {
        heading: 'Our choices (the seed leaves them open)',
        items: [
          'The seed’s pseudocode multiplies a path distribution by an activation vector, which does not type-check, so we follow its prose (the formula above).',
          'The router starts biased to execute (p_exec ≈ 0.88), so a new stack starts close to the plain stack and learns to skip.',
          'A skip through a dense S costs as many multiply-adds as the layer it replaces: “skipped” counts layer executions, not time saved. The identity-diagonal skip (ours: a learnt diagonal on ConvNet-AIG’s identity) costs W multiply-adds.',
          'The sparsity penalty uses the noiseless p_exec for every router; the Gumbel noise is drawn on the host from (seed, step), so runs repeat exactly; τ = 1 is fixed (ours).',
          '`npm run study -- routing-kinds` measures the inference time hard routing saves with the executing rows gathered; on small stacks the gathers can cost more than the skipped layers.',
          'Soft routers that settle near 0.5 can make hard routing lose accuracy that soft routing does not; the sweep (compute saved against accuracy lost over λs) shows where.',
        ],
      },
    ],
  },
  view: 'routing',
  document: tensorModelCodec({ parallelEdges: false, graphProblem: routingGraphProblem, tensorShapes: (e) => routingTensorShapes(e) }),
  battery: null,
  loadTrainer: async () => (await import('./routing-trainer')).routingTrainerFactory,
};
