/** Model documents of own-data tasks carry their data set; import checks it as an upload is checked. */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DnaTrainer } from '../engine/dna/dna-trainer';
import { GatedTrainer } from '../engine/gated/gated-trainer';
import { useBackend } from '../engine/testing/backends';
import { defaultExperiment, type Experiment } from './experiment';
import { parseModelDocument, toModelDocument, type ModelDocument } from './model-document';
import { installedOwnData, installOwnData, ownDataSnapshot, restoreOwnData, type OwnDataFile } from './own-data';

const TEXT: OwnDataFile = { kind: 'text', name: 'verse.txt', text: 'the quick brown fox jumps over the lazy dog. '.repeat(12) };
const CSV: OwnDataFile = {
  kind: 'csv',
  name: 'points.csv',
  text: ['x1,x2,x3,label', ...Array.from({ length: 40 }, (_, r) => `${r % 5},${(r * 3) % 7},${r / 10},${['a', 'b', 'c'][r % 3]}`)].join('\n'),
};
const GRU = { ...defaultExperiment('gru'), task: 'own-text' } as Experiment;
const DNA = { ...defaultExperiment('dna'), task: 'own-csv' } as Experiment;

describe('model documents with an own data set', () => {
  let textDoc: ModelDocument;
  let csvDoc: ModelDocument;
  const before = ownDataSnapshot();
  beforeAll(async () => {
    await useBackend('cpu');
    installOwnData(TEXT);
    installOwnData(CSV);
    const g = GatedTrainer.create(GRU as Parameters<typeof GatedTrainer.create>[0]);
    await g.trainStep();
    textDoc = toModelDocument(GRU, await g.exportModel(), g.step, { loss: 1, accuracy: 0.1 });
    g.dispose();
    const d = await DnaTrainer.create(DNA as Parameters<typeof DnaTrainer.create>[0]);
    await d.trainStep();
    csvDoc = toModelDocument(DNA, await d.exportModel(), d.step, { loss: 1, accuracy: 0.1 });
    d.dispose();
    restoreOwnData(before);
  });
  afterEach(() => restoreOwnData(before));
  const errorOf = (doc: ModelDocument): string => {
    const r = parseModelDocument(JSON.stringify(doc));
    return r.ok ? 'accepted' : r.error;
  };

  it('carries the data set and reads back with its sizes, on a page that holds no file', () => {
    expect(textDoc.data).toEqual(TEXT);
    expect(csvDoc.data).toEqual(CSV);
    expect(installedOwnData('text')).toBeNull();
    const r = parseModelDocument(JSON.stringify(textDoc));
    if (!r.ok) throw new Error(r.error);
    expect(r.data?.summary).toMatchObject({ name: 'verse.txt', kind: 'text', alphabet: 28 });
    const c = parseModelDocument(JSON.stringify(csvDoc));
    if (!c.ok) throw new Error(c.error);
    expect(c.data?.summary).toMatchObject({ rows: 40, features: 3, classes: 3 });
    // Checking a document does not adopt its data set.
    expect(installedOwnData('text')).toBeNull();
    expect(installedOwnData('csv')).toBeNull();
  });

  it('a document of a built-in task carries no data set, and one that does is refused', () => {
    const plain = { ...textDoc, experiment: defaultExperiment('gru') };
    delete (plain as { data?: unknown }).data;
    // The network of another task's sizes is refused for its shapes, not for data.
    expect(errorOf(plain)).not.toMatch('data set');
    expect(errorOf({ ...plain, data: TEXT })).toMatch('carries a data set ("verse.txt") but its task "recall" does not use one');
  });

  it('refuses a missing, mismatched or bad embedded data set, naming the problem', () => {
    const { data: _drop, ...without } = textDoc;
    expect(errorOf(without as ModelDocument)).toMatch('task is your own text file ("own-text"), but it does not carry the data set');
    expect(errorOf({ ...textDoc, data: CSV })).toMatch('needs a text file, but it carries a CSV file');
    expect(errorOf({ ...textDoc, data: { ...TEXT, text: 'aaaa' } })).toMatch('"verse.txt" cannot be used: the text has 4 characters');
    expect(errorOf({ ...csvDoc, data: { ...CSV, text: CSV.text.replace('0,0,0,a', '0,zero,0,a') } })).toMatch('row 1, column "x2" holds "zero", not a number');
    expect(errorOf({ ...csvDoc, data: { ...CSV, text: CSV.text.replace(/,[abc]$/gm, ',a') } })).toMatch('every row has the label "a"');
    expect(errorOf({ ...csvDoc, data: { ...CSV, extra: 1 } as OwnDataFile })).toMatch('does not match the Loopy Lab format');
    expect(errorOf({ ...csvDoc, data: { ...CSV, text: 'x'.repeat(5_000_001) } })).toMatch('does not match the Loopy Lab format');
  });

  it('a data set of other sizes does not fit the network; one of the same sizes does', () => {
    const fourClasses = { ...CSV, text: CSV.text.replace(/,a$/m, ',z') };
    expect(errorOf({ ...csvDoc, data: fourClasses })).toMatch(/graph is invalid|does not fit/);
    const relabelled = { ...CSV, text: CSV.text.replace(/,c$/gm, ',d') };
    expect(errorOf({ ...csvDoc, data: relabelled })).toBe('accepted');
  });
});
