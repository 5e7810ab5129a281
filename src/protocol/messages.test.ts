import { describe, expect, it } from 'vitest';
import { transferablesOf } from './messages';

describe('transferablesOf', () => {
  it('collects the buffer of every typed array a message holds, nested, each once', () => {
    const a = new Float32Array(4);
    const b = new Int32Array(2);
    const shared = new ArrayBuffer(16);
    const message = {
      type: 'frame',
      step: 3,
      activity: a,
      detail: { kind: 'dna', cellIds: b, views: [new Uint8Array(shared, 0, 4), new Uint8Array(shared, 4, 4)] },
      label: 'text',
      none: null,
    };
    const got = transferablesOf(message);
    expect(got).toHaveLength(3);
    expect(got).toContain(a.buffer);
    expect(got).toContain(b.buffer);
    expect(got).toContain(shared);
  });

  it('gives nothing for a message without typed arrays, and skips shared memory', () => {
    expect(transferablesOf({ type: 'status', playing: true, step: 1 })).toEqual([]);
    expect(transferablesOf({ detail: { x: new Float32Array(new SharedArrayBuffer(8)) } })).toEqual([]);
  });
});
