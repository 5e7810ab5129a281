/**
 * Every export of one moment in one .zip (fflate): text files as UTF-8,
 * binary ones as they are. Already-compressed PNGs are stored, the rest deflated.
 */
import { strToU8, zipSync, type Zippable } from 'fflate';

export type BundleFiles = Readonly<Record<string, string | Uint8Array>>;

export function zipBundle(files: BundleFiles, mtime: Date = new Date()): Uint8Array {
  const entries: Zippable = {};
  for (const [name, content] of Object.entries(files)) {
    const data = typeof content === 'string' ? strToU8(content) : content;
    entries[name] = [data, { level: name.endsWith('.png') ? 0 : 6, mtime }];
  }
  return zipSync(entries);
}
