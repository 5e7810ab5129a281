/**
 * Real readers open our files: networkx reads the GraphML export, numpy the
 * safetensors file (header parsed with json, data with numpy.frombuffer).
 * Needs python3 with networkx and numpy (Debian: python3-networkx,
 * python3-numpy; .ci/run installs them); without them these tests fail.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LaraTrainer } from '../engine/lara/lara-trainer';
import { useBackend } from '../engine/testing/backends';
import { base64ToFloat32 } from '../protocol/base64';
import { defaultExperiment } from '../protocol/experiment';
import type { FrameTrace } from '../protocol/messages';
import { toModelDocument, type ModelDocument } from '../protocol/model-document';
import { EXPORT_ATTRIBUTE_TYPES, exportGraph } from './graph-export';
import { writeGraphml } from './graphml';
import { writeSafetensors } from './safetensors';

const LARA = defaultExperiment('lara');
const SMALL = { ...LARA, params: { ...LARA.params, nodes: 6, width: 3, batch: 2, window: 2 } };

const INSTALL = 'Install them: apt-get install python3-networkx python3-numpy (or pip install networkx numpy).';

/** Runs a Python script; fails the test with what to install when python3 or a module is missing. */
function python(script: string, ...args: string[]): string {
  const probe = spawnSync('python3', ['-c', 'import networkx, numpy'], { encoding: 'utf8' });
  if (probe.error) throw new Error(`python3 is not installed (${probe.error.message}). ${INSTALL}`);
  if (probe.status !== 0) throw new Error(`python3 lacks networkx or numpy: ${probe.stderr.trim()}. ${INSTALL}`);
  return execFileSync('python3', ['-c', script, ...args], { encoding: 'utf8' });
}

const READ_GRAPHML = `
import json, sys, networkx as nx
g = nx.read_graphml(sys.argv[1])
print(json.dumps({
  "directed": g.is_directed(),
  "nodes": g.number_of_nodes(),
  "edges": g.number_of_edges(),
  "graph": dict(g.graph),
  "node": {n: d for n, d in g.nodes(data=True)},
  "edge": [[u, v, d] for u, v, d in g.edges(data=True)],
}))
`;

const READ_SAFETENSORS = `
import json, struct, sys, numpy as np
raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n])
meta = header.pop("__metadata__")
out = {}
for name, t in header.items():
  a, b = t["data_offsets"]
  x = np.frombuffer(raw[8 + n + a:8 + n + b], dtype="<f4").reshape(t["shape"])
  out[name] = {"dtype": t["dtype"], "shape": list(x.shape), "values": x.ravel().tolist()}
print(json.dumps({"meta": meta, "tensors": out}))
`;

interface NxGraph {
  directed: boolean;
  nodes: number;
  edges: number;
  graph: Record<string, unknown>;
  node: Record<string, Record<string, unknown>>;
  edge: [string, string, Record<string, unknown>][];
}

describe('real readers open the exports', () => {
  let doc: ModelDocument;
  let frame: FrameTrace;
  let dir: string;
  beforeAll(async () => {
    await useBackend('cpu');
    const t = LaraTrainer.create(SMALL);
    for (let i = 0; i < 3; i++) await t.trainStep();
    doc = toModelDocument(SMALL, await t.exportModel(), t.step, { loss: null, accuracy: null });
    const trace = await t.probe(2);
    frame = { ...trace, visitShare: Float32Array.from(trace.nodeIds, (_, p) => (p % 3) / 4) };
    t.dispose();
    dir = mkdtempSync(join(tmpdir(), 'loopy-exports-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('networkx reads the GraphML: counts, direction and attributes', () => {
    const firstHidden = doc.graph.nodes.find((n) => n.role === 'hidden')!.id;
    const g = exportGraph({ document: doc, frame, births: new Map([[firstHidden, 12]]) });
    const file = join(dir, 'graph.graphml');
    writeFileSync(file, writeGraphml(g, EXPORT_ATTRIBUTE_TYPES));
    const nx = JSON.parse(python(READ_GRAPHML, file)) as NxGraph;
    expect(nx.directed).toBe(true);
    expect(nx.nodes).toBe(doc.graph.nodes.length);
    expect(nx.edges).toBe(doc.graph.edges.length);
    expect(nx.graph.model).toBe('lara');
    expect(nx.graph.step).toBe(doc.step);
    for (const n of doc.graph.nodes) {
      const d = nx.node[String(n.id)];
      expect(d?.role).toBe(n.role);
      expect(d?.id).toBe(n.id);
      expect(d?.birthTick).toBe(n.id === firstHidden ? 12 : 0);
      for (const key of ['weightNorm', 'activity', 'visitShare'] as const) expect(d?.[key] as number).toBeCloseTo(g.getNodeAttribute(String(n.id), key), 10);
    }
    const pairs = nx.edge.map(([u, v]) => `${u}->${v}`).sort();
    expect(pairs).toEqual(doc.graph.edges.map((e) => `${e.source}->${e.target}`).sort());
    for (const [u, v, d] of nx.edge) {
      const key = `e${String(d.edgeId)}`;
      expect(d.id).toBe(key);
      expect([g.source(key), g.target(key)]).toEqual([u, v]);
      expect(d.weightNorm as number).toBeCloseTo(g.getEdgeAttribute(key, 'weightNorm'), 10);
      expect(d.gate as number).toBeCloseTo(g.getEdgeAttribute(key, 'gate')!, 10);
    }
  });

  it('numpy reads the safetensors file: names, shapes and values of the JSON export', () => {
    const file = join(dir, 'weights.safetensors');
    writeFileSync(file, writeSafetensors(doc));
    const np = JSON.parse(python(READ_SAFETENSORS, file)) as {
      meta: Record<string, string>;
      tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>;
    };
    expect(np.meta.model).toBe('lara');
    expect(np.meta.step).toBe(String(doc.step));
    expect(Object.keys(np.tensors).sort()).toEqual(Object.keys(doc.weights).sort());
    for (const [name, t] of Object.entries(doc.weights)) {
      const got = np.tensors[name]!;
      expect(got.dtype).toBe('F32');
      expect(got.shape).toEqual(t.shape);
      // float32 -> Python float is exact, so the values compare equal.
      expect(Float32Array.from(got.values)).toEqual(base64ToFloat32(t.data));
    }
  });
});
