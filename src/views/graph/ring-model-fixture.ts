/** Test fixture: a ring graph laid out on a circle, shared by the painter tests. */
import type { TopologyUpdate } from '../../client/lab-client';
import { DEFAULT_EXPERIMENT } from '../../protocol/experiment';
import { GraphModel } from './graph-model';

/** A ring of `nodes` nodes where node i reads nodes i+1..i+fanIn (no symmetric pairs; with `loop`, node 0 also reads itself), on a circle. */
export function ringModel(nodes: number, fanIn: number, loop = false): GraphModel {
  const edges: { id: number; source: number; target: number }[] = loop ? [{ id: 0, source: 0, target: 0 }] : [];
  for (let i = 0; i < nodes; i++) for (let d = 1; d <= fanIn; d++) edges.push({ id: edges.length, source: (i + d) % nodes, target: i });
  const u: TopologyUpdate = {
    graph: { nodes: Array.from({ length: nodes }, (_, id) => ({ id, role: 'hidden' as const })), edges, nextNodeId: nodes, nextEdgeId: edges.length },
    events: [],
    experiment: DEFAULT_EXPERIMENT,
    step: 0,
  };
  const m = new GraphModel();
  m.applyTopology(u, 0);
  m.nodes.forEach((n, i) => {
    n.x = 200 + 150 * Math.cos((i / nodes) * 2 * Math.PI);
    n.y = 200 + 150 * Math.sin((i / nodes) * 2 * Math.PI);
  });
  return m;
}
