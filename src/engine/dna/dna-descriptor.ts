/** DNA cells in the lab: one descriptor (see ../model-descriptor.ts). */
import { learningRateControl, optionsOf, tensorModelCodec, type ModelDescriptor } from '../model-descriptor';
import type { TensorHostModel } from '../training/host-tensor';
import type { DnaDetail } from './dna-detail';
import { dnaGraphProblem, dnaTensorShapes } from './dna-document';
import { DEFAULT_DNA_PARAMS, DNA_LIVE_PARAM_KEYS, dnaParamsSchema, EXTINCTION_MODES, type DnaParams, type ExtinctionMode } from './dna-params';

const EXTINCTION_LABELS: Record<ExtinctionMode, string> = { percent: 'Top/bottom percent at a plateau', threshold: 'Weight thresholds (2·w0, w0/2)' };

const percentMode = (p: DnaParams): boolean => p.extinction === 'percent';

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
        type: 'slider',
        key: 'splitPercent',
        label: 'Split percent',
        min: 0,
        max: 50,
        step: 1,
        unit: '%',
        help: (p) => (percentMode(p) ? 'Share of cells with the most passthrough that split in two at each extinction event' : 'Used in percent mode only'),
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
      'output: `o_j = Σ_(cells c: i→j) (w_c · x_i + b_c)`, `y = softmax(o)`; loss = cross-entropy; Adam on every w and b',
      'start: every input joined to every output by one cell, `w = w0`, `b = 0`. The seed’s text says w0 = 1, its code 1/outputs: the *Initial weight* slider picks (default 0.1 = 1/10 for digits)',
      'passthrough of a cell: mean `|w · x_i + b|` over recent batches (an exponential average)',
      'extinction (percent mode): after the warm-up epochs, whenever the epoch loss has not improved for *Patience* epochs, the top *Split percent* of cells by passthrough split (A keeps `w/2, b`, a new B gets `w/2, b = 0`, so the layer computes the same right after) and the bottom *Delete percent* die',
      'threshold mode: split cells with `|w| > 2·w0`, kill cells with `|w| < w0/2` (we compare |w|: a weight can turn negative)',
      'every output keeps at least one cell; cell ids are never reused; new cells start with fresh Adam moments',
    ],
    lists: [
      {
        heading: 'Our choices (the seed leaves them open)',
        items: [
          'p% of E cells is rounded up (a 4-cell layer still changes); ties go in a seeded random order.',
          'The layer is capped at 4 cells per input-output pair on average.',
          'A dead cell takes its bias with it, so the loss can jump after an extinction.',
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
