/**
 * Seeded graph generators for large loopy networks (docs/ARCHITECTURE.md):
 * Erdos-Renyi, Watts-Strogatz, Barabasi-Albert, Waxman, a ring / 2-D lattice,
 * and a layered feed-forward DAG as the loop-free control.
 *
 * Node ids are laid out in blocks, in this order (see `generatorLayout`):
 *
 *   inputs  [0, I)              role 'input'   one per input symbol (one-hot)
 *   hidden  [I, I + H)          role 'hidden'  the generator's own graph
 *   outputs [I + H, I + H + O)  role 'output'  one per output symbol (one-hot)
 *   read    I + H + O           role 'output'  only with `readNode`: the LAST
 *                                              output node is the read signal
 *
 * Wiring of the input, output and read nodes (every generator but
 * 'feed-forward', which wires them layer by layer instead):
 * - each input node feeds (is read by) a uniform random set of hidden nodes,
 *   fan-out `degree` on average, and reads nothing;
 * - each output node, the read node included, reads a uniform random set of
 *   hidden nodes, fan-in `degree` on average, and is read by nothing. Outputs
 *   never feed back into the network: the read-out stays a pure read-out, so
 *   the reservoir (echo-state) baseline can train it alone without changing
 *   the dynamics it reads.
 * - with `selfLoops` every node (inputs and outputs included) also reads
 *   itself, as in `randomLoopyGraph`. Self-loops never count toward `degree`.
 *
 * Directedness: Erdos-Renyi and Waxman are directed (every ordered pair is
 * drawn on its own), so their hidden mean in-degree is `degree`. Watts-Strogatz,
 * Barabasi-Albert and the lattice are undirected by nature: every link becomes
 * two edges, one each way, so in-degree = out-degree = the undirected degree,
 * which must be even for them: they use 2 * round(degree / 2) (at least 2).
 *
 * Guarantee: every output node (the read node included) is reachable from some
 * input node. Where a seed would leave an output cut off (sparse Erdos-Renyi or
 * Waxman graphs can), that output is given one more in-edge from a random
 * hidden node that the inputs do reach (`connectOutputs`).
 *
 * Edges are numbered target by target (ascending id), and within a target the
 * self-loop first, then sources by ascending id, like `randomLoopyGraph`.
 * All randomness comes from `createRng` streams derived from `seed`.
 */
import type { Graph, GraphEdge, GraphLayoutHint, GraphNode, NodePosition } from './graph';
import { createRng, deriveSeed, randInt, shuffle, type Rng } from './random';

import { GRAPH_GENERATORS, type GraphGenerator } from './graph-generator-kinds';

export { GRAPH_GENERATORS, type GraphGenerator };

/** Watts-Strogatz rewiring probability when `rewire` is left out. */
export const DEFAULT_REWIRE = 0.1;
/** Waxman length scale, as a fraction of the unit square's diagonal, when `waxmanAlpha` is left out. */
export const DEFAULT_WAXMAN_ALPHA = 0.1;
/** Hidden layers of the feed-forward control when `layers` is left out. */
export const DEFAULT_FEED_FORWARD_LAYERS = 3;

export interface GeneratorOptions {
  generator: GraphGenerator;
  /** Hidden nodes (the input, output and read nodes come on top); at least 1. */
  hidden: number;
  /** Input nodes, one per input symbol (one-hot input); at least 1. */
  inputs: number;
  /** Output nodes, one per output symbol (one-hot output), not counting the read node. */
  outputs: number;
  /** Adds one more output-role node, the last one, used as the read signal (see `readNodeId`). */
  readNode: boolean;
  /**
   * Mean in-degree of the hidden nodes from other hidden nodes, self-loops not
   * counted: Erdos-Renyi k, Watts-Strogatz k, Barabasi-Albert 2m, the lattice
   * neighbourhood, Waxman's expected in-degree (its beta is tuned to it), and
   * the feed-forward in-degree from the layer below. Also the mean fan-out of
   * every input node and fan-in of every output node, so hidden nodes read
   * inputs * degree / hidden input edges on top, on average. Must be > 0.
   */
  degree: number;
  /** Watts-Strogatz only: probability in [0, 1] of rewiring each lattice link (default `DEFAULT_REWIRE`). */
  rewire?: number;
  /**
   * Waxman only: length scale alpha > 0 of P(link) = beta * exp(-d / (alpha * sqrt 2)),
   * as a fraction of the unit square's diagonal (default `DEFAULT_WAXMAN_ALPHA`).
   * Smaller means shorter links. Beta is not an option: it is tuned so that
   * the expected mean in-degree is `degree`.
   */
  waxmanAlpha?: number;
  /**
   * Lattice and the Watts-Strogatz base lattice: 1 = ring, each node linked to
   * its degree/2 nearest on each side (default); 2 = 2-D torus-like lattice:
   * the same ring with row width w = round(sqrt(hidden)), each node linked to
   * its `degree` nearest in the plane (w +- 1, +- 1, then diagonals, ...);
   * rows wrap helically into the next row, so any node count works.
   */
  latticeDimensions?: 1 | 2;
  /** Feed-forward only: number of hidden layers (default `DEFAULT_FEED_FORWARD_LAYERS`, at most `hidden`). */
  layers?: number;
  /** Every node also reads itself (never for 'feed-forward', which stays loop-free). */
  selfLoops: boolean;
  seed: number;
}

/** Where each kind of node sits; ids are contiguous blocks in this order. */
export interface GeneratorLayout {
  readonly inputs: readonly number[];
  readonly hidden: readonly number[];
  /** Symbol output nodes, the read node not included. */
  readonly outputs: readonly number[];
  /** The read node (the last output-role node), or null without `readNode`. */
  readonly read: number | null;
  /** Total node count. */
  readonly nodes: number;
}

export type { NodePosition };

export function isGraphGenerator(value: unknown): value is GraphGenerator {
  return typeof value === 'string' && (GRAPH_GENERATORS as readonly string[]).includes(value);
}

/** The node blocks the options produce (ids only; no randomness). */
export function generatorLayout(opts: Pick<GeneratorOptions, 'hidden' | 'inputs' | 'outputs' | 'readNode'>): GeneratorLayout {
  const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);
  const hiddenStart = opts.inputs;
  const outputStart = hiddenStart + opts.hidden;
  const readId = outputStart + opts.outputs;
  return {
    inputs: range(0, opts.inputs),
    hidden: range(hiddenStart, opts.hidden),
    outputs: range(outputStart, opts.outputs),
    read: opts.readNode ? readId : null,
    nodes: readId + (opts.readNode ? 1 : 0),
  };
}

/**
 * The read node of a generated graph: by convention the output-role node with
 * the highest id. The graph does not record whether it was generated with
 * `readNode`, so call this only for such graphs (or use `generatorLayout`).
 */
export function readNodeId(graph: Graph): number | null {
  let id: number | null = null;
  for (const n of graph.nodes) if (n.role === 'output' && (id === null || n.id > id)) id = n.id;
  return id;
}

/** Builds the graph the options describe; the same options always give the same graph. */
export function generateGraph(opts: GeneratorOptions): Graph {
  checkOptions(opts);
  const layout = generatorLayout(opts);
  const reads: Set<number>[] = Array.from({ length: layout.nodes }, () => new Set<number>());
  const stream = (label: string): Rng => createRng(deriveSeed(opts.seed, `graph-generators/${label}`));

  if (opts.generator === 'feed-forward') {
    wireFeedForward(stream('feed-forward'), layout, reads, opts.degree, opts.layers ?? DEFAULT_FEED_FORWARD_LAYERS);
  } else {
    const h0 = layout.hidden[0] as number;
    hiddenGraph(opts, stream(opts.generator), layout).forEach((sources, local) => {
      const into = reads[h0 + local] as Set<number>;
      for (const s of sources) into.add(h0 + s);
    });
    // One stream for every generator (same seed, same input and output sets),
    // so e.g. Watts-Strogatz with rewire 0 equals the lattice.
    const io = stream('io');
    for (const input of layout.inputs) {
      for (const h of sampleDistinct(io, fanCount(io, opts.degree), layout.hidden)) reads[h]?.add(input);
    }
    for (const output of readOuts(layout)) {
      for (const h of sampleDistinct(io, fanCount(io, opts.degree), layout.hidden)) reads[output]?.add(h);
    }
    if (opts.selfLoops) reads.forEach((set, id) => set.add(id));
  }
  connectOutputs(stream('connect'), layout, reads);
  return assemble(layout, reads);
}

/**
 * Node positions in the unit square for 'waxman' (its hidden nodes, in id
 * order: the very positions its links were drawn from), so a view can place
 * nodes spatially; undefined for the other generators.
 */
export function generatorPositions(opts: GeneratorOptions): readonly NodePosition[] | undefined {
  if (opts.generator !== 'waxman') return undefined;
  checkOptions(opts);
  return waxmanPositions(opts.seed, generatorLayout(opts).hidden);
}

/**
 * How the generator laid its graph out, for the view (Graph.layout): the ring
 * lattice and Watts-Strogatz on their ring, a 2-D lattice on its rows,
 * Waxman at its positions, feed-forward in layers; undefined for the
 * generators with no geometry of their own (Erdos-Renyi, Barabasi-Albert).
 */
export function generatorLayoutHint(opts: GeneratorOptions): GraphLayoutHint | undefined {
  const hidden = generatorLayout(opts).hidden;
  switch (opts.generator) {
    case 'lattice':
    case 'watts-strogatz': {
      if ((opts.latticeDimensions ?? 1) === 1) return { kind: 'ring', order: hidden };
      // The helical 2-D lattice: row width round(sqrt(hidden)), as latticeOffsets builds it.
      const w = Math.max(2, Math.round(Math.sqrt(hidden.length)));
      const rows = Math.ceil(hidden.length / w);
      return { kind: 'plane', positions: hidden.map((id, i) => ({ id, x: (i % w) / w, y: Math.floor(i / w) / Math.max(1, rows) })) };
    }
    case 'waxman':
      return { kind: 'plane', positions: generatorPositions(opts) ?? [] };
    case 'feed-forward':
      return { kind: 'layers' };
    case 'erdos-renyi':
    case 'barabasi-albert':
      return undefined;
  }
}

function checkOptions(opts: GeneratorOptions): void {
  const count = (name: string, value: number, min: number): void => {
    if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  };
  if (!isGraphGenerator(opts.generator)) throw new RangeError(`unknown graph generator ${String(opts.generator)}`);
  count('hidden', opts.hidden, 1);
  count('inputs', opts.inputs, 1);
  count('outputs', opts.outputs, opts.readNode ? 0 : 1);
  if (!Number.isFinite(opts.degree) || opts.degree <= 0) throw new RangeError(`degree must be > 0, got ${opts.degree}`);
  if (opts.rewire !== undefined && !(opts.rewire >= 0 && opts.rewire <= 1)) throw new RangeError(`rewire must be in [0, 1], got ${opts.rewire}`);
  if (opts.waxmanAlpha !== undefined && !(opts.waxmanAlpha > 0 && Number.isFinite(opts.waxmanAlpha))) {
    throw new RangeError(`waxmanAlpha must be > 0, got ${opts.waxmanAlpha}`);
  }
  if (opts.latticeDimensions !== undefined && opts.latticeDimensions !== 1 && opts.latticeDimensions !== 2) {
    throw new RangeError(`latticeDimensions must be 1 or 2, got ${String(opts.latticeDimensions)}`);
  }
  if (opts.layers !== undefined) count('layers', opts.layers, 1);
  if (!Number.isFinite(opts.seed)) throw new RangeError(`seed must be a finite number, got ${opts.seed}`);
}

/** Output nodes that read the network: the symbol outputs, then the read node. */
function readOuts(layout: GeneratorLayout): number[] {
  return layout.read === null ? [...layout.outputs] : [...layout.outputs, layout.read];
}

/** In-neighbours of each hidden node, in local indices 0..H-1, self-loops excluded. */
function hiddenGraph(opts: GeneratorOptions, rng: Rng, layout: GeneratorLayout): Set<number>[] {
  const n = layout.hidden.length;
  const evenHalf = Math.max(1, Math.round(opts.degree / 2));
  switch (opts.generator) {
    case 'erdos-renyi':
      return erdosRenyi(rng, n, opts.degree);
    case 'watts-strogatz':
      return wattsStrogatz(rng, n, evenHalf, opts.latticeDimensions ?? 1, opts.rewire ?? DEFAULT_REWIRE);
    case 'lattice':
      return lattice(n, evenHalf, opts.latticeDimensions ?? 1);
    case 'barabasi-albert':
      return barabasiAlbert(rng, n, evenHalf);
    case 'waxman':
      return waxman(rng, waxmanPositions(opts.seed, layout.hidden), opts.degree, opts.waxmanAlpha ?? DEFAULT_WAXMAN_ALPHA);
    case 'feed-forward':
      throw new Error('feed-forward is wired by wireFeedForward');
  }
}

const emptySets = (n: number): Set<number>[] => Array.from({ length: n }, () => new Set<number>());

/** Undirected link: each end reads the other. */
function link(adj: Set<number>[], a: number, b: number): void {
  adj[a]?.add(b);
  adj[b]?.add(a);
}

function complete(n: number): Set<number>[] {
  const adj = emptySets(n);
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) link(adj, a, b);
  return adj;
}

/**
 * Directed G(n, p) with p = k / (n - 1): every ordered pair is an edge on its
 * own with probability p. Geometric skips make it O(n + edges), so it scales.
 */
function erdosRenyi(rng: Rng, n: number, k: number): Set<number>[] {
  if (n < 2) return emptySets(n);
  const p = Math.min(1, k / (n - 1));
  if (p >= 1) return complete(n);
  const adj = emptySets(n);
  const logQ = Math.log(1 - p);
  for (let v = 0; v < n; v++) {
    const into = adj[v] as Set<number>;
    for (let pos = -1; ; ) {
      pos += 1 + Math.floor(Math.log(1 - rng.next()) / logQ);
      if (pos >= n - 1) break;
      into.add(pos < v ? pos : pos + 1);
    }
  }
  return adj;
}

/**
 * Offsets s of a circulant lattice (node i links i +- s), `half` of them, or
 * null when the lattice would be the complete graph.
 */
function latticeOffsets(n: number, half: number, dims: 1 | 2): number[] | null {
  const maxHalf = Math.floor((n - 1) / 2);
  if (half > maxHalf) return null;
  const offsets: number[] = [];
  const seen = new Set<number>();
  const take = (raw: number): void => {
    let s = ((raw % n) + n) % n;
    s = Math.min(s, n - s);
    if (s === 0 || s > maxHalf || seen.has(s) || offsets.length >= half) return;
    seen.add(s);
    offsets.push(s);
  };
  if (dims === 2) {
    // Plane vectors (a, b) in the upper half-plane, nearest first; (a, b) -> a + b * w.
    const w = Math.max(2, Math.round(Math.sqrt(n)));
    const r = Math.ceil(Math.sqrt(2 * half)) + 2;
    const vectors: [number, number][] = [];
    for (let b = 0; b <= r; b++) for (let a = -r; a <= r; a++) if (b > 0 || a > 0) vectors.push([a, b]);
    vectors.sort(([a1, b1], [a2, b2]) => a1 * a1 + b1 * b1 - (a2 * a2 + b2 * b2) || b1 - b2 || a1 - a2);
    for (const [a, b] of vectors) take(a + b * w);
  }
  for (let s = 1; offsets.length < half; s++) take(s); // 1-D, or 2-D on too small a ring
  return offsets;
}

/** Ring (1-D) or helical 2-D torus lattice: node i linked to i +- each offset. */
function lattice(n: number, half: number, dims: 1 | 2): Set<number>[] {
  const offsets = latticeOffsets(n, half, dims);
  if (offsets === null) return complete(n);
  const adj = emptySets(n);
  for (const s of offsets) for (let i = 0; i < n; i++) link(adj, i, (i + s) % n);
  return adj;
}

/**
 * Watts-Strogatz: the lattice, then each link i - (i + s), offset by offset and
 * node by node, has its far end moved with probability `p` to a uniform node
 * that is neither i nor already linked to i. The link count is kept.
 */
function wattsStrogatz(rng: Rng, n: number, half: number, dims: 1 | 2, p: number): Set<number>[] {
  const offsets = latticeOffsets(n, half, dims);
  if (offsets === null) return complete(n);
  const adj = lattice(n, half, dims);
  for (const s of offsets) {
    for (let i = 0; i < n; i++) {
      if (!(rng.next() < p)) continue;
      const own = adj[i] as Set<number>;
      if (own.size >= n - 1) continue;
      let t = randInt(rng, n);
      while (t === i || own.has(t)) t = randInt(rng, n);
      const j = (i + s) % n;
      own.delete(j);
      adj[j]?.delete(i);
      link(adj, i, t);
    }
  }
  return adj;
}

/**
 * Barabasi-Albert: a complete core of m + 1 nodes, then each new node links to
 * m distinct earlier nodes picked with probability proportional to degree.
 * Mean degree 2m - m(m + 1)/n.
 */
function barabasiAlbert(rng: Rng, n: number, m: number): Set<number>[] {
  if (n <= m + 1) return complete(n);
  const adj = complete(m + 1);
  for (let v = m + 1; v < n; v++) adj.push(new Set<number>());
  // Every link end once: a uniform pick from it is a degree-proportional pick.
  const ends: number[] = [];
  for (let a = 0; a <= m; a++) for (let b = 0; b < m; b++) ends.push(a);
  for (let v = m + 1; v < n; v++) {
    const chosen = new Set<number>();
    while (chosen.size < m) chosen.add(ends[randInt(rng, ends.length)] as number);
    for (const t of chosen) {
      link(adj, v, t);
      ends.push(v, t);
    }
  }
  return adj;
}

/** Uniform positions in the unit square for the hidden nodes (their own stream). */
function waxmanPositions(seed: number, hidden: readonly number[]): NodePosition[] {
  const rng = createRng(deriveSeed(seed, 'graph-generators/waxman-positions'));
  return hidden.map((id) => ({ id, x: rng.next(), y: rng.next() }));
}

/** Unordered pairs used to tune Waxman's beta exactly; above it, a random sample of this many. */
const WAXMAN_TUNING_PAIRS = 1 << 21;

/**
 * Directed Waxman: each ordered pair u -> v is an edge with probability
 * min(1, beta * exp(-d(u, v) / (alpha * sqrt 2))). Beta is tuned so that the
 * expected in-degree is `k` (exactly from all pairs up to ~2000 nodes, from a
 * random sample of pairs above). Drawing the pairs is O(n^2): fine to ~10^4
 * hidden nodes.
 */
function waxman(rng: Rng, pos: readonly NodePosition[], k: number, alpha: number): Set<number>[] {
  const n = pos.length;
  if (n < 2) return emptySets(n);
  if (k >= n - 1) return complete(n);
  const scale = alpha * Math.SQRT2;
  const weight = (a: number, b: number): number => {
    const p = pos[a] as NodePosition;
    const q = pos[b] as NodePosition;
    return Math.exp(-Math.hypot(p.x - q.x, p.y - q.y) / scale);
  };
  const pairs = (n * (n - 1)) / 2;
  let weights: Float64Array;
  if (pairs <= WAXMAN_TUNING_PAIRS) {
    weights = new Float64Array(pairs);
    let i = 0;
    for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) weights[i++] = weight(a, b);
  } else {
    weights = new Float64Array(WAXMAN_TUNING_PAIRS);
    for (let i = 0; i < weights.length; i++) {
      const a = randInt(rng, n);
      const b = (a + 1 + randInt(rng, n - 1)) % n;
      weights[i] = weight(a, b);
    }
  }
  // Each unordered pair carries two directed draws; n * k edges expected in all.
  const beta = tuneBeta(weights, ((n * k) / 2) * (weights.length / pairs));
  if (n > WAXMAN_PAIRWISE_MAX) return waxmanByCells(rng, pos, beta, scale);
  const adj = emptySets(n);
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const p = Math.min(1, beta * weight(a, b));
      if (rng.next() < p) adj[b]?.add(a);
      if (rng.next() < p) adj[a]?.add(b);
    }
  }
  return adj;
}

/** Up to this many nodes Waxman draws every pair (the graphs of the old 4,096-node cap stay as they were); above, by cells. */
const WAXMAN_PAIRWISE_MAX = 4096;

/**
 * The same distribution (each ordered pair an edge with probability min(1, beta w)) in time that follows the
 * edges, not the pairs: nodes go into a grid of cells; for each pair of cells, candidate pairs are drawn with
 * geometric skips at the cells' bound (beta exp(-closest distance / scale)) and kept with probability p / bound.
 */
function waxmanByCells(rng: Rng, pos: readonly NodePosition[], beta: number, scale: number): Set<number>[] {
  const n = pos.length;
  const G = Math.max(1, Math.ceil(Math.sqrt(n / 8)));
  const cells: number[][] = Array.from({ length: G * G }, () => []);
  const cellAt = (v: number): number => Math.min(G - 1, Math.max(0, Math.floor(v * G)));
  pos.forEach((p, i) => cells[cellAt(p.y) * G + cellAt(p.x)]?.push(i));
  const adj = emptySets(n);
  const gap = (i: number, j: number): number => Math.max(0, Math.abs(i - j) - 1) / G;
  for (let c1 = 0; c1 < G * G; c1++) {
    const m1 = cells[c1] as number[];
    if (m1.length === 0) continue;
    for (let c2 = c1; c2 < G * G; c2++) {
      const m2 = cells[c2] as number[];
      const count = c1 === c2 ? m1.length * (m1.length - 1) : 2 * m1.length * m2.length;
      if (count === 0) continue;
      const closest = Math.hypot(gap(c1 % G, c2 % G), gap(Math.floor(c1 / G), Math.floor(c2 / G)));
      const bound = Math.min(1, beta * Math.exp(-closest / scale));
      if (bound <= 0) continue;
      const logSkip = bound < 1 ? Math.log(1 - bound) : 0;
      for (let k = -1; ; ) {
        k += bound < 1 ? 1 + Math.floor(Math.log(1 - rng.next()) / logSkip) : 1;
        if (k >= count) break;
        // Candidate k as an ordered pair (src, dst).
        let src: number;
        let dst: number;
        if (c1 === c2) {
          const i = Math.floor(k / (m1.length - 1));
          const j = k % (m1.length - 1);
          src = m1[i] as number;
          dst = m1[j >= i ? j + 1 : j] as number;
        } else {
          const half = m1.length * m2.length;
          const kk = k % half;
          const [x, y] = [m1[Math.floor(kk / m2.length)] as number, m2[kk % m2.length] as number];
          [src, dst] = k < half ? [x, y] : [y, x];
        }
        const p = pos[src] as NodePosition;
        const q = pos[dst] as NodePosition;
        const prob = Math.min(1, beta * Math.exp(-Math.hypot(p.x - q.x, p.y - q.y) / scale));
        if (rng.next() * bound < prob) adj[dst]?.add(src);
      }
    }
  }
  return adj;
}

/** Beta with sum over weights of min(1, beta * w) = target (target < weights.length). */
function tuneBeta(weights: Float64Array, target: number): number {
  const sorted = weights.slice().sort().reverse();
  const suffix = new Float64Array(sorted.length + 1);
  for (let i = sorted.length - 1; i >= 0; i--) suffix[i] = (suffix[i + 1] as number) + (sorted[i] as number);
  const expected = (beta: number): number => {
    // Clipped weights (beta * w >= 1) come first in descending order.
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sorted[mid] as number) * beta >= 1) lo = mid + 1;
      else hi = mid;
    }
    return lo + beta * (suffix[lo] as number);
  };
  let lo = target / Math.max(suffix[0] as number, Number.MIN_VALUE); // a lower bound: min(1, bw) <= bw
  if (expected(lo) >= target) return lo;
  let hi = lo * 2;
  while (expected(hi) < target && hi < 1e300) hi *= 2;
  for (let i = 0; i < 200 && hi / lo > 1 + 1e-12; i++) {
    const mid = Math.sqrt(lo * hi);
    if (expected(mid) < target) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * The loop-free control: inputs, then `layers` hidden layers of near-equal
 * size (contiguous ids), then the outputs and the read node. Each node reads
 * `degree` (on average) distinct random nodes of the layer just below it, or
 * all of them when the layer is smaller; the first hidden layer reads the
 * inputs. No self-loops even with `selfLoops`, so the graph is a DAG.
 */
function wireFeedForward(rng: Rng, layout: GeneratorLayout, reads: Set<number>[], degree: number, layerCount: number): void {
  const hidden = layout.hidden;
  const count = Math.min(layerCount, hidden.length);
  const layers: (readonly number[])[] = [layout.inputs];
  for (let l = 0; l < count; l++) {
    layers.push(hidden.slice(Math.floor((l * hidden.length) / count), Math.floor(((l + 1) * hidden.length) / count)));
  }
  layers.push(readOuts(layout));
  for (let l = 1; l < layers.length; l++) {
    const below = layers[l - 1] as readonly number[];
    for (const node of layers[l] as readonly number[]) {
      for (const s of sampleDistinct(rng, fanCount(rng, degree), below)) reads[node]?.add(s);
    }
  }
  // Every input feeds something: an input no first-layer node picked is read by a random one.
  const first = layers[1] as readonly number[];
  const fed = new Set<number>();
  for (const node of first) for (const s of reads[node] ?? []) fed.add(s);
  for (const input of layout.inputs) if (!fed.has(input)) reads[first[randInt(rng, first.length)] as number]?.add(input);
}

/** floor(degree), plus one with probability frac(degree): mean `degree`, at least 1. */
function fanCount(rng: Rng, degree: number): number {
  const whole = Math.floor(degree);
  return Math.max(1, whole + (rng.next() < degree - whole ? 1 : 0));
}

/** `count` distinct uniform picks from `pool` (all of it when count >= its size). */
function sampleDistinct(rng: Rng, count: number, pool: readonly number[]): number[] {
  if (count >= pool.length) return [...pool];
  if (count * 3 > pool.length) return shuffle(rng, [...pool]).slice(0, count);
  const picked = new Set<number>();
  while (picked.size < count) picked.add(pool[randInt(rng, pool.length)] as number);
  return [...picked];
}

/**
 * The reachability guarantee: every output node (read node included) that no
 * input reaches along the edges gets one more in-edge, from a random hidden
 * node that the inputs do reach. Inputs always feed at least one hidden node,
 * so such a node exists.
 */
function connectOutputs(rng: Rng, layout: GeneratorLayout, reads: Set<number>[]): void {
  const readers: number[][] = reads.map(() => []);
  reads.forEach((sources, target) => {
    for (const s of sources) readers[s]?.push(target);
  });
  const reached = new Uint8Array(reads.length);
  const queue = [...layout.inputs];
  for (const id of queue) reached[id] = 1;
  for (let head = 0; head < queue.length; head++) {
    for (const t of readers[queue[head] as number] ?? []) {
      if (reached[t]) continue;
      reached[t] = 1;
      queue.push(t);
    }
  }
  const reachedHidden = layout.hidden.filter((id) => reached[id]);
  if (reachedHidden.length === 0) return; // cannot happen: inputs feed >= 1 hidden node
  for (const output of readOuts(layout)) {
    if (!reached[output]) reads[output]?.add(reachedHidden[randInt(rng, reachedHidden.length)] as number);
  }
}

function assemble(layout: GeneratorLayout, reads: Set<number>[]): Graph {
  const role = (id: number): GraphNode['role'] =>
    id < layout.inputs.length ? 'input' : id < layout.inputs.length + layout.hidden.length ? 'hidden' : 'output';
  const nodes: GraphNode[] = Array.from({ length: layout.nodes }, (_, id) => ({ id, role: role(id) }));
  const edges: GraphEdge[] = [];
  reads.forEach((sources, target) => {
    if (sources.has(target)) edges.push({ id: edges.length, source: target, target });
    const others = [...sources].filter((s) => s !== target).sort((a, b) => a - b);
    for (const source of others) edges.push({ id: edges.length, source, target });
  });
  return { nodes, edges, nextNodeId: layout.nodes, nextEdgeId: edges.length };
}
