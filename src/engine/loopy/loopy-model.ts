/**
 * Large loopy networks (seed 001, docs/ARCHITECTURE.md) on the LARA engine: the same
 * packed graph and unroll with another policy — every node computes every
 * tick, gates off, tanh, widths down to one neuron. One input node per input
 * symbol, clamped to its one-hot drive; one output node per class, read out
 * through a linear layer on the last think tick of each symbol.
 *
 * Learning rules: 'bptt' (each batch is a whole sequence, from a fresh
 * state), 'tbptt' (state carried from batch to batch, backprop truncated at
 * the batch), 'reservoir' (the recurrent weights stay as drawn, rescaled to
 * the spectral radius; only the read-out, from every node, trains: an
 * echo-state network on the generated graph), the local rules 'hebbian'
 * and 'perturbation' (loopy-local-rules.ts; state carried as in tbptt), and
 * the trace rules 'eprop' and 'rflo' (loopy-eprop.ts; state and eligibility
 * traces carried as in tbptt, Adam on their directions).
 */
import * as tf from '@tensorflow/tfjs';
import { assertLanes, batchTensors, perturbVariable, removeEntries, scoredCount } from '../baselines/baseline-common';
import { AdamOptimizer } from '../training/adam';
import { checkpointVariables } from '../training/checkpoint';
import type { Graph } from '../graph';
import { generateGraph, generatorLayout, generatorLayoutHint, type GeneratorOptions } from '../graph-generators';
import { createTopology, disposeTopology, readoutLoss, type LaraTopology } from '../lara/lara-forward';
import { packGraph, type Packing } from '../packing';
import { createRng, deriveSeed, normalArray } from '../random';
import { scorePredictions, type BatchScore, type Evaluation, type ModelSpec, type SequenceModel } from '../sequence-model';
import { type WeightCheckpoint } from '../training/checkpoint';
import type { TaskBatch } from '../tasks/task';
import { feedbackUsesReadout, fixedFeedbackWeights, traceRuleDirections } from './loopy-eprop';
import { applyLocalUpdate, localRuleDirections } from './loopy-local-rules';
import { isLocalRule, isTraceRule, loopyParamsSchema, type LocalRule, type LoopyParams, type LoopyParamsInput, type TraceRule } from './loopy-params';
import { sparseNonzeros, sparseSpectralRadius } from './loopy-spectral';
import { createLoopyEdges, disposeLoopyEdges, loopyUnroll, type LoopyWeights, type ReadNodePacing } from './loopy-unroll';
import { newVariable } from '../variables';

function loopyGeneratorOptions(spec: Pick<ModelSpec, 'inputSize' | 'outputSize' | 'seed'>, p: LoopyParams): GeneratorOptions {
  return {
    generator: p.generator,
    hidden: p.hidden,
    inputs: spec.inputSize,
    outputs: spec.outputSize,
    readNode: p.pacing === 'read-node',
    degree: p.degree,
    rewire: p.rewire,
    selfLoops: p.selfLoops,
    seed: deriveSeed(spec.seed, 'loopy-graph'),
  };
}

/** Builds the seeded graph, with one input node per symbol and one output node per class, and the generator's layout hint. */
export function loopyGraph(spec: Pick<ModelSpec, 'inputSize' | 'outputSize' | 'seed'>, p: LoopyParams): Graph {
  const opts = loopyGeneratorOptions(spec, p);
  return withLoopyLayout(generateGraph(opts), spec, p);
}

/** `graph` with the generator's layout hint (an imported graph arrives without one: hints do not travel in documents). */
export function withLoopyLayout(graph: Graph, spec: Pick<ModelSpec, 'inputSize' | 'outputSize' | 'seed'>, p: LoopyParams): Graph {
  if (graph.layout) return graph;
  const layout = generatorLayoutHint(loopyGeneratorOptions(spec, p));
  return layout ? { ...graph, layout } : graph;
}

/** Read-node pacing for a packing of `loopyGraph`, or undefined in fixed mode. */
export function readNodePacing(packing: Packing, spec: Pick<ModelSpec, 'inputSize' | 'outputSize'>, p: LoopyParams): ReadNodePacing | undefined {
  if (p.pacing !== 'read-node') return undefined;
  const id = generatorLayout({ hidden: p.hidden, inputs: spec.inputSize, outputs: spec.outputSize, readNode: true }).read as number;
  return { position: packing.nodeIds.indexOf(id), maxTicks: p.thinkTicks };
}


/**
 * Seeded edge weights [L, K*H, H] (packed), rescaled so that the linearised
 * recurrence h <- W h (tanh'(0) = 1) has the requested spectral radius; a
 * feed-forward graph, whose radius is 0, gets the scale of a loopy graph of
 * the same fan-in.
 */
export function initLoopyEdges(packing: Packing, H: number, spectral: number, seed: number): Float32Array {
  const { L, K } = packing;
  const w = normalArray(createRng(deriveSeed(seed, 'loopy-edges')), L * K * H * H, 1);
  for (let slot = 0; slot < L * K; slot++) if ((packing.mask[slot] as number) === 0) w.fill(0, slot * H * H, (slot + 1) * H * H);
  // The linearised recurrence as sparse entries (row a*H+j, column b*H+i), in the order a dense sum would add them.
  const n = L * H;
  const count = packing.mask.reduce((c, m) => c + (m > 0 ? H * H : 0), 0);
  const rows = new Int32Array(count);
  const cols = new Int32Array(count);
  const values = new Float64Array(count);
  let k = 0;
  for (let a = 0; a < L; a++) {
    for (let s = 0; s < K; s++) {
      const b = packing.source[a * K + s] as number;
      if ((packing.mask[a * K + s] as number) === 0) continue;
      for (let i = 0; i < H; i++) {
        for (let j = 0; j < H; j++) {
          rows[k] = a * H + j;
          cols[k] = b * H + i;
          values[k++] = w[((a * K + s) * H + i) * H + j] as number;
        }
      }
    }
  }
  const entries = { n, rows, cols, values };
  // A random sparse matrix with unit-variance entries and `fanIn` of them per row has spectral radius about sqrt(fanIn).
  const typical = Math.sqrt(Math.max(1, sparseNonzeros(entries) / n));
  const radius = sparseSpectralRadius(entries, seed);
  // A feed-forward graph is nilpotent (radius 0): give it the scale a loopy graph of the same fan-in gets, not all-zero weights.
  const scale = spectral / (radius > 1e-6 * typical ? radius : typical);
  return w.map((x) => x * scale);
}

/** How messages pass: 'sparse' (the edge list, kernels/edge-spmm.ts) or 'padded' (LARA's slots, the reference). */
export type LoopyEdgeLayout = 'sparse' | 'padded';

export interface LoopyEngineOptions {
  /** Default 'sparse' for bptt, tbptt and the reservoir; the local and trace rules read padded slot rows and stay padded. */
  readonly edges?: LoopyEdgeLayout;
}

/** The layout a rule runs on. */
export function loopyEdgeLayout(rule: LoopyParams['rule'], options: LoopyEngineOptions = {}): LoopyEdgeLayout {
  return isLocalRule(rule) ? 'padded' : (options.edges ?? 'sparse');
}

export function createLoopySequenceModel(spec: ModelSpec, params: LoopyParamsInput = {}, options: LoopyEngineOptions = {}): SequenceModel {
  const p = loopyParamsSchema.parse(params);
  const graph = loopyGraph(spec, p);
  // A reservoir is read from every node, as an echo-state network is; trained networks from their output nodes.
  const readAll = p.rule === 'reservoir';
  const packing = packGraph(graph, readAll);
  const reads = packing.readPositions.length;
  const { L, K } = packing;
  const H = p.width;
  const D = spec.inputSize;
  const C = spec.outputSize;
  const B = spec.lanes;
  const topo: LaraTopology = createTopology(packing, 1);
  const pacing = readNodePacing(packing, spec, p);
  const rule = p.rule;
  const rng = createRng(deriveSeed(spec.seed, 'loopy-readout'));
  const edgeMask = new Float32Array(L * K * H * H);
  for (let slot = 0; slot < L * K; slot++) if ((packing.mask[slot] as number) > 0) edgeMask.fill(1, slot * H * H, (slot + 1) * H * H);
  const vars = {
    edgeW: newVariable(() => tf.tensor3d(initLoopyEdges(packing, H, p.spectralRadius, spec.seed), [L, K * H, H]), rule !== 'reservoir'),
    readoutW: newVariable(() => tf.tensor2d(normalArray(rng, reads * H * C, 1 / Math.sqrt(reads * H)), [reads * H, C])),
  };
  const fixed = {
    inputW: tf.tensor3d(loopyInputWeights(D, H, p.inputScale), [D, D, H]),
    mask: newVariable(() => tf.tensor3d(edgeMask, [L, K * H, H]), false),
  };
  const trained = rule === 'reservoir' ? [vars.readoutW] : [vars.edgeW, vars.readoutW];
  // Hebbian and perturbation move the recurrent weights themselves (applyLocalUpdate); Adam trains the rest,
  // e-prop's and RFLO's directions included (they estimate the gradient, as BPTT's does).
  const optimizer = new AdamOptimizer(isLocalRule(rule) && !isTraceRule(rule) ? [vars.readoutW] : trained, p.learningRate, p.gradClip);
  const fixedFeedback = isTraceRule(rule) ? fixedFeedbackWeights(p.feedback, L, H, C, packing.readPositions, deriveSeed(spec.seed, 'loopy-feedback')) : null;
  const feedback = { fixed: fixedFeedback ? tf.tensor3d(fixedFeedback, [L, H, C]) : null, readOut: feedbackUsesReadout(p.feedback) };
  const weights = (): LoopyWeights => ({
    edgeW: tf.mul(vars.edgeW, fixed.mask) as tf.Tensor3D,
    inputW: fixed.inputW,
    readoutW: vars.readoutW as tf.Tensor2D,
  });
  let h: tf.Tensor3D = tf.zeros([L, B, H]);
  // Eligibility traces of the trace rules, carried and reset with the state.
  let traces: tf.Tensor4D | null = isTraceRule(rule) ? tf.zeros([L, B, K * H, H]) : null;
  let localSteps = 0;

  const edges = loopyEdgeLayout(rule, options) === 'sparse' ? createLoopyEdges(topo) : undefined;
  const forward = (x: tf.Tensor2D, steps: number) => loopyUnroll(weights(), topo, { h0: h, x, steps, thinkTicks: p.thinkTicks, readNode: pacing, leak: p.leak, edges });

  const resetState = (): void => {
    h.dispose();
    h = tf.zeros([L, B, H]);
    if (traces) {
      traces.dispose();
      traces = tf.zeros([L, B, K * H, H]);
    }
  };

  /** One step of e-prop or RFLO: directions from loopy-eprop, Adam on both weight tensors. */
  const trainTraces = async (batch: TaskBatch, traceRule: TraceRule): Promise<BatchScore> => {
    const t = batchTensors(batch, D, C);
    const r = traceRuleDirections({
      rule: traceRule,
      edgeW: vars.edgeW,
      readoutW: vars.readoutW,
      inputW: fixed.inputW,
      edgeMask: fixed.mask as tf.Tensor3D,
      topo,
      h0: h,
      traces0: traces as tf.Tensor4D,
      x: t.x,
      targets: t.targets,
      scored: t.scored,
      steps: batch.length,
      thinkTicks: p.thinkTicks,
      readNode: pacing,
      leak: p.leak,
      feedback,
    });
    optimizer.apply([r.edgeW, r.readoutW]);
    const [loss, correct] = await Promise.all([r.loss.data(), r.correct.data()]);
    tf.dispose([r.edgeW, r.readoutW, r.loss, r.correct, r.scoredCount, r.thinkSum, t.x, t.targets, t.scored, h, traces as tf.Tensor4D]);
    h = r.hT;
    traces = r.traces;
    const scored = scoredCount(batch);
    return { loss: loss[0] as number, accuracy: scored > 0 ? (correct[0] as number) / scored : 0, scored };
  };

  /** One step of a local rule: directions from loopy-local-rules, applied by the same optimiser. */
  const trainLocal = async (batch: TaskBatch, local: LocalRule): Promise<BatchScore> => {
    const t = batchTensors(batch, D, C);
    const r = localRuleDirections({
      rule: local,
      edgeW: vars.edgeW,
      readoutW: vars.readoutW,
      inputW: fixed.inputW,
      edgeMask: fixed.mask as tf.Tensor3D,
      topo,
      h0: h,
      x: t.x,
      targets: t.targets,
      scored: t.scored,
      steps: batch.length,
      thinkTicks: p.thinkTicks,
      readNode: pacing,
      sigma: p.noise,
      seed: deriveSeed(spec.seed, `local-${localSteps++}`),
      leak: p.leak,
    });
    applyLocalUpdate(vars.edgeW, r.edgeW, p.learningRate, p.gradClip);
    optimizer.apply([r.readoutW]);
    const [loss, correct] = await Promise.all([r.loss.data(), r.correct.data()]);
    tf.dispose([r.edgeW, r.readoutW, r.loss, r.correct, r.scoredCount, r.thinkSum, t.x, t.targets, t.scored, h]);
    h = r.hT;
    const scored = scoredCount(batch);
    return { loss: loss[0] as number, accuracy: scored > 0 ? (correct[0] as number) / scored : 0, scored };
  };

  return {
    kind: 'loopy',
    lanes: B,
    async train(batch: TaskBatch): Promise<BatchScore> {
      assertLanes(batch, B, 'loopy');
      if (isTraceRule(rule)) return trainTraces(batch, rule);
      if (isLocalRule(rule)) return trainLocal(batch, rule);
      if (rule === 'bptt') resetState();
      const t = batchTensors(batch, D, C);
      const box: { hT?: tf.Tensor3D; correct?: tf.Scalar } = {};
      const { value, grads } = tf.variableGrads(() => {
        const out = forward(t.x, batch.length);
        const r = readoutLoss(out.logits, t.targets, t.scored);
        box.hT = tf.keep(out.hT);
        box.correct = tf.keep(r.correct);
        return r.loss;
      }, trained);
      optimizer.apply(trained.map((v) => grads[v.name] as tf.Tensor));
      const [loss, correct] = await Promise.all([value.data(), (box.correct as tf.Scalar).data()]);
      tf.dispose([value, box.correct as tf.Scalar, t.x, t.targets, t.scored, ...Object.values(grads)]);
      h.dispose();
      h = box.hT as tf.Tensor3D;
      const scored = scoredCount(batch);
      return { loss: loss[0] as number, accuracy: scored > 0 ? (correct[0] as number) / scored : 0, scored };
    },
    async evaluate(batch: TaskBatch): Promise<Evaluation> {
      assertLanes(batch, B, 'loopy');
      const t = batchTensors(batch, D, C);
      const out = tf.tidy(() => {
        const r = forward(t.x, batch.length);
        return { hT: r.hT, predicted: tf.argMax(r.logits, 1), loss: readoutLoss(r.logits, t.targets, t.scored).loss };
      });
      tf.dispose([t.x, t.targets, t.scored, h]);
      h = out.hT;
      const [predicted, loss] = await Promise.all([out.predicted.data() as Promise<Int32Array>, out.loss.data()]);
      tf.dispose([out.predicted, out.loss]);
      return { ...scorePredictions(batch, predicted), loss: loss[0] as number };
    },
    resetState,
    async checkpoint(): Promise<WeightCheckpoint> {
      const step = optimizer.step;
      return checkpointVariables([vars.edgeW, vars.readoutW, fixed.mask, ...optimizer.stateVariables()], () => (optimizer.step = step));
    },
    async perturbWeights(sigma: number, seed: number): Promise<void> {
      await perturbVariable(vars.edgeW, sigma, seed, 'edgeW', (i) => (edgeMask[i] as number) > 0);
      await perturbVariable(vars.readoutW, sigma, seed, 'readoutW');
    },
    async removeConnections(fraction: number, seed: number): Promise<void> {
      // Whole edges go: every weight of a chosen slot is zeroed, and stays zero (the mask multiplies W in every forward).
      const current = Float32Array.from(await fixed.mask.data());
      const keep = removeEntries(L * K, (slot) => (packing.mask[slot] as number) > 0 && (current[slot * H * H] as number) > 0, fraction, seed);
      for (let slot = 0; slot < L * K; slot++) if ((keep[slot] as number) === 0) current.fill(0, slot * H * H, (slot + 1) * H * H);
      edgeMask.set(current);
      tf.tidy(() => fixed.mask.assign(tf.tensor3d(current, [L, K * H, H])));
    },
    dispose(): void {
      optimizer.dispose();
      tf.dispose([vars.edgeW, vars.readoutW, fixed.inputW, fixed.mask, h, ...(traces ? [traces] : []), ...(feedback.fixed ? [feedback.fixed] : [])]);
      disposeTopology(topo);
      if (edges) disposeLoopyEdges(edges);
    },
  };
}

/** Input node i is driven by symbol i alone (one-hot input), with every unit at `scale`: [D, D, H], fixed. */
export function loopyInputWeights(D: number, H: number, scale: number): Float32Array {
  const w = new Float32Array(D * D * H);
  for (let i = 0; i < D; i++) w.fill(scale, (i * D + i) * H, (i * D + i + 1) * H);
  return w;
}
