/** DNA cells in the lab: one descriptor (see ../model-descriptor.ts). */
import { learningRateControl, optionsOf, tensorModelCodec, type ModelDescriptor } from '../model-descriptor';
import type { TensorHostModel } from '../training/host-tensor';
import type { DnaDetail } from './dna-detail';
import { dnaGraphProblem, dnaTensorShapes } from './dna-document';
import {
  BIAS_MODES,
  DEFAULT_DNA_PARAMS,
  DNA_LIVE_PARAM_KEYS,
  dnaParamsSchema,
  EXTINCTION_MODES,
  REGROWTH_MODES,
  type BiasMode,
  type DnaParams,
  type ExtinctionMode,
  type RegrowthMode,
} from './dna-params';

const EXTINCTION_LABELS: Record<ExtinctionMode, string> = { percent: 'Top/bottom percent at a plateau', threshold: 'Weight thresholds (2·w0, w0/2)' };
const REGROWTH_LABELS: Record<RegrowthMode, string> = { split: 'Split strong cells (seed)', set: 'Random regrowth (SET)', rigl: 'Gradient regrowth (RigL)' };
const BIAS_LABELS: Record<BiasMode, string> = { 'per-output': 'One per output, shared (ours)', 'per-cell': 'One per cell (seed)' };

const percentMode = (p: DnaParams): boolean => p.extinction === 'percent';
const splitting = (p: DnaParams): boolean => p.regrowth === 'split';

export const dnaModel: ModelDescriptor<'dna', 'classification', DnaParams, TensorHostModel, DnaDetail> = {
  kind: 'dna',
  label: 'DNA cells (birth and death)',
  summary: 'DNA cells: one layer of cells that split and die as it learns',
  family: 'classification',
  defaultTask: 'mnist',
  schema: dnaParamsSchema,
  defaults: DEFAULT_DNA_PARAMS,
  liveKeys: DNA_LIVE_PARAM_KEYS,
  url: {
    w0: 'initialWeight',
    extinction: 'extinction',
    regrowth: 'regrowth',
    density: 'density',
    bias: 'bias',
    split: 'splitPercent',
    delete: 'deletePercent',
    patience: 'patience',
    warmup: 'warmupEpochs',
    lr: 'learningRate',
    batch: 'batch',
    noise: 'noise',
  },
  controls: {
    liveLegend: 'Extinction',
    restartLegend: 'Layer',
    controls: [
      { type: 'select', key: 'extinction', label: 'Extinction mode', options: optionsOf(EXTINCTION_MODES, EXTINCTION_LABELS), help: 'When cells split and die' },
      {
        type: 'select',
        key: 'regrowth',
        label: 'Regrowth',
        options: optionsOf(REGROWTH_MODES, REGROWTH_LABELS),
        help: (p) =>
          p.regrowth === 'split'
            ? 'The seed’s rule: strong cells split in two (A and B on the same input-output pair)'
            : p.regrowth === 'set'
              ? 'SET (Mocanu et al. 2018): as many input-output pairs as died regrow at random among the absent ones, w = 0'
              : 'RigL (Evci et al. 2020): as many pairs as died regrow where the dense gradient |dL/dW| of absent pairs is largest, w = 0',
      },
      {
        type: 'slider',
        key: 'splitPercent',
        label: 'Split percent',
        min: 0,
        max: 50,
        step: 1,
        unit: '%',
        help: (p) =>
          !splitting(p) ? 'Unused: SET and RigL regrow instead of splitting' : percentMode(p) ? 'Share of cells with the most passthrough that split in two at each extinction event' : 'Used in percent mode only',
      },
      {
        type: 'slider',
        key: 'deletePercent',
        label: 'Delete percent',
        min: 0,
        max: 50,
        step: 1,
        unit: '%',
        help: (p) => (percentMode(p) ? 'Share of cells with the least passthrough that die at each extinction event' : 'Used in percent mode only'),
      },
      {
        type: 'slider',
        key: 'patience',
        label: 'Patience',
        min: 1,
        max: 10,
        step: 1,
        format: (v) => `${v} epoch${v === 1 ? '' : 's'}`,
        help: 'Epochs without a better loss before an extinction event',
      },
      learningRateControl(),
      {
        type: 'slider',
        key: 'density',
        label: 'Density',
        min: 5,
        max: 100,
        step: 5,
        unit: '%',
        get: (p) => Math.round(p.density * 100),
        set: (p, v) => ({ ...p, density: v / 100 }),
        help: (p) =>
          `Share of the input-output pairs (7,840 for digits) holding a cell at the start, picked at random (seeded). ${splitting(p) ? 'Split mode starts there and then follows the seed’s rule.' : 'SET and RigL keep the pair count at every extinction.'}`,
      },
      {
        type: 'select',
        key: 'bias',
        label: 'Bias',
        options: optionsOf(BIAS_MODES, BIAS_LABELS),
        help: (p) =>
          p.bias === 'per-output'
            ? 'Ours: one bias per output shared by its cells, so a cell’s death leaves the output’s bias as it was'
            : 'The seed’s: every cell has its own b, and a dying cell takes its b with it',
      },
      {
        type: 'slider',
        key: 'initialWeight',
        label: 'Initial weight',
        min: 0.01,
        max: 1,
        step: 0.01,
        digits: 2,
        help: 'w0 of every initial cell: 1 in the seed’s text, 1/outputs (0.1 for ten digits) in the seed’s code',
      },
    ],
  },
  help: {
    title: 'DNA: cells that are born and die',
    intro: [
      'Source: the seed on DNA-like growth. One layer of **cells**; each cell is an edge i → j from an input to an output with its own weight and bias. Cells with much traffic split, cells with little die, so the layer grows where the data needs it.',
    ],
    formulas: [
      'output: `o_j = β_j + Σ_(cells c: i→j) w_c · x_i` with *Bias* per output (ours, the default), or `o_j = Σ_(cells c: i→j) (w_c · x_i + b_c)` with a bias per cell (the seed’s); `y = softmax(o)`; loss = cross-entropy; Adam on every w and bias',
      'start: every input joined to every output by one cell, `w = w0`, `b = 0`. The seed’s text says w0 = 1, its code 1/outputs: the *Initial weight* slider picks (default 0.1 = 1/10 for digits)',
      'passthrough of a cell: mean `|w · x_i + b|` over recent batches (an exponential average)',
      'extinction (percent mode): after the warm-up epochs, whenever the epoch loss has not improved for *Patience* epochs, the top *Split percent* of cells by passthrough split (A keeps `w/2, b`, a new B gets `w/2, b = 0`, so the layer computes the same right after) and the bottom *Delete percent* die',
      'threshold mode: split cells with `|w| > 2·w0`, kill cells with `|w| < w0/2` (we compare |w|: a weight can turn negative)',
      '*Regrowth* SET (Mocanu et al. 2018, “Scalable training of artificial neural networks with adaptive sparse connectivity”) or RigL (Evci et al. 2020, “Rigging the lottery”): nothing splits; the same cells die, then as many input-output pairs as they removed regrow among the pairs without a cell: SET uniformly at random, RigL where `|∂L/∂W_ij|` of the dense weight is largest, `∂L/∂W = xᵀ(softmax(o) − y)/B` on 1,024 seeded train rows at the event. New cells start at `w = 0` (and no bias), so the layer computes the same right after the births',
      '*Density*: the share of the D·C input-output pairs that hold a cell at the start (uniform, seeded, at least one per output). SET and RigL keep that count at every event; split mode starts there and then follows the seed (splits add cells on existing pairs, deaths can remove pairs)',
      'every output keeps at least one cell; cell ids are never reused; new cells start with fresh Adam moments',
    ],
    lists: [
      {
        heading: 'Our choices (the seed leaves them open)',
        items: [
          'p% of E cells is rounded up (a 4-cell layer still changes); ties go in a seeded random order.',
          'The layer is capped at 4 cells per input-output pair on average.',
          'Bias per output (the default) is ours: the seed gives every cell its own b, so a dead cell takes its bias with it and the loss can jump after an extinction; it also makes Adam move an output’s bias about 784 times faster than one weight. The per-cell form stays as an option. Files keep one cellB per cell; with per-output biases the output’s bias is written on its first cell, and import sums cellB per output (so older per-cell files load with the same function).',
          'SET and RigL here keep the seed’s extinction trigger (a loss plateau) and its death rule (least passthrough, or |w| < w0/2), not the papers’ fixed schedules and magnitude pruning; RigL’s gradient batch (1,024 rows) and zero start for SET’s new cells are ours; regrown pairs may include a pair that just died.',
        ],
      },
    ],
    notes: [
      'The view draws every cell as a line from its input (a 28×28 grid for digits) to its output: blue positive, orange negative, thickness by |w| or passthrough. Births flash green, deaths red; the Cells chart counts them.',
    ],
  },
  view: 'dna',
  document: tensorModelCodec({ parallelEdges: true, graphProblem: dnaGraphProblem, tensorShapes: dnaTensorShapes }),
  battery: null,
  loadTrainer: async () => (await import('./dna-trainer')).dnaTrainerFactory,
};
