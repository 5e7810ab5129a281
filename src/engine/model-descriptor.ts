/**
 * What the lab knows about one model kind, in one object: its label and
 * tasks, its parameter schema and defaults, which parameters change live,
 * its URL keys, its controls, its help text, the view that draws it, how its
 * export document is read and written, how the battery scores it, and how to
 * load its trainer. The registry (model-registry.ts) lists one per kind and
 * everything that used to switch on the model kind iterates it instead.
 *
 * Nothing here imports tfjs: the page reads descriptors on the main thread;
 * only loadTrainer (a dynamic import) brings a model's tfjs code, in a worker.
 */
import type { z } from 'zod';
import type { BatteryModelName } from './battery/battery-model-info';
import type { DatasetId } from './datasets/dataset-info';
import type { Graph } from './graph';
import type { TaskId } from './tasks/task';
import type { HostTensor, TensorHostModel } from './training/host-tensor';
import type { ExperimentShape, LabTrainer } from './training/trainer-core';

/** Sequence models read symbol streams (tasks); the feed-forward ones classify datasets. */
export type TaskFamily = 'sequence' | 'classification';
export type TaskIdOf<F extends TaskFamily> = F extends 'sequence' ? TaskId : DatasetId;

/** One experiment of one model kind: model + task + seed + parameters. */
export interface ExperimentOf<K extends string, F extends TaskFamily, P extends object> extends ExperimentShape {
  readonly model: K;
  readonly task: TaskIdOf<F>;
  readonly seed: number;
  readonly params: P;
}

/** Inline markup in help strings: `code`, **strong**, *emphasis*; nothing else is interpreted. */
export type HelpMarkup = string;

/** A model's section of the help panel: formulas, and which choices are the seed's and which are ours. */
export interface HelpText {
  readonly title: string;
  /** Paragraphs before the formulas (the source and the idea). */
  readonly intro: readonly HelpMarkup[];
  /** The model's equations, one per item. */
  readonly formulas: readonly HelpMarkup[];
  /** Headed lists: "From the seed", "Our choices (the seed leaves them open)", a model's rules. */
  readonly lists: readonly { readonly heading: string; readonly items: readonly HelpMarkup[] }[];
  /** Paragraphs after the lists. */
  readonly notes?: readonly HelpMarkup[];
}

interface ControlBase<P> {
  /** The parameter it sets; whether it is live or restarts follows from the descriptor's liveKeys. */
  readonly key: keyof P & string;
  /** The accessible name (the README's controls tables and the e2e tests use it). */
  readonly label: string;
  /** One line on what it does (the tooltip); may depend on the other parameters. */
  readonly help: string | ((p: P) => string);
  /** Shown only when this holds (e.g. a local rule's noise). */
  readonly visible?: (p: P) => boolean;
}

export interface SliderControl<P> extends ControlBase<P> {
  readonly type: 'slider';
  /** On a log scale these are log10 of the value. */
  readonly min: number;
  readonly max: number;
  readonly step: number;
  readonly scale?: 'linear' | 'log';
  /** Shown after the value ('%'). */
  readonly unit?: string;
  /** Decimals shown (linear); significant digits (log). */
  readonly digits?: number;
  /** Overrides the shown value entirely. */
  readonly format?: (value: number) => string;
  /** Reads and writes the value when it is not simply params[key] (nested, or moving other bounds with it). */
  readonly get?: (p: P) => number;
  readonly set?: (p: P, value: number) => P;
  /** A warning shown under the slider where not empty (a size that will train slowly), read out when it appears. */
  readonly warning?: (p: P, context: WarningContext<P>) => string;
}

/** The tfjs backends the lab trains on (protocol/experiment.ts BACKENDS; the engine does not import it). */
export type WarningBackend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** What a slider's warning knows of the run: the backend the worker trains on and, once steps are timed, how long they take. */
export interface WarningContext<P> {
  /** null until the worker has picked one. */
  readonly backend: WarningBackend | null;
  /** This run's recent median train-step time (ms) on that backend and the parameters it trained with (same model kind). */
  readonly measured?: { readonly stepMs: number; readonly params: P };
}

export interface SelectControl<P> extends ControlBase<P> {
  readonly type: 'select';
  readonly options: readonly { readonly value: string; readonly label: string }[];
}

export interface CheckboxControl<P> extends ControlBase<P> {
  readonly type: 'checkbox';
  readonly get?: (p: P) => boolean;
  readonly set?: (p: P, value: boolean) => P;
}

export type ControlDescriptor<P> = SliderControl<P> | SelectControl<P> | CheckboxControl<P>;

/** The model's controls in panel order, and the legends of its live and restarting groups. */
export interface ControlPanel<P> {
  readonly liveLegend: string;
  readonly restartLegend: string;
  readonly controls: readonly ControlDescriptor<P>[];
}

/** A URL key that is not a plain parameter: reads and writes a nested or derived value. */
export interface UrlField<P> {
  get(p: P): string | number | boolean;
  set(p: P, value: string | number | boolean): P;
}

/** Hash key -> the parameter it carries. */
export type UrlKeys<P> = Readonly<Record<string, (keyof P & string) | UrlField<P>>>;

/** The model-neutral form of a trained network: what the export document stores. */
export interface EncodedModel {
  readonly graph: Graph;
  /** Every weight as a named tensor, in graph order where it is per node or edge. */
  readonly tensors: Readonly<Record<string, HostTensor>>;
  /** Share of thread visits per node id (models without threads: uniform or empty). */
  readonly visitShare: ReadonlyMap<number, number>;
}

/** How a model's trained network is written to and read from the export document (no tfjs: imports are checked on the page). */
export interface DocumentCodec<E, H> {
  /** Whether parallel edges are allowed (DNA: several cells may join one input and output). */
  readonly parallelEdges: boolean;
  /** Why `graph` cannot be this experiment's (beyond the id checks every graph gets), or null. */
  graphProblem(experiment: E, graph: Graph): string | null;
  /** The tensors a document must hold for this experiment and graph, by name, with their shapes. */
  tensorShapes(experiment: E, graph: Graph): Readonly<Record<string, readonly number[]>>;
  /**
   * Float32 values of the largest tensor the trainer allocates for this
   * experiment and graph (packed: LARA's edge matrices are nodes x in-degree x
   * width²), so import refuses what no backend can hold before decoding a weight.
   */
  deviceFloats(experiment: E, graph: Graph): number;
  encode(model: H): EncodedModel;
  /** The host model from checked tensors (names, shapes and finite values already match tensorShapes). */
  decode(experiment: E, model: EncodedModel): H;
}

/** How the Battery panel scores a model kind: which battery model runs it, with which parameters, and what a sweep may vary. */
export interface BatteryHookup<P> {
  readonly model: BatteryModelName;
  /** The battery model's parameters from the lab's. */
  params(p: P): Readonly<Record<string, unknown>>;
  /** Parameters a sweep may vary (string-valued ones take names). */
  readonly sweepKeys: readonly (keyof P & string)[];
}

/** Makes and restores trainers of one kind (loaded in a worker, never on the page). */
export interface TrainerFactory<E extends ExperimentShape, H, D> {
  create(experiment: E): Promise<LabTrainer<E, H, D>>;
  /** A trainer resumed from a network at `step` (import, crash recovery). */
  fromModel(experiment: E, model: H, step: number): Promise<LabTrainer<E, H, D>>;
}

/**
 * What the graph view's edges and legend mean for a kind: what an edge's
 * brightness shows ('gate': how open its gate is on the tick shown;
 * 'weight': the size of its weight; 'message': the message it carries on the
 * tick shown), and whether nodes may be born and die (the legend's born/died).
 */
export interface GraphViewSpec<P> {
  readonly edges: 'gate' | 'weight' | 'message';
  readonly growth?: (p: P) => boolean;
}

/** The view that draws a model: the graph view, or a model's own (tagged by the kind of its frame detail). */
export type ViewOf<D> = D extends { readonly kind: infer V } ? V : 'graph';

export interface ModelDescriptor<K extends string, F extends TaskFamily, P extends object, H, D> {
  readonly kind: K;
  /** The Model select's label. */
  readonly label: string;
  /** One line for lists (the battery's model column, the README). */
  readonly summary: string;
  readonly family: F;
  readonly defaultTask: TaskIdOf<F>;
  /** The full parameter schema (strict: unknown keys are refused). */
  readonly schema: z.ZodType<P>;
  readonly defaults: P;
  /** Parameters that apply to the running experiment; the rest start a new one. */
  readonly liveKeys: readonly (keyof P & string)[];
  readonly url: UrlKeys<P>;
  readonly controls: ControlPanel<P>;
  readonly help: HelpText;
  readonly view: ViewOf<D>;
  /** For the graph view: what its edges show and which legend items apply (absent: gates, no growth). */
  readonly graphView?: GraphViewSpec<P>;
  readonly document: DocumentCodec<ExperimentOf<K, F, P>, H>;
  /** null: the battery scores sequence models only. */
  readonly battery: BatteryHookup<P> | null;
  loadTrainer(): Promise<TrainerFactory<ExperimentOf<K, F, P>, H, D>>;
}

/** Learning rate on a log scale, the same control in every model. */
export function learningRateControl<P extends { readonly learningRate: number }>(help: string | ((p: P) => string) = 'Adam step size (log scale)'): SliderControl<P> {
  return { type: 'slider', key: 'learningRate', label: 'Learning rate', min: -4, max: -0.5, step: 0.05, scale: 'log', digits: 2, help };
}

/** Select options from ids and their labels. */
export function optionsOf<T extends string>(ids: readonly T[], labels?: Readonly<Record<T, string>>): { value: T; label: string }[] {
  return ids.map((value) => ({ value, label: labels?.[value] ?? value }));
}

/** The codec of a model whose host form is its graph plus named tensors (stored as they are, so the largest allocation is the largest of them unless `deviceFloats` says more). */
export function tensorModelCodec<E>(
  spec: Pick<DocumentCodec<E, TensorHostModel>, 'parallelEdges' | 'graphProblem' | 'tensorShapes'> & Partial<Pick<DocumentCodec<E, TensorHostModel>, 'deviceFloats'>>,
): DocumentCodec<E, TensorHostModel> {
  return {
    deviceFloats: (experiment, graph) => Math.max(0, ...Object.values(spec.tensorShapes(experiment, graph)).map((shape) => shape.reduce((a, b) => a * b, 1))),
    ...spec,
    encode: (model) => ({ graph: model.graph, tensors: model.tensors, visitShare: new Map() }),
    decode: (_experiment, model) => ({ graph: model.graph, tensors: model.tensors }),
  };
}
