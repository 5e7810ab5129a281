/** Packing: id-keyed host rows <-> dense packed arrays. */
import { describe, expect, it } from 'vitest';
import { alignRows, packGraph, packRows, rowIds, unpackRows, type RowTable } from './packing';
import { graphOf } from './reference/fixtures';

// In-degrees 1, 3, 2; node 2's edges are listed out of order, and node ids are not positions.
const GRAPH = (() => {
  const g = graphOf(
    ['input', 'hidden', 'output'],
    [
      [1, 2],
      [0, 1],
      [2, 1],
      [1, 1],
      [0, 2],
      [1, 0],
    ],
  );
  const ids = [10, 20, 30];
  return {
    ...g,
    nodes: g.nodes.map((n, i) => ({ ...n, id: ids[i] as number })),
    edges: g.edges.map((e) => ({ ...e, source: ids[e.source] as number, target: ids[e.target] as number })),
    nextNodeId: 31,
  };
})();

describe('packGraph', () => {
  const p = packGraph(GRAPH, false);

  it('packs nodes in graph order with K = the largest in-degree', () => {
    expect(p.L).toBe(3);
    expect(p.K).toBe(3);
    expect(Array.from(p.nodeIds)).toEqual([10, 20, 30]);
    expect(p.inputPositions).toEqual([0]);
    expect(p.outputPositions).toEqual([2]);
    expect(p.readPositions).toEqual([2]);
    expect(packGraph(GRAPH, true).readPositions).toEqual([0, 1, 2]);
  });

  it("fills each host's slots in edge order; padding slots point at the host with mask 0", () => {
    expect(Array.from(p.slotEdge)).toEqual([5, -1, -1, 1, 2, 3, 0, 4, -1]);
    expect(Array.from(p.source)).toEqual([1, 0, 0, 0, 2, 1, 1, 0, 2]);
    expect(Array.from(p.mask)).toEqual([1, 0, 0, 1, 1, 1, 1, 1, 0]);
  });

  it('lists row ids per row set', () => {
    expect(rowIds(p, 'edges')).toEqual(Array.from(p.slotEdge));
    expect(rowIds(p, 'nodes')).toEqual([10, 20, 30]);
    expect(rowIds(p, 'inputs')).toEqual([10]);
    expect(rowIds(p, 'reads')).toEqual([30]);
  });
});

describe('packRows / unpackRows', () => {
  const table: RowTable = {
    width: 2,
    rows: new Map([
      [4, Float32Array.from([1, 2])],
      [7, Float32Array.from([3, 4])],
      [9, Float32Array.from([5, 6])],
    ]),
  };

  it('round-trips, with padding (-1) packed as zeros and dropped again', () => {
    const ids = [7, -1, 4, 9, -1];
    const packed = packRows(table, ids);
    expect(Array.from(packed)).toEqual([3, 4, 0, 0, 1, 2, 5, 6, 0, 0]);
    const back = unpackRows(packed, ids, 2);
    expect(back.width).toBe(2);
    expect([...back.rows.keys()].sort()).toEqual([4, 7, 9]);
    for (const [id, row] of table.rows) expect(Array.from(back.rows.get(id) as Float32Array)).toEqual(Array.from(row));
    // Unpacked rows are copies, not views of the packed array.
    packed.fill(0);
    expect(Array.from(back.rows.get(7) as Float32Array)).toEqual([3, 4]);
  });

  it('packs ids it does not know as zeros', () => {
    expect(Array.from(packRows(table, [8, 4]))).toEqual([0, 0, 1, 2]);
  });

  it('alignRows keeps the wanted rows, adds zero rows, drops the rest', () => {
    const aligned = alignRows(table, [9, 11, -1]);
    expect([...aligned.rows.keys()]).toEqual([9, 11]);
    expect(Array.from(aligned.rows.get(11) as Float32Array)).toEqual([0, 0]);
    expect(Array.from(aligned.rows.get(9) as Float32Array)).toEqual([5, 6]);
  });
});
