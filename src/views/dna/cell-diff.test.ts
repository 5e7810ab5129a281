import { describe, expect, it } from 'vitest';
import { diffCells, FLASH_MS, flashAlpha, FlashList, MAX_FLASHES, sameCells } from './cell-diff';

const ids = (...xs: number[]): Int32Array => Int32Array.from(xs);

describe('diffCells', () => {
  it('finds nothing when the cells are the same', () => {
    const a = ids(0, 1, 2, 3);
    expect(sameCells(a, ids(0, 1, 2, 3))).toBe(true);
    expect(diffCells(a, ids(0, 1, 2, 3))).toEqual({ born: [], dead: [] });
  });

  it('gives born cells as positions in the new frame and dead cells as positions in the old one', () => {
    // Cell 1 died; cell 2 split into 2 and new cell 7; cell 9 was born from cell 3.
    const prev = ids(0, 1, 2, 3);
    const next = ids(0, 2, 7, 3, 9);
    const d = diffCells(prev, next);
    expect(d.born.map((k) => next[k])).toEqual([7, 9]);
    expect(d.dead.map((k) => prev[k])).toEqual([1]);
    expect(d.born).toEqual([2, 4]);
    expect(d.dead).toEqual([1]);
  });

  it('treats a reorder as no births or deaths', () => {
    const d = diffCells(ids(3, 1, 2), ids(1, 2, 3));
    expect(d.born).toEqual([]);
    expect(d.dead).toEqual([]);
  });

  it('handles an emptied and a filled layer', () => {
    expect(diffCells(ids(1, 2), ids()).dead).toEqual([0, 1]);
    expect(diffCells(ids(), ids(5)).born).toEqual([0]);
  });

  it('is quick enough for a full MNIST layer', () => {
    const prev = Int32Array.from({ length: 7840 }, (_, i) => i);
    const next = Int32Array.from({ length: 7840 }, (_, i) => (i < 392 ? 7840 + i : i));
    const d = diffCells(prev, next);
    expect(d.born.length).toBe(392);
    expect(d.dead.length).toBe(392);
  });
});

describe('flashes', () => {
  it('fade from 1 to 0 over FLASH_MS', () => {
    expect(flashAlpha(0)).toBe(1);
    expect(flashAlpha(FLASH_MS)).toBe(0);
    expect(flashAlpha(FLASH_MS * 2)).toBe(0);
    expect(flashAlpha(FLASH_MS / 4)).toBeGreaterThan(flashAlpha(FLASH_MS / 2));
    expect(flashAlpha(FLASH_MS / 2)).toBeGreaterThan(0);
  });

  it('are pruned once faded, oldest first', () => {
    const list = new FlashList();
    list.push('birth', 1, 2, 0);
    list.push('death', 3, 4, 500);
    expect(list.prune(900)).toBe(true);
    expect(list.size).toBe(2);
    expect(list.prune(1200)).toBe(true);
    expect(list.all.map((f) => f.kind)).toEqual(['death']);
    expect(list.all[0]).toMatchObject({ input: 3, output: 4 });
    expect(list.prune(1500)).toBe(false);
    expect(list.size).toBe(0);
  });

  it('keep at most MAX_FLASHES, dropping the oldest', () => {
    const list = new FlashList();
    for (let i = 0; i < MAX_FLASHES + 10; i++) list.push('birth', i, 0, i);
    expect(list.size).toBe(MAX_FLASHES);
    expect(list.all[0]!.input).toBe(10);
  });
});
