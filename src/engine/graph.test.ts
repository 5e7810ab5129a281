/** The random loopy graph and the graph invariants. */
import { describe, expect, it } from 'vitest';
import { graphProblem, inEdgesByNode, maxInDegree, randomLoopyGraph, rolePositions, type Graph } from './graph';

/** Undirected hop distance from `from` to every node (-1: unreachable). */
function distances(g: Graph, from: number): Map<number, number> {
  const dist = new Map<number, number>([[from, 0]]);
  const queue = [from];
  while (queue.length > 0) {
    const a = queue.shift() as number;
    for (const e of g.edges) {
      const b = e.source === a ? e.target : e.target === a ? e.source : null;
      if (b !== null && !dist.has(b)) {
        dist.set(b, (dist.get(a) as number) + 1);
        queue.push(b);
      }
    }
  }
  return dist;
}

const OPTIONS = [
  { nodes: 12, degree: 4, selfLoops: true, seed: 1 },
  { nodes: 24, degree: 4, selfLoops: true, seed: 2, outputDistance: 3 },
  { nodes: 10, degree: 3, selfLoops: false, seed: 3, outputDistance: 1 },
  { nodes: 40, degree: 6, selfLoops: true, seed: 4, outputDistance: 2 },
  { nodes: 16, degree: 5, selfLoops: false, seed: 5, outputDistance: 2 },
];

describe('randomLoopyGraph', () => {
  for (const opts of OPTIONS) {
    describe(JSON.stringify(opts), () => {
      const g = randomLoopyGraph(opts);

      it('is a valid graph of the requested size', () => {
        expect(graphProblem(g)).toBeNull();
        expect(g.nodes).toHaveLength(opts.nodes);
        expect(g.nodes.map((n) => n.id)).toEqual(g.nodes.map((_, i) => i));
      });

      it('gives every node the requested in-degree, self-loop included', () => {
        const degrees = inEdgesByNode(g).map((list) => list.length);
        expect(degrees).toEqual(new Array(opts.nodes).fill(opts.degree));
        expect(maxInDegree(g)).toBe(opts.degree);
        const selfLoops = g.edges.filter((e) => e.source === e.target).length;
        expect(selfLoops).toBe(opts.selfLoops ? opts.nodes : 0);
      });

      it('has symmetric links', () => {
        const pairs = new Set(g.edges.map((e) => `${e.source}>${e.target}`));
        for (const e of g.edges) expect(pairs.has(`${e.target}>${e.source}`)).toBe(true);
      });

      it('is connected, input at node 0, output at the requested distance', () => {
        expect(distances(g, 0).size).toBe(opts.nodes);
        expect(rolePositions(g, 'input')).toEqual([0]);
        const outputs = rolePositions(g, 'output');
        expect(outputs).toHaveLength(1);
        expect(distances(g, 0).get(outputs[0] as number)).toBe(opts.outputDistance ?? 2);
      });
    });
  }

  it('reaches the requested in-degree for every seed at the default sizes', () => {
    for (let seed = 0; seed < 100; seed++) {
      const g = randomLoopyGraph({ nodes: 24, degree: 4, selfLoops: true, seed, outputDistance: 1 });
      expect(inEdgesByNode(g).every((list) => list.length === 4), `seed ${seed}`).toBe(true);
    }
  });

  it('repeats for a seed and differs between seeds', () => {
    const opts = { nodes: 14, degree: 4, selfLoops: true, seed: 7 };
    expect(randomLoopyGraph(opts)).toEqual(randomLoopyGraph(opts));
    expect(randomLoopyGraph({ ...opts, seed: 8 }).edges).not.toEqual(randomLoopyGraph(opts).edges);
  });
});

describe('graphProblem', () => {
  const good: Graph = {
    nodes: [
      { id: 0, role: 'input' },
      { id: 1, role: 'output' },
    ],
    edges: [
      { id: 0, source: 0, target: 1 },
      { id: 1, source: 1, target: 0 },
    ],
    nextNodeId: 2,
    nextEdgeId: 2,
  };

  it('accepts a valid graph', () => {
    expect(graphProblem(good)).toBeNull();
  });

  it.each([
    ['duplicate node ids', { ...good, nodes: [...good.nodes, { id: 1, role: 'hidden' as const }] }, /node id 1 appears twice/],
    ['a node id at nextNodeId', { ...good, nextNodeId: 1 }, /not below nextNodeId/],
    ['a dangling edge', { ...good, edges: [...good.edges, { id: 2, source: 0, target: 9 }], nextEdgeId: 3 }, /missing node/],
    ['duplicate edge ids', { ...good, edges: [...good.edges, { id: 1, source: 0, target: 0 }] }, /edge id 1 appears twice/],
    ['a repeated link', { ...good, edges: [...good.edges, { id: 2, source: 0, target: 1 }], nextEdgeId: 3 }, /appears twice/],
    ['no input node', { ...good, nodes: [{ id: 0, role: 'hidden' as const }, good.nodes[1] as Graph['nodes'][number]] }, /no input/],
    ['no output node', { ...good, nodes: [good.nodes[0] as Graph['nodes'][number], { id: 1, role: 'hidden' as const }] }, /no output/],
  ])('catches %s', (_, graph, message) => {
    expect(graphProblem(graph as Graph)).toMatch(message);
  });
});
