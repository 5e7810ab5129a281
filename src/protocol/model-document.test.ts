import { beforeAll, describe, expect, it } from 'vitest';
import { LaraTrainer } from '../engine/lara/lara-trainer';
import { useBackend } from '../engine/testing/backends';
import { base64ToFloat32, float32ToBase64 } from './base64';
import { defaultExperiment } from './experiment';
import type { LaraHostModel } from '../engine/lara/lara-model';
import { parseModelDocument, toModelDocument, type ModelDocument } from './model-document';

const LARA = defaultExperiment('lara');
const SMALL = { ...LARA, params: { ...LARA.params, nodes: 5, width: 3, batch: 2, window: 2 } };

describe('model document', () => {
  let doc: ModelDocument;
  beforeAll(async () => {
    await useBackend('cpu');
    const t = LaraTrainer.create(SMALL);
    await t.trainStep();
    doc = toModelDocument(SMALL, await t.exportModel(), t.step, { loss: 1.2, accuracy: 0.5 });
    t.dispose();
  });
  const mutate = (f: (d: ModelDocument) => void): string => {
    const copy = structuredClone<ModelDocument>(doc);
    f(copy);
    return JSON.stringify(copy);
  };
  const errorOf = (text: string): string => {
    const r = parseModelDocument(text);
    return r.ok ? 'accepted' : r.error;
  };

  it('round-trips floats through base64 bit for bit', () => {
    const x = Float32Array.from([0, -1.5, 3.25e-8, Math.PI, -0]);
    expect(base64ToFloat32(float32ToBase64(x))).toEqual(x);
    expect(base64ToFloat32('%%%')).toBeNull();
    expect(base64ToFloat32(btoa('abc'))).toBeNull();
  });

  it('accepts its own export and rebuilds every weight row', () => {
    const r = parseModelDocument(JSON.stringify(doc));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.encoded.graph.nodes.map((n) => n.id)).toEqual(doc.graph.nodes.map((n) => n.id));
    const model = r.model as LaraHostModel;
    expect(model.graph.nodes.map((n) => n.id)).toEqual(doc.graph.nodes.map((n) => n.id));
    expect(model.tables.edgeW.rows.size).toBe(doc.graph.edges.length);
    expect(model.tables.edgeW.width).toBe(9);
  });

  it('names what is wrong in a broken file', () => {
    expect(errorOf('{')).toMatch(/not JSON/);
    expect(errorOf('[1,2]')).toMatch(/expected a JSON object/);
    expect(errorOf('{"format":"keras"}')).toMatch(/"format" is "keras"/);
    expect(errorOf('{"format":"loopy-lab","version":2}')).toMatch(/version 2/);
    expect(errorOf(mutate((d) => delete (d as Partial<ModelDocument>).weights))).toMatch(/weights/);
    expect(errorOf(mutate((d) => (d.experiment.params.learningRate = -1)))).toMatch(/learningRate/);
    expect(errorOf(mutate((d) => (d.weights.edgeW!.shape = [1, 3, 3])))).toMatch(/edgeW.*shape/);
    expect(errorOf(mutate((d) => (d.weights.gateU!.data = float32ToBase64(new Float32Array(2)))))).toMatch(/gateU/);
    expect(
      errorOf(mutate((d) => (d.weights.gateV!.data = float32ToBase64(new Float32Array(doc.graph.edges.length * 3).fill(NaN))))),
    ).toMatch(/NaN/);
    expect(errorOf(mutate((d) => d.graph.edges.push({ id: 9999, source: 0, target: 12345 })))).toMatch(/graph/);
    expect(errorOf(mutate((d) => (d.graph.nodes[0] = { id: 1, role: 'input', visitShare: 0 })))).toMatch(/twice/);
  });
});
