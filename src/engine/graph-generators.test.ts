/** Seeded generators for loopy networks (and the feed-forward control). */
import { describe, expect, it } from 'vitest';
import { graphProblem, type Graph } from './graph';
import {
  GRAPH_GENERATORS,
  generateGraph,
  generatorLayout,
  generatorPositions,
  isGraphGenerator,
  readNodeId,
  type GeneratorOptions,
  type GraphGenerator,
} from './graph-generators';

const BASE = { hidden: 300, inputs: 4, outputs: 3, readNode: true, degree: 4, selfLoops: false, seed: 11 } as const;
const opts = (generator: GraphGenerator, extra: Partial<GeneratorOptions> = {}): GeneratorOptions => ({ ...BASE, generator, ...extra });

const cache = new Map<string, Graph>();
/** Memoised generateGraph (the tests read the same graphs many times). */
function gen(o: GeneratorOptions): Graph {
  const key = JSON.stringify(o);
  let g = cache.get(key);
  if (g === undefined) {
    g = generateGraph(o);
    cache.set(key, g);
  }
  return g;
}

const isHidden = (g: Graph, id: number): boolean => g.nodes[id]?.role === 'hidden';

/** Sources each node reads, self-loops excluded, indexed by id (ids are 0..n-1). */
function readsOf(g: Graph): Set<number>[] {
  const reads = g.nodes.map(() => new Set<number>());
  for (const e of g.edges) if (e.source !== e.target) reads[e.target]?.add(e.source);
  return reads;
}

function meanHiddenInDegree(g: Graph): number {
  const hidden = g.nodes.filter((n) => n.role === 'hidden').length;
  return g.edges.filter((e) => e.source !== e.target && isHidden(g, e.target)).length / hidden;
}

/** Undirected neighbour sets of the hidden subgraph. */
function hiddenNeighbours(g: Graph): Map<number, Set<number>> {
  const adj = new Map<number, Set<number>>();
  for (const n of g.nodes) if (n.role === 'hidden') adj.set(n.id, new Set());
  for (const e of g.edges) {
    if (e.source === e.target || !isHidden(g, e.source) || !isHidden(g, e.target)) continue;
    adj.get(e.source)?.add(e.target);
    adj.get(e.target)?.add(e.source);
  }
  return adj;
}

/** Mean local clustering coefficient of the undirected hidden subgraph. */
function clustering(g: Graph): number {
  const adj = hiddenNeighbours(g);
  let sum = 0;
  for (const [, nbrs] of adj) {
    const list = [...nbrs];
    if (list.length < 2) continue;
    let links = 0;
    for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) if (adj.get(list[i] as number)?.has(list[j] as number)) links++;
    sum += links / ((list.length * (list.length - 1)) / 2);
  }
  return sum / adj.size;
}

/** Kahn's algorithm over every edge (self-loops included): true when a topological order exists. */
function isAcyclic(g: Graph): boolean {
  const indegree = g.nodes.map(() => 0);
  const out: number[][] = g.nodes.map(() => []);
  for (const e of g.edges) {
    indegree[e.target] = (indegree[e.target] as number) + 1;
    out[e.source]?.push(e.target);
  }
  const queue = g.nodes.map((n) => n.id).filter((id) => indegree[id] === 0);
  for (let head = 0; head < queue.length; head++) {
    for (const t of out[queue[head] as number] ?? []) {
      indegree[t] = (indegree[t] as number) - 1;
      if (indegree[t] === 0) queue.push(t);
    }
  }
  return queue.length === g.nodes.length;
}

/** Ids reachable from the input nodes along source -> target. */
function reachableFromInputs(g: Graph): Set<number> {
  const out: number[][] = g.nodes.map(() => []);
  for (const e of g.edges) out[e.source]?.push(e.target);
  const seen = new Set(g.nodes.filter((n) => n.role === 'input').map((n) => n.id));
  const queue = [...seen];
  for (let head = 0; head < queue.length; head++) {
    for (const t of out[queue[head] as number] ?? []) {
      if (!seen.has(t)) {
        seen.add(t);
        queue.push(t);
      }
    }
  }
  return seen;
}

describe.each(GRAPH_GENERATORS)('%s', (generator) => {
  const o = opts(generator);
  const g = gen(o);

  it('repeats for a seed and differs between seeds', () => {
    expect(generateGraph({ ...o })).toEqual(g);
    expect(gen({ ...o, seed: 12 }).edges).not.toEqual(g.edges);
  });

  it('is a valid graph with ids in order and the requested roles', () => {
    expect(graphProblem(g)).toBeNull();
    expect(g.nodes.map((n) => n.id)).toEqual(g.nodes.map((_, i) => i));
    expect(g.edges.map((e) => e.id)).toEqual(g.edges.map((_, i) => i));
    expect(g.nextNodeId).toBe(g.nodes.length);
    expect(g.nextEdgeId).toBe(g.edges.length);
    const count = (role: string): number => g.nodes.filter((n) => n.role === role).length;
    expect([count('input'), count('hidden'), count('output')]).toEqual([4, 300, 4]);
    const layout = generatorLayout(o);
    expect(layout.inputs.every((id) => g.nodes[id]?.role === 'input')).toBe(true);
    expect(layout.hidden.every((id) => g.nodes[id]?.role === 'hidden')).toBe(true);
    expect(layout.outputs.every((id) => g.nodes[id]?.role === 'output')).toBe(true);
    expect(layout.read).toBe(g.nodes.length - 1);
    expect(readNodeId(g)).toBe(layout.read);
  });

  it('gives hidden nodes the requested mean in-degree', () => {
    expect(Math.abs(meanHiddenInDegree(g) - 4)).toBeLessThan(0.4);
    // 8 inputs, so that the first feed-forward layer can read 8 nodes too.
    expect(Math.abs(meanHiddenInDegree(gen(opts(generator, { degree: 8, inputs: 8, seed: 3 }))) - 8)).toBeLessThan(0.8);
  });

  it('wires inputs into hidden nodes and outputs from hidden nodes only', () => {
    const reads = readsOf(g);
    const fanOut = new Map<number, number>();
    for (const e of g.edges) {
      const source = g.nodes[e.source]?.role;
      const target = g.nodes[e.target]?.role;
      expect(target, `edge ${e.source} -> ${e.target}`).not.toBe('input');
      expect(source, `edge ${e.source} -> ${e.target}`).not.toBe('output');
      if (target === 'output') expect(source).toBe('hidden');
      if (source === 'input') fanOut.set(e.source, (fanOut.get(e.source) ?? 0) + 1);
    }
    for (const n of g.nodes) {
      if (n.role === 'output') expect(reads[n.id]?.size).toBeGreaterThanOrEqual(1);
    }
    if (generator !== 'feed-forward') {
      // Input fan-out and output fan-in are `degree` (plus at most one repair edge on an output).
      expect([...fanOut.values()]).toEqual([4, 4, 4, 4]);
      for (const n of g.nodes) if (n.role === 'output') expect([4, 5]).toContain(reads[n.id]?.size);
    }
  });

  it('reaches every output from the inputs, for many seeds', () => {
    for (let seed = 0; seed < 8; seed++) {
      const graph = gen(opts(generator, { hidden: 60, seed }));
      const reached = reachableFromInputs(graph);
      for (const n of graph.nodes) if (n.role === 'output') expect(reached.has(n.id), `seed ${seed} output ${n.id}`).toBe(true);
    }
  });

  it(generator === 'feed-forward' ? 'has no cycle and no self-loop, even with selfLoops' : 'has cycles, and self-loops on every node with selfLoops', () => {
    const small = gen(opts(generator, { hidden: 100, seed: 5 }));
    const looped = gen(opts(generator, { hidden: 100, seed: 5, selfLoops: true }));
    const selfLoops = looped.edges.filter((e) => e.source === e.target).length;
    if (generator === 'feed-forward') {
      expect(isAcyclic(small)).toBe(true);
      expect(isAcyclic(looped)).toBe(true);
      expect(selfLoops).toBe(0);
    } else {
      expect(isAcyclic(small)).toBe(false);
      expect(selfLoops).toBe(looped.nodes.length);
      expect(graphProblem(looped)).toBeNull();
      // Self-loops come on top of the same graph.
      expect(looped.edges.filter((e) => e.source !== e.target).map((e) => [e.source, e.target])).toEqual(
        small.edges.map((e) => [e.source, e.target]),
      );
    }
  });
});

describe('undirected families and directed families', () => {
  const asymmetric = (g: Graph): number => {
    const pairs = new Set(g.edges.map((e) => `${e.source}>${e.target}`));
    return g.edges.filter((e) => isHidden(g, e.source) && isHidden(g, e.target) && !pairs.has(`${e.target}>${e.source}`)).length;
  };

  it.each(['watts-strogatz', 'barabasi-albert', 'lattice'] as const)('%s links hidden nodes both ways', (generator) => {
    expect(asymmetric(gen(opts(generator)))).toBe(0);
  });

  it.each(['erdos-renyi', 'waxman'] as const)('%s draws each direction on its own', (generator) => {
    expect(asymmetric(gen(opts(generator)))).toBeGreaterThan(500);
  });
});

describe('lattice', () => {
  it('links each node of the ring to its degree/2 nearest on each side', () => {
    const g = gen(opts('lattice', { hidden: 50, degree: 6 }));
    const adj = hiddenNeighbours(g);
    const h0 = BASE.inputs;
    for (let i = 0; i < 50; i++) {
      const expected = [1, 2, 3, -1, -2, -3].map((d) => h0 + ((i + d + 50) % 50)).sort((a, b) => a - b);
      expect([...(adj.get(h0 + i) ?? [])].sort((a, b) => a - b)).toEqual(expected);
    }
  });

  it('with latticeDimensions 2 links each node to its 4 torus neighbours', () => {
    const g = gen(opts('lattice', { hidden: 100, degree: 4, latticeDimensions: 2 }));
    const adj = hiddenNeighbours(g);
    const h0 = BASE.inputs;
    for (let i = 0; i < 100; i++) {
      const expected = [1, -1, 10, -10].map((d) => h0 + ((i + d + 100) % 100)).sort((a, b) => a - b);
      expect([...(adj.get(h0 + i) ?? [])].sort((a, b) => a - b)).toEqual(expected);
    }
  });

  it('rounds an odd degree to the next even one and becomes complete when too dense', () => {
    expect(meanHiddenInDegree(gen(opts('lattice', { hidden: 50, degree: 3, inputs: 1 })))).toBeCloseTo(4 + 3 / 50, 6);
    const dense = gen(opts('lattice', { hidden: 7, degree: 10, inputs: 1 }));
    for (const [, nbrs] of hiddenNeighbours(dense)) expect(nbrs.size).toBe(6);
  });
});

describe('watts-strogatz', () => {
  it('equals the lattice with rewire 0', () => {
    expect(gen(opts('watts-strogatz', { rewire: 0 }))).toEqual(gen(opts('lattice')));
    expect(gen(opts('watts-strogatz', { rewire: 0, latticeDimensions: 2 }))).toEqual(gen(opts('lattice', { latticeDimensions: 2 })));
  });

  it('loses its clustering as rewire goes to 1, keeping the link count', () => {
    const c0 = clustering(gen(opts('lattice')));
    const cSmall = clustering(gen(opts('watts-strogatz', { rewire: 0.1 })));
    const c1 = clustering(gen(opts('watts-strogatz', { rewire: 1 })));
    expect(c0).toBeCloseTo(0.5, 6); // 3(k - 2) / 4(k - 1) for the ring with k = 4
    expect(cSmall).toBeLessThan(c0);
    expect(cSmall).toBeGreaterThan(0.25);
    expect(c1).toBeLessThan(c0 / 5);
    expect(gen(opts('watts-strogatz', { rewire: 1 })).edges.length).toBe(gen(opts('lattice')).edges.length);
  });
});

describe('barabasi-albert', () => {
  it('has a heavy-tailed degree distribution', () => {
    const degrees = [...hiddenNeighbours(gen(opts('barabasi-albert'))).values()].map((s) => s.size);
    const mean = degrees.reduce((a, b) => a + b, 0) / degrees.length;
    // ~ m sqrt(n) = 35 for preferential attachment; growth with uniform attachment gives ~ m ln(n) = 12 to 17.
    expect(Math.max(...degrees)).toBeGreaterThan(6 * mean);
    expect(Math.min(...degrees)).toBe(2); // every node brought m = 2 links
    // Erdos-Renyi has no such hubs.
    const er = [...hiddenNeighbours(gen(opts('erdos-renyi'))).values()].map((s) => s.size);
    expect(Math.max(...er)).toBeLessThan((3 * er.reduce((a, b) => a + b, 0)) / er.length);
  });
});

describe('waxman', () => {
  const dist = (a: { x: number; y: number }, b: { x: number; y: number }): number => Math.hypot(a.x - b.x, a.y - b.y);

  function meanEdgeLength(o: GeneratorOptions): { edge: number; random: number } {
    const pos = new Map((generatorPositions(o) ?? []).map((p) => [p.id, p]));
    const g = gen(o);
    const lengths = g.edges.filter((e) => e.source !== e.target && pos.has(e.source) && pos.has(e.target)).map((e) => dist(pos.get(e.source)!, pos.get(e.target)!));
    const all = [...pos.values()];
    let sum = 0;
    let count = 0;
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) {
        sum += dist(all[i]!, all[j]!);
        count++;
      }
    }
    return { edge: lengths.reduce((a, b) => a + b, 0) / lengths.length, random: sum / count };
  }

  it('places hidden nodes in the unit square, and only for waxman', () => {
    const pos = generatorPositions(opts('waxman'));
    expect(pos).toHaveLength(300);
    expect(pos?.map((p) => p.id)).toEqual(generatorLayout(BASE).hidden);
    expect(pos?.every((p) => p.x >= 0 && p.x < 1 && p.y >= 0 && p.y < 1)).toBe(true);
    expect(generatorPositions(opts('waxman'))).toEqual(pos);
    expect(generatorPositions(opts('waxman', { seed: 12 }))).not.toEqual(pos);
    for (const other of GRAPH_GENERATORS) if (other !== 'waxman') expect(generatorPositions(opts(other))).toBeUndefined();
  });

  it('makes edges shorter than random pairs, the more so for a smaller alpha', () => {
    const normal = meanEdgeLength(opts('waxman'));
    const tight = meanEdgeLength(opts('waxman', { waxmanAlpha: 0.03 }));
    expect(normal.edge).toBeLessThan(0.6 * normal.random);
    expect(tight.edge).toBeLessThan(0.6 * normal.edge);
  });

  it('tunes beta to the degree even when short links must be clipped at probability 1', () => {
    expect(Math.abs(meanHiddenInDegree(gen(opts('waxman', { waxmanAlpha: 0.01 }))) - 4)).toBeLessThan(0.4);
  });
});

describe('feed-forward', () => {
  it('reads only the layer just below', () => {
    const o = opts('feed-forward', { hidden: 90, layers: 3 });
    const g = gen(o);
    // Layers: inputs [0, 4), hidden [4, 34), [34, 64), [64, 94), outputs and read [94, 98).
    const layerOf = (id: number): number => (id < 4 ? 0 : id < 94 ? 1 + Math.floor((id - 4) / 30) : 4);
    for (const e of g.edges) expect(layerOf(e.target) - layerOf(e.source), `edge ${e.source} -> ${e.target}`).toBe(1);
    expect(reachableFromInputs(g).size).toBe(g.nodes.length);
  });

  it('has every input feed something even when picks are few', () => {
    const g = gen(opts('feed-forward', { hidden: 6, inputs: 30, layers: 3, degree: 1 }));
    const fed = new Set(g.edges.map((e) => e.source));
    for (let input = 0; input < 30; input++) expect(fed.has(input)).toBe(true);
    expect(isAcyclic(g)).toBe(true);
  });
});

describe('options', () => {
  it('repairs outputs that a sparse graph leaves cut off', () => {
    for (let seed = 0; seed < 20; seed++) {
      const g = gen(opts('erdos-renyi', { degree: 0.5, inputs: 1, outputs: 10, seed }));
      const reached = reachableFromInputs(g);
      expect(reached.size).toBeLessThan(100); // the repair has work to do here
      for (const n of g.nodes) if (n.role === 'output') expect(reached.has(n.id), `seed ${seed}`).toBe(true);
    }
  });

  it('works without a read node and with a single hidden node', () => {
    const g = gen(opts('erdos-renyi', { readNode: false }));
    expect(g.nodes.filter((n) => n.role === 'output')).toHaveLength(3);
    expect(generatorLayout({ ...BASE, readNode: false }).read).toBeNull();
    for (const generator of GRAPH_GENERATORS) {
      const tiny = gen(opts(generator, { hidden: 1, inputs: 1, outputs: 1 }));
      expect(graphProblem(tiny)).toBeNull();
      expect(reachableFromInputs(tiny).has(3)).toBe(true);
    }
  });

  it('gives a non-integer degree on average', () => {
    expect(Math.abs(meanHiddenInDegree(gen(opts('erdos-renyi', { degree: 2.5 }))) - 2.5)).toBeLessThan(0.25);
    expect(Math.abs(meanHiddenInDegree(gen(opts('feed-forward', { degree: 2.5 }))) - 2.5)).toBeLessThan(0.25);
  });

  it('rejects bad options', () => {
    expect(isGraphGenerator('lattice')).toBe(true);
    expect(isGraphGenerator('ring')).toBe(false);
    const bad: Partial<GeneratorOptions>[] = [
      { hidden: 0 },
      { inputs: 0 },
      { outputs: 0, readNode: false },
      { degree: 0 },
      { degree: Number.NaN },
      { rewire: 1.5 },
      { waxmanAlpha: 0 },
      { layers: 0 },
      { generator: 'ring' as GraphGenerator },
    ];
    for (const b of bad) expect(() => generateGraph({ ...opts('erdos-renyi'), ...b }), JSON.stringify(b)).toThrow(RangeError);
    expect(graphProblem(generateGraph(opts('lattice', { outputs: 0 })))).toBeNull(); // the read node alone is an output
  });
});
