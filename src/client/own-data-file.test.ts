import { describe, expect, it } from 'vitest';
import { MAX_OWN_DATA_BYTES } from '../protocol/own-data';
import { decodeOwnDataBytes, firstInvalidUtf8, ownDataKindOf, readOwnDataFile } from './own-data-file';

const bytes = (...b: number[]) => Uint8Array.from(b);
const utf8 = (s: string) => new TextEncoder().encode(s);

describe('own data files', () => {
  it('types a file by its name', () => {
    expect(ownDataKindOf('iris.CSV')).toBe('csv');
    expect(ownDataKindOf('poems.txt')).toBe('text');
    expect(ownDataKindOf('README')).toBe('text');
  });

  it('decodes UTF-8 and drops a byte-order mark', () => {
    const r = decodeOwnDataBytes('a.txt', Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8('héllo')]));
    expect(r).toEqual({ kind: 'text', name: 'a.txt', text: 'héllo' });
  });

  it('refuses bytes that are not UTF-8, naming the first bad byte', () => {
    const latin1 = Uint8Array.from([...utf8('caf'), 0xe9, ...utf8(' au lait')]);
    const r = decodeOwnDataBytes('menu.txt', latin1);
    expect('problem' in r && r.problem).toBe('it is not UTF-8 text (byte 3 is 0xe9); save it as UTF-8 and try again');
    // UTF-16 LE with its BOM is not UTF-8 either.
    expect('problem' in decodeOwnDataBytes('u16.txt', bytes(0xff, 0xfe, 0x61, 0x00))).toBe(true);
  });

  it('finds the first invalid byte: stray continuations, truncated, over-long and surrogate sequences', () => {
    expect(firstInvalidUtf8(utf8('añ€😀'))).toBe(-1);
    expect(firstInvalidUtf8(bytes(0x61, 0x80))).toBe(1);
    expect(firstInvalidUtf8(bytes(0x61, 0x62, 0xe2, 0x82))).toBe(2);
    expect(firstInvalidUtf8(bytes(0xc0, 0xaf))).toBe(0);
    expect(firstInvalidUtf8(bytes(0xe0, 0x80, 0xaf))).toBe(0);
    expect(firstInvalidUtf8(bytes(0x61, 0xed, 0xa0, 0x80))).toBe(1);
    expect(firstInvalidUtf8(bytes(0xf4, 0x90, 0x80, 0x80))).toBe(0);
  });

  it('refuses an empty file and one over 5 MB by its size, before reading it', async () => {
    expect(decodeOwnDataBytes('e.txt', new Uint8Array(0))).toEqual({ problem: 'the file is empty' });
    expect(decodeOwnDataBytes('e.txt', utf8(' \n '))).toEqual({ problem: 'the file is empty' });
    let read = false;
    const huge = { name: 'huge.txt', size: MAX_OWN_DATA_BYTES + 1, arrayBuffer: () => ((read = true), Promise.resolve(new ArrayBuffer(0))) } as unknown as Blob & { name: string };
    const r = await readOwnDataFile(huge);
    expect('problem' in r && r.problem).toMatch('own data files are at most 5 MB, so it was not read');
    expect(read).toBe(false);
    const small = new Blob([utf8('x,y\n')]) as Blob & { name: string };
    Object.defineProperty(small, 'name', { value: 'small.csv' });
    expect(await readOwnDataFile(small)).toEqual({ kind: 'csv', name: 'small.csv', text: 'x,y\n' });
  });
});
