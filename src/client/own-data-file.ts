/**
 * A person's own data file read on the page: refused by its size before it
 * is read, decoded as strict UTF-8 (a byte-order mark is dropped; the first
 * invalid byte is named), and typed by its name: `.csv` is a CSV, anything
 * else a text. What the text means (alphabet, columns, classes) is checked by
 * the parsers (protocol/own-data.ts) when LabClient.loadOwnData uses it.
 */
import { MAX_OWN_DATA_BYTES, MAX_OWN_DATA_NAME, type OwnDataFile, type OwnDataKind } from '../protocol/own-data';

/** The kind a file name says: `.csv` (any case) is a CSV, everything else (.txt, no extension) a text. */
export function ownDataKindOf(name: string): OwnDataKind {
  return /\.csv$/i.test(name.trim()) ? 'csv' : 'text';
}

/** Why a file of `bytes` is not read, or null. */
export function ownDataSizeProblem(bytes: number): string | null {
  if (bytes === 0) return 'the file is empty';
  if (bytes <= MAX_OWN_DATA_BYTES) return null;
  return `the file is ${(bytes / 1e6).toFixed(1)} MB; own data files are at most ${(MAX_OWN_DATA_BYTES / 1e6).toFixed(0)} MB, so it was not read`;
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence (over-long forms and surrogates count as invalid), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    // Continuation bytes a lead byte needs, and the least code point that many may encode.
    const [need, min] = b >= 0xc2 && b <= 0xdf ? [1, 0x80] : b >= 0xe0 && b <= 0xef ? [2, 0x800] : b >= 0xf0 && b <= 0xf4 ? [3, 0x10000] : [0, 0];
    if (need === 0) return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** The file's bytes as an own data file, or why not (encoding, size). */
export function decodeOwnDataBytes(name: string, bytes: Uint8Array): OwnDataFile | { readonly problem: string } {
  const tooBig = ownDataSizeProblem(bytes.length);
  if (tooBig) return { problem: tooBig };
  let text: string;
  try {
    // fatal: a byte that is not UTF-8 is refused, never replaced by U+FFFD; the BOM is dropped (ignoreBOM false).
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    return { problem: `it is not UTF-8 text${at >= 0 ? ` (byte ${at.toLocaleString('en-US')} is 0x${(bytes[at] as number).toString(16).padStart(2, '0')})` : ''}; save it as UTF-8 and try again` };
  }
  if (text.trim() === '') return { problem: 'the file is empty' };
  return { kind: ownDataKindOf(name), name: name.slice(0, MAX_OWN_DATA_NAME), text };
}

/** Reads a chosen file: its size first (a big one is never read), then its bytes. */
export async function readOwnDataFile(file: Blob & { readonly name: string }): Promise<OwnDataFile | { readonly problem: string }> {
  const tooBig = ownDataSizeProblem(file.size);
  if (tooBig) return { problem: tooBig };
  return decodeOwnDataBytes(file.name, new Uint8Array(await file.arrayBuffer()));
}
