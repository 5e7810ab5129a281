/**
 * The data sets a person brings: one text file (the `own-text` task) and one
 * CSV file (the `own-csv` dataset) at a time in each thread. The experiment
 * names only the task; the file itself travels beside it (in the worker's
 * reset message and in every model document), and each side installs it here
 * before it builds or checks a model of that task. Parsing is deterministic,
 * so the page and the worker derive the same alphabet, classes and split.
 */
import { DATASETS, type DatasetId, type DatasetInfo } from './dataset-info';
import { ownCsvInfo, parseOwnCsv, type OwnCsv } from './own-csv';
import { parseOwnText, type OwnText } from '../tasks/own-text';

export const OWN_TEXT_TASK = 'own-text';
export const OWN_CSV_DATASET = 'own-csv';
export const OWN_DATA_KINDS = ['text', 'csv'] as const;
export type OwnDataKind = (typeof OWN_DATA_KINDS)[number];

/** The largest own file in bytes (checked before it is read) and so in characters (a character is at least one UTF-8 byte). */
export const MAX_OWN_DATA_BYTES = 5_000_000;
/** The longest file name kept (and quoted). */
export const MAX_OWN_DATA_NAME = 200;

/** An own data set as it travels: what kind, the file's name and its decoded text. */
export interface OwnDataFile {
  readonly kind: OwnDataKind;
  readonly name: string;
  readonly text: string;
}

/** A small reference to an own data set (for run lists and lines on the page): name, content hash and sizes. */
export interface OwnDataSummary {
  readonly kind: OwnDataKind;
  readonly name: string;
  /** FNV-1a (32-bit) of the text's UTF-16 units, 8 hex digits. */
  readonly hash: string;
  readonly characters: number;
  /** Text: alphabet size, and whether rarer characters share an "other" symbol. */
  readonly alphabet?: number;
  readonly other?: boolean;
  /** CSV: rows, features, classes. */
  readonly rows?: number;
  readonly features?: number;
  readonly classes?: number;
}

export type ParsedOwnData = { readonly file: OwnDataFile; readonly summary: OwnDataSummary } & (
  | { readonly kind: 'text'; readonly text: OwnText }
  | { readonly kind: 'csv'; readonly csv: OwnCsv }
);

export function contentHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The task id an own data kind makes. */
export function ownTaskOf(kind: OwnDataKind): string {
  return kind === 'text' ? OWN_TEXT_TASK : OWN_CSV_DATASET;
}

/** The own data kind a task id needs, or null for a built-in task. */
export function ownKindOf(task: string): OwnDataKind | null {
  return task === OWN_TEXT_TASK ? 'text' : task === OWN_CSV_DATASET ? 'csv' : null;
}

/** Parses a file of either kind; the problem says what is wrong with it (size, too short, one class, ...). */
export function parseOwnData(file: OwnDataFile): ParsedOwnData | { readonly problem: string } {
  if (file.text.length > MAX_OWN_DATA_BYTES) return { problem: `it holds ${file.text.length.toLocaleString('en-US')} characters; own data sets are at most ${MAX_OWN_DATA_BYTES.toLocaleString('en-US')} bytes` };
  if (file.name.length > MAX_OWN_DATA_NAME) return { problem: `its name is longer than ${MAX_OWN_DATA_NAME} characters` };
  const base = { kind: file.kind, name: file.name, hash: contentHash(file.text), characters: file.text.length };
  if (file.kind === 'text') {
    const text = parseOwnText(file.text);
    if ('problem' in text) return text;
    return { kind: 'text', file, text, summary: { ...base, alphabet: text.alphabet.length, other: text.other } };
  }
  const csv = parseOwnCsv(file.text);
  if ('problem' in csv) return csv;
  return { kind: 'csv', file, csv, summary: { ...base, rows: csv.rows, features: csv.featureNames.length, classes: csv.classes.length } };
}

const installed: { text: ParsedOwnData | null; csv: ParsedOwnData | null } = { text: null, csv: null };

/** Parses and installs a file as this thread's data set of its kind; throws with the problem if it is not a good one. */
export function installOwnData(file: OwnDataFile): ParsedOwnData {
  const parsed = parseOwnData(file);
  if ('problem' in parsed) throw new Error(`The ${file.kind === 'text' ? 'text' : 'CSV'} file ${JSON.stringify(file.name)} cannot be used: ${parsed.problem}.`);
  installed[file.kind] = parsed;
  return parsed;
}

/** Puts back what ownDataSnapshot() saw (a build that failed leaves the thread as it was). */
export function restoreOwnData(snapshot: { text: ParsedOwnData | null; csv: ParsedOwnData | null }): void {
  installed.text = snapshot.text;
  installed.csv = snapshot.csv;
}

export function ownDataSnapshot(): { text: ParsedOwnData | null; csv: ParsedOwnData | null } {
  return { ...installed };
}

/** Runs `fn` with `parsed` installed, then puts back what was there (checking a document without adopting its data). */
export function withOwnData<T>(parsed: ParsedOwnData, fn: () => T): T {
  const before = ownDataSnapshot();
  installed[parsed.kind] = parsed;
  try {
    return fn();
  } finally {
    restoreOwnData(before);
  }
}

/** The installed data set of a kind, or null. */
export function installedOwnData(kind: OwnDataKind): ParsedOwnData | null {
  return installed[kind];
}

/** The installed data set an own task reads; throws a sentence when none is (a link or message without the file). */
function required(kind: OwnDataKind): ParsedOwnData {
  const d = installed[kind];
  if (!d) throw new Error(`no ${kind === 'text' ? 'text' : 'CSV'} file is loaded for the task "${ownTaskOf(kind)}"`);
  return d;
}

export function ownTextData(): { readonly text: OwnText; readonly file: OwnDataFile } {
  const d = required('text');
  if (d.kind !== 'text') throw new Error('own data: a text slot holds a CSV');
  return { text: d.text, file: d.file };
}

export function ownCsvData(): { readonly csv: OwnCsv; readonly file: OwnDataFile } {
  const d = required('csv');
  if (d.kind !== 'csv') throw new Error('own data: a CSV slot holds a text');
  return { csv: d.csv, file: d.file };
}

/**
 * What a dataset is (label, sizes): the built-in table, or for `own-csv` the
 * installed file's (a placeholder of size 0 naming no file when none is).
 * Every lookup of a classification task's sizes goes through here.
 */
export function datasetInfo(id: DatasetId): DatasetInfo {
  if (id !== OWN_CSV_DATASET) return DATASETS[id];
  const d = installed.csv;
  if (d?.kind === 'csv') return ownCsvInfo(d.csv, d.file.name);
  return { id: OWN_CSV_DATASET, label: 'Your CSV file', description: 'No CSV file is loaded.', inputSize: 0, classes: 0 };
}
