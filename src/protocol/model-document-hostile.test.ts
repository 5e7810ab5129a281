/**
 * Hostile imports, generated: a seeded generator breaks a real export of
 * every model kind in the registry (truncations, bit flips, wrong types,
 * extreme numbers, float32 bit patterns, bad shapes, bad ids, deep nesting,
 * oversize declared sizes, huge strings) and every refusal must name the
 * problem in a short message; valid exports still round-trip.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createTrainer, trainerFromModel } from '../engine/model-registry';
import { createRng, randInt, type Rng } from '../engine/random';
import { useBackend } from '../engine/testing/backends';
import { float32ToBase64 } from './base64';
import { defaultExperiment, descriptorOf, MODEL_KINDS, type Experiment, type ModelKind } from './experiment';
import { MAX_IMPORT_BYTES, MAX_STEP, MAX_WEIGHT_MAGNITUDE } from './import-limits';
import { parseModelDocument, toModelDocument, type ModelDocument } from './model-document';

/** A small experiment of each kind (classification kinds on a 2-D dataset, so nothing loads MNIST). */
function smallExperiment(kind: ModelKind): Experiment {
  const e: Experiment = defaultExperiment(kind);
  return descriptorOf(kind).family === 'classification' ? ({ ...e, task: 'circle' } as Experiment) : e;
}

const docs = new Map<ModelKind, ModelDocument>();

beforeAll(async () => {
  await useBackend('cpu');
  for (const kind of MODEL_KINDS) {
    const experiment = smallExperiment(kind);
    const t = await createTrainer(experiment);
    await t.trainStep();
    docs.set(kind, toModelDocument(experiment, await t.exportModel(), t.step, { loss: 1, accuracy: 0.5 }));
    t.dispose();
  }
}, 120_000);

type Doc = Record<string, unknown> & ModelDocument;
const clone = (d: ModelDocument): Doc => structuredClone<Doc>(d as Doc);
const refusal = (text: string): string => {
  const r = parseModelDocument(text);
  return r.ok ? 'accepted' : r.error;
};
const floats = (values: readonly number[]): string => float32ToBase64(Float32Array.from(values));
const bits = (pattern: number): number => new Float32Array(new Uint32Array([pattern]).buffer)[0] as number;
const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[randInt(rng, xs.length)] as T;

/** Each case: what it breaks, the broken text, and what its refusal must name. */
interface Case {
  readonly name: string;
  readonly text: string;
  readonly names: RegExp;
}

/** Weights set to a value (one position, chosen by the rng) in a random tensor of the document. */
function withWeight(rng: Rng, doc: ModelDocument, value: number): { text: string; tensor: string } {
  const d = clone(doc);
  const name = pick(rng, Object.keys(d.weights));
  const t = d.weights[name] as ModelDocument['weights'][string];
  const values = new Float32Array(sizeOf(t.shape));
  values[randInt(rng, values.length)] = value;
  t.data = floats(Array.from(values));
  return { text: JSON.stringify(d), tensor: name };
}

function numberCases(rng: Rng, doc: ModelDocument): Case[] {
  const out: Case[] = [];
  for (const v of [3e38, -3e38, 1e7, -2e6, MAX_WEIGHT_MAGNITUDE * 1.01]) {
    const { text, tensor } = withWeight(rng, doc, v);
    out.push({ name: `weight ${v}`, text, names: new RegExp(`"${tensor}".*largest magnitude`) });
  }
  for (const [label, pattern] of [['+inf', 0x7f800000], ['-inf', 0xff800000], ['nan', 0x7fc00001], ['signalling nan', 0x7f800001]] as const) {
    const { text, tensor } = withWeight(rng, doc, bits(pattern));
    out.push({ name: `weight bits ${label}`, text, names: new RegExp(`"${tensor}".*non-finite`) });
  }
  return out;
}

/** Ids and counters past what their typed array or counter holds. */
function idCases(rng: Rng, doc: ModelDocument): Case[] {
  const out: Case[] = [];
  for (const big of [2 ** 31, 2 ** 32, 2 ** 40, 2 ** 53 - 1]) {
    const nodeAt = randInt(rng, doc.graph.nodes.length);
    const edgeAt = randInt(rng, doc.graph.edges.length);
    const cases: [string, (d: Doc) => void][] = [
      [
        'node id',
        (d) => {
          const old = d.graph.nodes[nodeAt]!.id;
          d.graph.nodes[nodeAt]!.id = big;
          for (const e of d.graph.edges) {
            if (e.source === old) e.source = big;
            if (e.target === old) e.target = big;
          }
          d.graph.nextNodeId = big + 1;
        },
      ],
      ['edge id', (d) => ((d.graph.edges[edgeAt]!.id = big), (d.graph.nextEdgeId = big + 1))],
      ['nextNodeId', (d) => (d.graph.nextNodeId = big)],
      ['nextEdgeId', (d) => (d.graph.nextEdgeId = big)],
      ['step', (d) => (d.step = big)],
    ];
    for (const [what, f] of cases) {
      const d = clone(doc);
      f(d);
      out.push({ name: `${what} ${big}`, text: JSON.stringify(d), names: /at most (2147483647|2147483647)/ });
    }
  }
  const d = clone(doc);
  d.step = MAX_STEP;
  out.push({ name: 'negative node id', text: JSON.stringify({ ...d, graph: { ...d.graph, nodes: d.graph.nodes.map((n, i) => (i === 0 ? { ...n, id: -1 } : n)) } }), names: /graph\.nodes\.0\.id must be at least 0/ });
  out.push({ name: 'fractional edge id', text: JSON.stringify({ ...d, graph: { ...d.graph, edges: d.graph.edges.map((e, i) => (i === 0 ? { ...e, id: 0.5 } : e)) } }), names: /graph\.edges\.0\.id must be a whole number/ });
  const dup = clone(doc);
  dup.graph.edges[1] = { ...dup.graph.edges[1]!, id: dup.graph.edges[0]!.id };
  out.push({ name: 'duplicate edge id', text: JSON.stringify(dup), names: /appears twice/ });
  return out;
}

/** Tensor shapes and graphs that do not agree with the model kind's structure. */
function shapeCases(rng: Rng, doc: ModelDocument): Case[] {
  const out: Case[] = [];
  for (const [name, t] of Object.entries(doc.weights)) {
    if (t.shape.length > 1) {
      const d = clone(doc);
      d.weights[name]!.shape = [sizeOf(t.shape)];
      out.push({ name: `${name} flattened`, text: JSON.stringify(d), names: new RegExp(`"${name}" has shape`) });
    }
    const d2 = clone(doc);
    d2.weights[name]!.shape = [...t.shape, 1];
    out.push({ name: `${name} with an extra axis`, text: JSON.stringify(d2), names: new RegExp(`"${name}" has shape`) });
    const d3 = clone(doc);
    d3.weights[name]!.data = floats(new Array<number>(Math.max(0, sizeOf(t.shape) - 1)).fill(0));
    out.push({ name: `${name} one value short`, text: JSON.stringify(d3), names: new RegExp(`"${name}" holds`) });
  }
  // A self-loop on every node, with no weights for them.
  const loops = clone(doc);
  for (const n of loops.graph.nodes) loops.graph.edges.push({ id: loops.graph.nextEdgeId++, source: n.id, target: n.id });
  out.push({ name: 'self-loops without weights', text: JSON.stringify(loops), names: /graph|shape/ });
  // A random edge dropped (its weights kept).
  const dropped = clone(doc);
  dropped.graph.edges.splice(randInt(rng, dropped.graph.edges.length), 1);
  out.push({ name: 'an edge dropped', text: JSON.stringify(dropped), names: /graph|shape/ });
  const missing = clone(doc);
  const gone = pick(rng, Object.keys(missing.weights));
  delete missing.weights[gone];
  out.push({ name: `${gone} missing`, text: JSON.stringify(missing), names: new RegExp(`"${gone}" is missing`) });
  return out;
}

/** Sizes a browser cannot hold: declared before anything is decoded. */
function sizeCases(doc: ModelDocument): Case[] {
  const out: Case[] = [];
  for (const hidden of [5000, 50_000]) {
    const d = clone(doc);
    for (let i = 0; i < hidden; i++) d.graph.nodes.push({ id: d.graph.nextNodeId++, role: 'hidden', visitShare: 0 });
    out.push({ name: `${hidden} more hidden nodes`, text: JSON.stringify(d), names: /nodes/ });
  }
  const name = Object.keys(doc.weights)[0] as string;
  const huge = clone(doc);
  huge.weights[name]!.shape = [2 ** 20, 2 ** 20];
  out.push({ name: 'a declared shape of 2^40 values', text: JSON.stringify(huge), names: /at most 33554432 values/ });
  const longKey = clone(doc);
  (longKey.weights as Record<string, unknown>)['k'.repeat(100_000)] = doc.weights[name];
  out.push({ name: 'a weight name of 100,000 characters', text: JSON.stringify(longKey), names: /weight name "k+…" \(100,000 characters\) is longer than 64/ });
  const longDate = clone(doc);
  longDate.createdAt = 'x'.repeat(1_000_000);
  out.push({ name: 'a createdAt of a million characters', text: JSON.stringify(longDate), names: /createdAt must have at most 64 characters/ });
  const oversize = JSON.stringify(doc).replace('"createdAt":"', `"createdAt":"${' '.repeat(MAX_IMPORT_BYTES)}`);
  out.push({ name: 'a file over the size limit', text: oversize, names: /MB; the lab reads exports up to 67\.1 MB/ });
  return out;
}

/** Wrong types, deep nesting, truncations and injection strings. */
function structureCases(rng: Rng, doc: ModelDocument): Case[] {
  const text = JSON.stringify(doc);
  const out: Case[] = [];
  for (let i = 0; i < 12; i++) {
    const at = 1 + randInt(rng, text.length - 2);
    out.push({ name: `truncated at ${at}`, text: text.slice(0, at), names: /not JSON/ });
  }
  const wrong: [string, (d: Doc) => void, RegExp][] = [
    ['graph as a string', (d) => ((d as Record<string, unknown>).graph = 'graph'), /graph must be an object/],
    ['step as a string', (d) => ((d as Record<string, unknown>).step = '12'), /step must be a number/],
    ['weights as a list', (d) => ((d as Record<string, unknown>).weights = [1, 2]), /weights/],
    ['a shape of strings', (d) => ((d.weights[Object.keys(d.weights)[0]!] as { shape: unknown }).shape = ['2']), /shape\.0 must be a number/],
    ['data as a number', (d) => ((d.weights[Object.keys(d.weights)[0]!] as { data: unknown }).data = 12), /data must be text/],
    ['role <img onerror>', (d) => ((d.graph.nodes[0] as { role: unknown }).role = '<img src=x onerror=alert(1)>'), /role must be one of input, output, hidden/],
    ['a non-base64 tensor', (d) => (d.weights[Object.keys(d.weights)[0]!]!.data = '%'.repeat(d.weights[Object.keys(d.weights)[0]!]!.data.length)), /not base64/],
  ];
  for (const [name, f, names] of wrong) {
    const d = clone(doc);
    f(d);
    out.push({ name, text: JSON.stringify(d), names });
  }
  const deep = text.replace('"params":{', `"params":{"extra":${'['.repeat(5000)}${']'.repeat(5000)},`);
  out.push({ name: 'deep nesting in the parameters', text: deep, names: /key the format does not know: extra/ });
  out.push({ name: 'deep nesting as the file', text: '['.repeat(100_000) + ']'.repeat(100_000), names: /expected a JSON object|not JSON/ });
  return out;
}

describe.each(MODEL_KINDS)('hostile imports of a %s export', (kind) => {
  it('a valid export round-trips: parsed, rebuilt and written again to the same document', async () => {
    const doc = docs.get(kind) as ModelDocument;
    const r = parseModelDocument(JSON.stringify(doc));
    expect(r.ok ? 'accepted' : r.error).toBe('accepted');
    if (!r.ok) return;
    const t = await trainerFromModel(r.document.experiment, r.model, r.document.step);
    const again = toModelDocument(r.document.experiment, await t.exportModel(), t.step, doc.metrics);
    t.dispose();
    expect({ ...again, createdAt: doc.createdAt }).toEqual(doc);
  });

  it('refuses every generated malformed document, naming the problem in a short message', () => {
    const doc = docs.get(kind) as ModelDocument;
    const rng = createRng(16, MODEL_KINDS.indexOf(kind));
    const cases = [...numberCases(rng, doc), ...idCases(rng, doc), ...shapeCases(rng, doc), ...sizeCases(doc), ...structureCases(rng, doc)];
    const wrong = cases
      .map((c) => ({ c, error: refusal(c.text) }))
      .filter(({ c, error }) => error === 'accepted' || !c.names.test(error) || error.length > 400)
      .map(({ c, error }) => `${c.name}: ${error.slice(0, 300)}`);
    expect(wrong).toEqual([]);
    expect(cases.length).toBeGreaterThan(60);
  });

  it('survives random bit flips: each is refused with a message or accepted with every weight finite and in range', () => {
    const doc = docs.get(kind) as ModelDocument;
    const text = JSON.stringify(doc);
    const rng = createRng(1616, MODEL_KINDS.indexOf(kind));
    for (let i = 0; i < 60; i++) {
      const at = randInt(rng, text.length);
      const flipped = String.fromCharCode(text.charCodeAt(at) ^ (1 << randInt(rng, 7)));
      const r = parseModelDocument(text.slice(0, at) + flipped + text.slice(at + 1));
      if (!r.ok) {
        expect(r.error.length).toBeGreaterThan(10);
        expect(r.error.length).toBeLessThan(400);
        continue;
      }
      for (const t of Object.values(r.encoded.tensors)) expect(t.values.every((v) => Number.isFinite(v) && Math.abs(v) <= MAX_WEIGHT_MAGNITUDE)).toBe(true);
    }
  });

  it('flushes denormal weights to zero and keeps the rest bit for bit', () => {
    const doc = clone(docs.get(kind) as ModelDocument);
    const name = Object.keys(doc.weights)[0] as string;
    const t = doc.weights[name]!;
    const values = new Float32Array(sizeOf(t.shape)).fill(0.25);
    values[0] = 1e-40;
    values[values.length - 1] = -bits(0x00000001);
    t.data = float32ToBase64(values);
    const r = parseModelDocument(JSON.stringify(doc));
    expect(r.ok ? 'accepted' : r.error).toBe('accepted');
    if (!r.ok) return;
    const got = r.encoded.tensors[name]!.values;
    expect(got[0]).toBe(0);
    expect(Math.abs(got[got.length - 1]!)).toBe(0);
    expect(got.slice(1, -1).every((v) => v === 0.25)).toBe(true);
  });
});

describe('declared dimensions past what a backend holds', () => {
  it('refuses a LARA document whose graph packs into a tensor over the limit, before decoding a weight', () => {
    const doc = clone(docs.get('lara') as ModelDocument);
    const e = doc.experiment as Extract<Experiment, { model: 'lara' }>;
    // 4,096 nodes of width 64 in a ring, node 0 reading 64 sources: stored, 4,159 edge matrices (17 M floats);
    // packed as the trainer packs them, 4,096 x 64 slots x 64 x 64 = 1,073,741,824 floats.
    const L = 4096;
    const H = 64;
    doc.experiment = { ...e, params: { ...e.params, nodes: L, width: H } };
    doc.graph.nodes = Array.from({ length: L }, (_, id) => ({ id, role: id === 0 ? 'input' : id === 1 ? 'output' : 'hidden', visitShare: 0 }));
    const ring = Array.from({ length: L }, (_, a) => ({ source: (a + 1) % L, target: a }));
    const hub = Array.from({ length: 63 }, (_, i) => ({ source: i + 2, target: 0 }));
    doc.graph.edges = [...ring, ...hub].map((e2, id) => ({ id, ...e2 }));
    doc.graph.nextNodeId = L;
    doc.graph.nextEdgeId = doc.graph.edges.length;
    const E = doc.graph.edges.length;
    // Declared shapes as the graph needs them; the data is empty (it must never be decoded).
    for (const t of Object.values(doc.weights)) t.data = '';
    doc.weights.edgeW!.shape = [E, H, H];
    doc.weights.gateU!.shape = [E, H];
    doc.weights.gateV!.shape = [E, H];
    doc.weights.inputW!.shape = [1, doc.weights.inputW!.shape[1]!, H];
    doc.weights.readoutW!.shape = [1, H, doc.weights.readoutW!.shape[2]!];
    expect(refusal(JSON.stringify(doc))).toMatch(/too large for a browser: it needs a tensor of 1,073,741,824 float32 values, a backend holds at most 33,554,432/);
  });
});

describe('graphs whose weights fit but whose structure is not the kind’s', () => {
  it('refuses a loopy network with a hidden node its generator never makes (its weights still fit the tables)', () => {
    const doc = clone(docs.get('loopy') as ModelDocument);
    doc.graph.nodes.push({ id: doc.graph.nextNodeId++, role: 'hidden', visitShare: 0 });
    expect(refusal(JSON.stringify(doc))).toMatch(/a loopy network of 200 nodes on recall has 4 input, 200 hidden and 4 output nodes, the graph has 4, 201, 4/);
  });

  it('refuses a LARA node reading more sources than growth may give it, with weights for every edge', () => {
    const doc = clone(docs.get('lara') as ModelDocument);
    const H = (doc.experiment.params as { width: number }).width;
    const hub = doc.graph.nodes[0]!.id;
    const readers = new Set(doc.graph.edges.filter((e) => e.target === hub).map((e) => e.source));
    for (let i = 0; doc.graph.edges.filter((e) => e.target === hub).length <= 64; i++) {
      const source = doc.graph.nextNodeId++;
      doc.graph.nodes.push({ id: source, role: 'hidden', visitShare: 0 });
      if (!readers.has(source)) doc.graph.edges.push({ id: doc.graph.nextEdgeId++, source, target: hub });
    }
    const E = doc.graph.edges.length;
    doc.weights.edgeW = { shape: [E, H, H], dtype: 'float32', data: float32ToBase64(new Float32Array(E * H * H)) };
    doc.weights.gateU = { shape: [E, H], dtype: 'float32', data: float32ToBase64(new Float32Array(E * H)) };
    doc.weights.gateV = { shape: [E, H], dtype: 'float32', data: float32ToBase64(new Float32Array(E * H)) };
    expect(refusal(JSON.stringify(doc))).toMatch(/a LARA node reads at most 64 sources, a node of this graph reads 65/);
  });
});
