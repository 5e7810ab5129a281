import { describe, expect, it } from 'vitest';
import type { TopologyUpdate } from '../../client/lab-client';
import { DEFAULT_EXPERIMENT } from '../../protocol/experiment';
import type { GraphEdge, GraphNode, TopologyEvent } from '../../protocol/messages';
import { ForceLayout, type LayoutSpawner } from './force-layout';
import { GraphModel } from './graph-model';
import { applyPositions, LayoutWorkerCore, STRIDE, type FromLayoutWorker, type ToLayoutWorker } from './layout-worker-core';

/** A ring of `n` nodes with a chord every seventh node (ids 0..n-1), optionally with births. */
function ring(n: number, events: TopologyEvent[] = []): TopologyUpdate {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  for (let i = 0; i < n; i++) nodes.push({ id: i, role: i === 0 ? 'input' : i === 1 ? 'output' : 'hidden' });
  for (let i = 0; i < n; i++) {
    edges.push({ id: edges.length, source: i, target: (i + 1) % n });
    if (i % 7 === 0) edges.push({ id: edges.length, source: i, target: (i * 3 + 5) % n });
  }
  return { graph: { nodes, edges, nextNodeId: n, nextEdgeId: edges.length }, events, experiment: DEFAULT_EXPERIMENT, step: 0 };
}

/** A layout worker run in-process: posts reach the core at once, `pump` runs one batch of one tick and delivers it. */
function inProcessWorker(): { spawn: LayoutSpawner; pump: () => FromLayoutWorker | null; sent: ToLayoutWorker[] } {
  const core = new LayoutWorkerCore();
  const sent: ToLayoutWorker[] = [];
  let deliver: ((m: FromLayoutWorker) => void) | null = null;
  const spawn: LayoutSpawner = (onMessage) => {
    deliver = onMessage;
    return {
      post: (m) => {
        sent.push(m);
        core.handle(m);
      },
      close: () => undefined,
    };
  };
  const pump = (): FromLayoutWorker | null => {
    const out = core.step(1, Infinity);
    if (out) deliver?.(out);
    return out;
  };
  return { spawn, pump, sent };
}

const positions = (m: GraphModel): number[] => m.nodes.flatMap((n) => [n.x, n.y]);

describe('force layout in a worker', () => {
  it('moves the nodes exactly as the main-thread simulation does, tick for tick', () => {
    // Past the collision force's 400 nodes, as every graph the worker gets is.
    const here = new GraphModel();
    const there = new GraphModel();
    here.applyTopology(ring(450), 0);
    there.applyTopology(ring(450), 0);
    const a = new ForceLayout(here, { workerMinNodes: Infinity });
    const w = inProcessWorker();
    const b = new ForceLayout(there, { workerMinNodes: 1, spawn: w.spawn });
    a.update(1);
    b.update(1);
    expect(b.offThread).toBe(true);
    expect(a.offThread).toBe(false);
    for (let t = 0; t < 40; t++) {
      a.tick();
      expect(w.pump()?.ticks).toBe(1);
      expect(b.tick()).toBe(true);
    }
    expect(positions(there)).toEqual(positions(here));
    // Nothing new since the last copy: the view does not move.
    expect(b.tick()).toBe(false);
  });

  it('keeps positions across a birth, pins a dragged node, and cools down after release', () => {
    const m = new GraphModel();
    m.applyTopology(ring(40), 0);
    const w = inProcessWorker();
    const layout = new ForceLayout(m, { workerMinNodes: 1, spawn: w.spawn });
    layout.update(1);
    for (let t = 0; t < 20; t++) {
      w.pump();
      layout.tick();
    }
    const before = positions(m);
    m.applyTopology(ring(41, [{ kind: 'birth', tick: 0, nodeId: 40, cause: 'split', parentId: 3, edgeIds: [] }]), 1);
    layout.update(0.1);
    const graph = w.sent.at(-1);
    if (graph?.type !== 'graph') throw new Error('expected a graph message');
    // The worker starts from where the view shows the settled nodes, not from scratch.
    expect(Array.from({ length: 40 }, (_, i) => [graph.state[i * STRIDE], graph.state[i * STRIDE + 1]]).flat()).toEqual(before.slice(0, 80));
    expect(graph.links.length).toBe(m.links.length * 2);

    const node = m.nodes[5];
    if (!node) throw new Error('no node 5');
    layout.dragStart(node);
    layout.dragMove(node, 500, -300);
    expect([node.x, node.y]).toEqual([500, -300]);
    for (let t = 0; t < 5; t++) {
      w.pump();
      layout.tick();
      expect([node.x, node.y]).toEqual([500, -300]);
    }
    expect(layout.running).toBe(true);
    layout.dragEnd(node);
    let t = 0;
    while (layout.running && t++ < 2000) {
      w.pump();
      layout.tick();
    }
    expect(layout.running).toBe(false);
    expect(Math.hypot(node.x - 500, node.y + 300)).toBeGreaterThan(1);
  });

  it('drops batches computed for an older node set, and stops on halt', () => {
    const m = new GraphModel();
    m.applyTopology(ring(30), 0);
    const w = inProcessWorker();
    const layout = new ForceLayout(m, { workerMinNodes: 1, spawn: w.spawn });
    layout.update(1);
    const stale = w.pump();
    if (!stale) throw new Error('no batch');
    expect(applyPositions(m.nodes, stale, stale.version + 1)).toBe(false);
    expect(applyPositions(m.nodes.slice(1), stale, stale.version)).toBe(false);
    layout.halt();
    expect(layout.offThread).toBe(false);
    expect(layout.running).toBe(false);
    const before = positions(m);
    w.pump();
    expect(layout.tick()).toBe(true); // back on the main thread, with no nodes: moves nothing
    expect(positions(m)).toEqual(before);
  });

  it('lays out on the main thread where no worker can start', () => {
    const m = new GraphModel();
    m.applyTopology(ring(30), 0);
    const layout = new ForceLayout(m, { workerMinNodes: 1, spawn: () => null });
    layout.update(1);
    expect(layout.offThread).toBe(false);
    const before = positions(m);
    layout.tick();
    expect(positions(m)).not.toEqual(before);
  });
});
