/**
 * The spectral radius of a sparse matrix given by its entries, by the same power iteration (and the same
 * float64 operations, in the same order) as baselines/esn.ts spectralRadius, which takes a dense n x n
 * array: at 10,000 nodes that array alone would be 800 MB. Rows hold their columns ascending, duplicates
 * summed in the order given, as the dense accumulation does.
 */
import { operatorSpectralRadius } from '../baselines/esn';

export interface SparseEntries {
  readonly n: number;
  readonly rows: Int32Array;
  readonly cols: Int32Array;
  readonly values: Float64Array;
}

/** CSR with duplicates summed and columns ascending, zeros dropped (the dense scan skips them). */
function compress(m: SparseEntries): { ptr: Int32Array; col: Int32Array; val: Float64Array } {
  const byRow: Map<number, number>[] = Array.from({ length: m.n }, () => new Map());
  for (let k = 0; k < m.rows.length; k++) {
    const row = byRow[m.rows[k] as number] as Map<number, number>;
    const c = m.cols[k] as number;
    row.set(c, (row.get(c) ?? 0) + (m.values[k] as number));
  }
  const ptr = new Int32Array(m.n + 1);
  const col: number[] = [];
  const val: number[] = [];
  byRow.forEach((row, i) => {
    for (const c of [...row.keys()].sort((a, b) => a - b)) {
      const x = row.get(c) as number;
      if (x === 0) continue;
      col.push(c);
      val.push(x);
    }
    ptr[i + 1] = col.length;
  });
  return { ptr, col: Int32Array.from(col), val: Float64Array.from(val) };
}

/** Nonzero entries after duplicates are summed. */
export function sparseNonzeros(m: SparseEntries): number {
  return compress(m).col.length;
}

export function sparseSpectralRadius(m: SparseEntries, seed = 1): number {
  const { n } = m;
  const { ptr, col, val } = compress(m);
  const apply = (v: Float64Array): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = ptr[i] as number, end = ptr[i + 1] as number; k < end; k++) s += (val[k] as number) * (v[col[k] as number] as number);
      out[i] = s;
    }
    return out;
  };
  return operatorSpectralRadius(n, apply, seed);
}
