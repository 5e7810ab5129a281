import { beforeAll, describe, expect, it } from 'vitest';
import { MultiDirectedGraph } from 'graphology';
import { parse as parseGexf } from 'graphology-gexf';
import { parse as parseGraphml } from 'graphology-graphml';
import { unzipSync, strFromU8 } from 'fflate';
import { GatedTrainer } from '../engine/gated/gated-trainer';
import { LaraTrainer } from '../engine/lara/lara-trainer';
import { createTrainer } from '../engine/model-registry';
import { useBackend } from '../engine/testing/backends';
import { base64ToFloat32 } from '../protocol/base64';
import { defaultExperiment, descriptorOf, MODEL_KINDS, type Experiment } from '../protocol/experiment';
import type { FrameTrace } from '../protocol/messages';
import { toModelDocument, type ModelDocument } from '../protocol/model-document';
import { emptyMetrics } from '../runs/run-metrics';
import { BirthLog } from './birth-log';
import { zipBundle } from './bundle';
import { writeGexf } from './gexf';
import { EXPORT_ATTRIBUTE_TYPES, exportGraph } from './graph-export';
import { escapeXml, writeGraphml } from './graphml';
import { metricsCsv, metricsJson, METRICS_CSV_HEADER } from './metrics-export';
import { readSafetensorsHeader, writeSafetensors } from './safetensors';
import { weightNorms } from './weight-norms';

const LARA = defaultExperiment('lara');
const SMALL = { ...LARA, params: { ...LARA.params, nodes: 5, width: 3, batch: 2, window: 2 } };

function floats(doc: ModelDocument, name: string): Float32Array {
  const values = base64ToFloat32(doc.weights[name]?.data ?? '');
  if (!values) throw new Error(`no tensor ${name}`);
  return values;
}

const norm = (xs: ArrayLike<number>): number => Math.sqrt(Array.from(xs).reduce((a, x) => a + x * x, 0));

describe('export writers', () => {
  let doc: ModelDocument;
  let frame: FrameTrace;
  beforeAll(async () => {
    await useBackend('cpu');
    const t = LaraTrainer.create(SMALL);
    await t.trainStep();
    await t.trainStep();
    doc = toModelDocument(SMALL, await t.exportModel(), t.step, { loss: 1.2, accuracy: 0.5 });
    const trace = await t.probe(2);
    // Three ticks whose values differ per tick, so a mean over ticks and the last tick's gate are told apart.
    const T = 3;
    const L = trace.nodeIds.length;
    frame = {
      ...trace,
      ticks: T,
      activity: Float32Array.from({ length: T * L }, (_, i) => (Math.floor(i / L) + 1) * ((i % L) + 1) * 0.01),
      gates: Float32Array.from({ length: T * L * trace.K }, (_, i) => 0.1 + 0.3 * Math.floor(i / (L * trace.K)) + 0.0001 * (i % (L * trace.K))),
      active: new Uint8Array(T * L).fill(1),
      reads: new Uint8Array(T),
      visitShare: Float32Array.from(trace.nodeIds, (_, p) => (p + 1) / 100),
    };
    t.dispose();
  });

  it('builds the graph with the frame, the norms and the births', () => {
    const g = exportGraph({ document: doc, frame, births: new Map([[doc.graph.nodes[2]!.id, 17]]) });
    expect(g.order).toBe(doc.graph.nodes.length);
    expect(g.size).toBe(doc.graph.edges.length);
    const L = frame.nodeIds.length;
    const p = 1;
    const id = frame.nodeIds[p]!;
    const mean = Array.from({ length: frame.ticks }, (_, t) => frame.activity[t * L + p]!).reduce((a, b) => a + b, 0) / frame.ticks;
    expect(g.getNodeAttribute(String(id), 'activity')).toBeCloseTo(mean, 6);
    expect(g.getNodeAttribute(String(id), 'visitShare')).toBeCloseTo(frame.visitShare[p]!, 6);
    expect(g.getNodeAttribute(String(doc.graph.nodes[2]!.id), 'birthTick')).toBe(17);
    expect(g.getNodeAttribute(String(doc.graph.nodes[0]!.id), 'birthTick')).toBe(0);
    // LARA's edges are gates: the last tick's slot value of the edge.
    const slot = Array.from(frame.slotEdge).findIndex((e) => e >= 0);
    const edgeId = frame.slotEdge[slot]!;
    expect(g.getEdgeAttribute(`e${edgeId}`, 'gate')).toBeCloseTo(frame.gates[(frame.ticks - 1) * L * frame.K + slot]!, 6);
    // The edge norm is its edgeW, gateU and gateV rows together.
    const i = doc.graph.edges.findIndex((e) => e.id === edgeId);
    const H = SMALL.params.width;
    const rows = [...floats(doc, 'edgeW').slice(i * H * H, (i + 1) * H * H), ...floats(doc, 'gateU').slice(i * H, (i + 1) * H), ...floats(doc, 'gateV').slice(i * H, (i + 1) * H)];
    expect(g.getEdgeAttribute(`e${edgeId}`, 'weightNorm')).toBeCloseTo(norm(rows), 5);
    expect(g.getAttribute('strengthKind')).toBe('gate');
  });

  it('gives a node the norm of its in-edges and its own rows', () => {
    const n = weightNorms(doc);
    const input = doc.graph.nodes.findIndex((x) => x.role === 'input');
    const inputId = doc.graph.nodes[input]!.id;
    const H = SMALL.params.width;
    const D = doc.weights.inputW!.shape[1]!;
    const own = floats(doc, 'inputW').slice(0, D * H);
    const inEdges = doc.graph.edges.filter((e) => e.target === inputId).map((e) => n.edge.get(e.id)!);
    expect(n.node.get(inputId)).toBeCloseTo(Math.sqrt(norm(own) ** 2 + inEdges.reduce((a, x) => a + x * x, 0)), 5);
  });

  it('maps a GRU cell’s gate columns onto its edges', async () => {
    const exp = defaultExperiment('gru');
    const small = { ...exp, params: { ...exp.params, hidden: 3 } } as typeof exp;
    const t = GatedTrainer.create(small);
    const gdoc = toModelDocument(small, await t.exportModel(), 0, { loss: null, accuracy: null });
    t.dispose();
    const n = weightNorms(gdoc);
    const [D, G] = gdoc.weights.inputW!.shape as [number, number];
    const H = 3;
    const w = floats(gdoc, 'inputW');
    // Input 1 -> unit 2: the unit's column in each of the three gate blocks (r, z, n).
    const cols = [0, 1, 2].map((g) => w[1 * G + g * H + 2]!);
    expect(n.edge.get(1 * H + 2)).toBeCloseTo(norm(cols), 6);
    expect(n.edge.size).toBe(gdoc.graph.edges.length);
    expect(D * H + H * H + H * gdoc.weights.readoutW!.shape[1]!).toBe(gdoc.graph.edges.length);
  });

  it('maps the routing stack and the DNA cells onto their chain and cells', async () => {
    const docOf = async (e: Experiment): Promise<ModelDocument> => {
      const t = await createTrainer(e);
      await t.trainStep();
      const d = toModelDocument(e, await t.exportModel(), t.step, { loss: null, accuracy: null });
      t.dispose();
      return d;
    };
    const routing = await docOf({ ...defaultExperiment('routing'), task: 'circle' });
    const r = weightNorms(routing);
    const N = routing.weights.layerW!.shape[0]!;
    const W = routing.weights.layerW!.shape[1]!;
    expect(r.edge.get(1)).toBeCloseTo(norm(floats(routing, 'layerW').slice(W * W, 2 * W * W)), 5);
    expect(r.edge.get(N)).toBeCloseTo(norm(floats(routing, 'outW')), 5);
    expect(r.node.get(0)).toBeCloseTo(norm([...floats(routing, 'inW'), ...floats(routing, 'inB')]), 5);
    const dna = await docOf({ ...defaultExperiment('dna'), task: 'circle' });
    const d = weightNorms(dna);
    const w = floats(dna, 'cellW');
    const b = floats(dna, 'cellB');
    dna.graph.edges.forEach((e, i) => expect(d.edge.get(e.id)).toBeCloseTo(Math.hypot(w[i]!, b[i]!), 6));
  });

  it('exports every model kind as a graph whose files parse back', async () => {
    for (const kind of MODEL_KINDS) {
      const base = defaultExperiment(kind);
      const e = (descriptorOf(kind).family === 'classification' ? { ...base, task: 'circle' } : base) as Experiment;
      const t = await createTrainer(e);
      const d = toModelDocument(e, await t.exportModel(), t.step, { loss: null, accuracy: null });
      t.dispose();
      const g = exportGraph({ document: d, frame: null, births: new Map() });
      g.forEachEdge((_, a) => expect(Number.isFinite(a.weightNorm), `${kind} edge norm`).toBe(true));
      const positive = g.filterNodes((_, a) => a.weightNorm > 0).length;
      // Every node but an input with no in-edge and no own weights reads with some weight.
      expect(positive, kind).toBeGreaterThan(0);
      expect(parseGraphml(MultiDirectedGraph, writeGraphml(g, EXPORT_ATTRIBUTE_TYPES)).size, kind).toBe(d.graph.edges.length);
      expect(parseGexf(MultiDirectedGraph, writeGexf(g)).order, kind).toBe(d.graph.nodes.length);
    }
  }, 120_000);

  it('writes GraphML that graphology-graphml reads back with every attribute', () => {
    const g = exportGraph({ document: doc, frame, births: new Map() });
    const xml = writeGraphml(g, EXPORT_ATTRIBUTE_TYPES);
    expect(xml).toMatch(/<key id="\w+" for="node" attr.name="birthTick" attr.type="int"\/>/);
    expect(xml).toMatch(/<key id="\w+" for="edge" attr.name="weightNorm" attr.type="double"\/>/);
    expect(xml).toContain('edgedefault="directed"');
    const back = parseGraphml(MultiDirectedGraph, xml);
    expect(back.order).toBe(g.order);
    expect(back.size).toBe(g.size);
    g.forEachEdge((key, attrs, source, target) => {
      expect(back.source(key)).toBe(source);
      expect(back.target(key)).toBe(target);
      expect(back.getEdgeAttribute(key, 'weightNorm')).toBeCloseTo(attrs.weightNorm, 10);
    });
    g.forEachNode((key, attrs) => {
      expect(back.getNodeAttribute(key, 'role')).toBe(attrs.role);
      expect(back.getNodeAttribute(key, 'birthTick')).toBe(attrs.birthTick);
      expect(back.getNodeAttribute(key, 'activity')).toBeCloseTo(attrs.activity, 10);
    });
  });

  it('escapes XML in keys, ids and values', () => {
    const g = new MultiDirectedGraph({ allowSelfLoops: true });
    g.setAttribute('note', 'a < b & "c" \u0001');
    g.addNode('x&y', { label: "it's <b>" });
    g.addNode('z');
    g.addEdgeWithKey('e"1', 'x&y', 'z', { w: 2 });
    const xml = writeGraphml(g);
    expect(xml).not.toContain('\u0001');
    const back = parseGraphml(MultiDirectedGraph, xml);
    expect(back.getAttribute('note')).toBe('a < b & "c" ');
    expect(back.getNodeAttribute('x&y', 'label')).toBe("it's <b>");
    expect(back.target('e"1')).toBe('z');
    expect(escapeXml('<&>')).toBe('&lt;&amp;&gt;');
  });

  it('writes GEXF that graphology-gexf reads back', () => {
    const g = exportGraph({ document: doc, frame, births: new Map() });
    const back = parseGexf(MultiDirectedGraph, writeGexf(g));
    expect(back.order).toBe(g.order);
    expect(back.size).toBe(g.size);
    g.forEachNode((key, attrs) => {
      expect(back.getNodeAttribute(key, 'role')).toBe(attrs.role);
      expect(back.getNodeAttribute(key, 'weightNorm')).toBeCloseTo(attrs.weightNorm, 6);
    });
    g.forEachEdge((key, attrs, source) => {
      expect(back.source(key)).toBe(source);
      expect(back.getEdgeAttribute(key, 'weightNorm')).toBeCloseTo(attrs.weightNorm, 6);
    });
  });

  it('writes safetensors: header length, 8-byte padding, contiguous offsets, values', () => {
    const bytes = writeSafetensors(doc);
    const { headerLength, header } = readSafetensorsHeader(bytes);
    expect(headerLength % 8).toBe(0);
    const meta = header.__metadata__ as Record<string, unknown>;
    expect(meta.model).toBe('lara');
    expect(meta.step).toBe(String(doc.step));
    expect(Object.values(meta).every((v) => typeof v === 'string')).toBe(true);
    const names = Object.keys(header).filter((k) => k !== '__metadata__');
    expect(names.sort()).toEqual(Object.keys(doc.weights).sort());
    let end = 0;
    for (const name of names) {
      const e = header[name] as { dtype: string; shape: number[]; data_offsets: [number, number] };
      expect(e.dtype).toBe('F32');
      expect(e.shape).toEqual(doc.weights[name]!.shape);
      expect(e.data_offsets[0]).toBe(end);
      end = e.data_offsets[1];
      const start = 8 + headerLength + e.data_offsets[0];
      const view = new DataView(bytes.buffer, bytes.byteOffset + start, e.data_offsets[1] - e.data_offsets[0]);
      const got = Float32Array.from({ length: view.byteLength / 4 }, (_, i) => view.getFloat32(4 * i, true));
      expect(got).toEqual(floats(doc, name));
    }
    expect(bytes.length).toBe(8 + headerLength + end);
  });

  it('writes metrics as long CSV and as JSON', () => {
    const m = emptyMetrics();
    m.trainLoss.step.push(1, 2);
    m.trainLoss.wallSeconds.push(0.5, 1);
    m.trainLoss.value.push(2.5, NaN);
    m.heldOutAccuracy.step.push(2);
    m.heldOutAccuracy.wallSeconds.push(1.1);
    m.heldOutAccuracy.value.push(0.75);
    const csv = metricsCsv(m);
    expect(csv.trim().split('\n')).toEqual([METRICS_CSV_HEADER, 'trainLoss,1,0.5,2.5', 'trainLoss,2,1,', 'heldOutAccuracy,2,1.1,0.75']);
    const events = [{ step: 2, wallSeconds: 1, kind: 'birth' as const, id: 4, detail: 'split of node 1' }];
    const json = JSON.parse(metricsJson(m, events, { model: 'lara', task: 'parity', seed: 3, step: 2, createdAt: '2026-01-01T00:00:00Z' })) as {
      metrics: Record<string, { value: (number | null)[]; unit: string }>;
      events: unknown[];
      seed: number;
    };
    expect(json.metrics.trainLoss!.value).toEqual([2.5, null]);
    expect(json.metrics.heldOutAccuracy!.unit).toBe('fraction');
    expect(json.events).toEqual(events);
    expect(json.seed).toBe(3);
  });

  it('zips every file so fflate unzips them unchanged', () => {
    const bin = writeSafetensors(doc);
    const files = { 'a.json': JSON.stringify(doc), 'b.safetensors': bin, 'c.png': Uint8Array.of(137, 80, 78, 71) };
    const out = unzipSync(zipBundle(files));
    expect(Object.keys(out).sort()).toEqual(Object.keys(files).sort());
    expect(strFromU8(out['a.json']!)).toBe(files['a.json']);
    expect(out['b.safetensors']).toEqual(bin);
    expect(out['c.png']).toEqual(files['c.png']);
  });

  it('logs births and forgets them on a fresh network', () => {
    const log = new BirthLog();
    const graph = { nodes: [{ id: 0, role: 'input' as const }, { id: 1, role: 'hidden' as const }, { id: 2, role: 'output' as const }], edges: [], nextNodeId: 3, nextEdgeId: 0 };
    log.apply({ graph, events: [], step: 0 });
    const grown = { ...graph, nodes: [...graph.nodes, { id: 3, role: 'hidden' as const }] };
    log.apply({ graph: grown, events: [{ kind: 'birth', nodeId: 3, tick: 40, cause: 'split', edgeIds: [] }], step: 9 });
    expect(log.birthTick(3)).toBe(40);
    expect(log.birthTick(1)).toBe(0);
    log.apply({ graph, events: [], step: 5 });
    expect(log.birthTick(3)).toBe(0);
    log.apply({ graph: grown, events: [{ kind: 'birth', nodeId: 3, tick: 50, cause: 'split', edgeIds: [] }], step: 9 });
    log.apply({ graph: grown, events: [], step: 0 });
    expect(log.births.size).toBe(0);
  });
});
