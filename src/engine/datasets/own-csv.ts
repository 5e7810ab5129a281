/**
 * A person's own CSV file as a classification dataset: a header row, numeric
 * feature columns and one label column (the first of label, class, target
 * or y, else the last column). Labels may be numbers or text; classes are their
 * distinct values sorted (numbers numerically when every label is one,
 * otherwise as text). The split is seeded and stratified, 80/20 per class,
 * and features are standardised with the train split's mean and sd (then
 * divided by 3, so ±3 sd spans [-1, 1] as the Playground datasets do).
 */
import Papa from 'papaparse';
import { createRng, deriveSeed, shuffle } from '../random';
import type { ClassificationData, DatasetInfo, Split } from './dataset-info';

/** Bounds an own CSV must keep: enough rows to split, few enough classes and features to keep the models' sizes sane. */
export const MIN_CSV_ROWS = 20;
export const MAX_CSV_CLASSES = 32;
export const MAX_CSV_FEATURES = 1024;
/** Standardised features are divided by this, so ±3 sd spans [-1, 1]: the Playground datasets' range, which the decision-boundary view draws. */
export const CSV_FEATURE_SPAN_SD = 3;
/** The share of each class's rows held out for test. */
export const CSV_TEST_SHARE = 0.2;

/** Header names that mark the label column, the first found winning (case and surrounding spaces ignored). */
const LABEL_NAMES = ['label', 'class', 'target', 'y'];

export interface OwnCsv {
  readonly featureNames: readonly string[];
  readonly labelName: string;
  /** Class names in class order. */
  readonly classes: readonly string[];
  readonly rows: number;
  /** Raw features [rows, features], row-major, in file order. */
  readonly x: Float64Array;
  /** Class per row. */
  readonly y: Int32Array;
}

/** A cell as a message quotes it: at most 24 characters. */
function cell(text: string): string {
  return JSON.stringify(text.length > 24 ? `${text.slice(0, 24)}…` : text);
}

/** The dataset of `text` (already decoded, BOM stripped), or why it cannot be one. Rows are counted from 1 after the header. */
export function parseOwnCsv(text: string): OwnCsv | { readonly problem: string } {
  const parsed = Papa.parse<string[]>(text, { header: false, skipEmptyLines: 'greedy', dynamicTyping: false });
  const fatal = parsed.errors.find((e) => e.type !== 'Delimiter');
  if (fatal) return { problem: `it is not well-formed CSV at row ${fatal.row ?? '?'}: ${fatal.message}` };
  const [header, ...body] = parsed.data;
  if (!header || header.every((h) => h.trim() === '')) return { problem: 'the file is empty' };
  const m = header.length;
  if (m < 2) return { problem: `the header has ${m} column; at least one feature column and a label column are needed` };
  if (m - 1 > MAX_CSV_FEATURES) return { problem: `it has ${(m - 1).toLocaleString('en-US')} feature columns; at most ${MAX_CSV_FEATURES.toLocaleString('en-US')} are allowed` };
  if (body.length < MIN_CSV_ROWS) return { problem: `it has ${body.length} data row${body.length === 1 ? '' : 's'}; at least ${MIN_CSV_ROWS} are needed to train and test` };
  const names = header.map((h) => h.trim());
  // In LABEL_NAMES' order, so x,y,label takes "label" and keeps y a feature.
  const lower = names.map((h) => h.toLowerCase());
  const named = LABEL_NAMES.map((n) => lower.indexOf(n)).find((i) => i >= 0);
  const labelAt = named ?? m - 1;
  const features = names.map((_, i) => i).filter((i) => i !== labelAt);
  const F = features.length;
  const x = new Float64Array(body.length * F);
  const labels: string[] = [];
  for (let r = 0; r < body.length; r++) {
    const row = body[r] as string[];
    if (row.length !== m) return { problem: `row ${r + 1} has ${row.length} cell${row.length === 1 ? '' : 's'}, the header has ${m}` };
    for (let f = 0; f < F; f++) {
      const c = features[f] as number;
      const raw = (row[c] as string).trim();
      if (raw === '') return { problem: `row ${r + 1}, column ${cell(names[c] as string)} is empty (missing values are not filled in)` };
      const v = Number(raw);
      if (!Number.isFinite(v)) return { problem: `row ${r + 1}, column ${cell(names[c] as string)} holds ${cell(raw)}, not a number` };
      x[r * F + f] = v;
    }
    const label = (row[labelAt] as string).trim();
    if (label === '') return { problem: `row ${r + 1} has no label (column ${cell(names[labelAt] as string)} is empty)` };
    labels.push(label);
  }
  const distinct = [...new Set(labels)];
  if (distinct.length < 2) return { problem: `every row has the label ${cell(distinct[0] ?? '')}; a classifier needs at least two classes` };
  if (distinct.length > MAX_CSV_CLASSES) return { problem: `its labels hold ${distinct.length} classes; at most ${MAX_CSV_CLASSES} are allowed` };
  const numeric = distinct.every((l) => Number.isFinite(Number(l)));
  const classes = numeric ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const classOf = new Map(classes.map((c, i) => [c, i]));
  const y = Int32Array.from(labels, (l) => classOf.get(l) as number);
  return { featureNames: features.map((i) => names[i] as string), labelName: names[labelAt] as string, classes, rows: body.length, x, y };
}

/** The dataset's info line for an own CSV named `name`. */
export function ownCsvInfo(csv: OwnCsv, name: string): DatasetInfo {
  return {
    id: 'own-csv',
    label: 'Your CSV file',
    description: `${name}: ${csv.rows.toLocaleString('en-US')} rows, ${csv.featureNames.length} features, ${csv.classes.length} classes (label column ${JSON.stringify(csv.labelName)}).`,
    inputSize: csv.featureNames.length,
    classes: csv.classes.length,
  };
}

/** Row indices of the train and test splits: per class a seeded shuffle, CSV_TEST_SHARE of it (at least one row of a class with two or more) to test. */
export function stratifiedSplit(y: Int32Array, classes: number, seed: number): { train: number[]; test: number[] } {
  const rng = createRng(deriveSeed(seed, 'own-csv-split'));
  const train: number[] = [];
  const test: number[] = [];
  for (let c = 0; c < classes; c++) {
    const rows = shuffle(rng, Array.from(y.keys()).filter((r) => y[r] === c));
    const nTest = rows.length < 2 ? 0 : Math.max(1, Math.round(rows.length * CSV_TEST_SHARE));
    test.push(...rows.slice(0, nTest));
    train.push(...rows.slice(nTest));
  }
  return { train: shuffle(rng, train), test };
}

/**
 * The seeded, stratified split with features standardised by the train
 * split's mean and sd and divided by CSV_FEATURE_SPAN_SD (a constant feature
 * becomes 0); test rows use the train split's mean and sd.
 */
export function ownCsvDataset(csv: OwnCsv, name: string, seed: number): ClassificationData {
  const info = ownCsvInfo(csv, name);
  const F = info.inputSize;
  const { train, test } = stratifiedSplit(csv.y, info.classes, seed);
  const mean = new Float64Array(F);
  const sd = new Float64Array(F);
  for (const r of train) for (let f = 0; f < F; f++) mean[f] = (mean[f] as number) + (csv.x[r * F + f] as number) / train.length;
  for (const r of train) for (let f = 0; f < F; f++) sd[f] = (sd[f] as number) + ((csv.x[r * F + f] as number) - (mean[f] as number)) ** 2 / train.length;
  for (let f = 0; f < F; f++) sd[f] = CSV_FEATURE_SPAN_SD * (Math.sqrt(sd[f] as number) || 1);
  const gather = (rows: readonly number[]): Split => {
    const x = new Float32Array(rows.length * F);
    const yy = new Int32Array(rows.length);
    rows.forEach((r, i) => {
      for (let f = 0; f < F; f++) x[i * F + f] = ((csv.x[r * F + f] as number) - (mean[f] as number)) / (sd[f] as number);
      yy[i] = csv.y[r] as number;
    });
    return { n: rows.length, x, y: yy };
  };
  return { info, train: gather(train), test: gather(test) };
}
