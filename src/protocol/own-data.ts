/**
 * A person's own data set as the protocol carries it: the file (kind, name,
 * decoded text) travels in the worker's reset message and in every model
 * document of an own task (`own-text`, `own-csv`), never in a link. The
 * parsing and the thread's installed copy live in engine/datasets/own-data.ts.
 */
import { z } from 'zod';
import {
  installedOwnData,
  MAX_OWN_DATA_BYTES,
  MAX_OWN_DATA_NAME,
  OWN_DATA_KINDS,
  ownKindOf,
  parseOwnData,
  type OwnDataFile,
  type OwnDataKind,
  type OwnDataSummary,
  type ParsedOwnData,
} from '../engine/datasets/own-data';

export { installedOwnData, installOwnData, ownDataSnapshot, ownKindOf, ownTaskOf, restoreOwnData, withOwnData, OWN_CSV_DATASET, OWN_TEXT_TASK } from '../engine/datasets/own-data';
export { MAX_TEXT_ALPHABET, MIN_TEXT_CHARS, HELD_OUT_SHARE } from '../engine/tasks/own-text';
export { CSV_TEST_SHARE, MAX_CSV_CLASSES, MAX_CSV_FEATURES, MIN_CSV_ROWS } from '../engine/datasets/own-csv';
export { MAX_OWN_DATA_BYTES, MAX_OWN_DATA_NAME, parseOwnData };
export type { OwnDataFile, OwnDataKind, OwnDataSummary, ParsedOwnData };

/** The data set field of a model document: bounded before anything parses it. */
export const ownDataFileSchema = z
  .object({
    kind: z.enum(OWN_DATA_KINDS),
    name: z.string().max(MAX_OWN_DATA_NAME),
    text: z.string().max(MAX_OWN_DATA_BYTES),
  })
  .strict();

/** The installed data set a task reads (null for a built-in task or none installed). */
export function ownDataFor(task: string): ParsedOwnData | null {
  const kind = ownKindOf(task);
  return kind ? installedOwnData(kind) : null;
}

/** The alert for a refused own file: what is wrong, and that nothing changed. */
export function ownDataRefusal(kind: OwnDataKind, name: string, problem: string): string {
  return `${kind === 'text' ? 'Text' : 'CSV'} file ${JSON.stringify(name.slice(0, 80))} refused: ${problem}. The running experiment is unchanged.`;
}

/** The line a page shows for a loaded data set: its name and sizes. */
export function ownDataLine(s: OwnDataSummary): string {
  const name = JSON.stringify(s.name);
  if (s.kind === 'text') {
    const other = s.other ? ' (the rarest characters share one "other" symbol)' : '';
    return `${name}: ${s.characters.toLocaleString('en-US')} characters, an alphabet of ${s.alphabet ?? 0}${other}; the last tenth is held out.`;
  }
  return `${name}: ${(s.rows ?? 0).toLocaleString('en-US')} rows, ${s.features ?? 0} features, ${s.classes ?? 0} classes; 20% of each class held out for test.`;
}
