/**
 * Reads an import file on the page: refused by its size before a byte is
 * read (a file bigger than any export the lab writes never becomes a string),
 * then decoded by its byte-order mark: UTF-16 (either byte order) when it has
 * one, UTF-8 otherwise (a UTF-8 BOM is dropped).
 */
import { importSizeProblem } from '../protocol/import-limits';

export type ReadFile = { readonly text: string } | { readonly error: string };

/** The text of `bytes`, decoded by its byte-order mark (UTF-8 without one). */
export function decodeFileText(bytes: Uint8Array): string {
  const [a, b] = bytes;
  const encoding = a === 0xff && b === 0xfe ? 'utf-16le' : a === 0xfe && b === 0xff ? 'utf-16be' : 'utf-8';
  // TextDecoder drops the BOM itself (ignoreBOM is false by default).
  return new TextDecoder(encoding).decode(bytes);
}

export async function readImportFile(file: Blob): Promise<ReadFile> {
  const tooBig = importSizeProblem(file.size);
  if (tooBig) return { error: tooBig };
  try {
    return { text: decodeFileText(new Uint8Array(await file.arrayBuffer())) };
  } catch (e) {
    return { error: `the file could not be read (${(e as Error).message}).` };
  }
}
