/**
 * The spectral radius of a sparse matrix given by its entries, by the same power iteration (and the same
 * float64 operations, in the same order) as baselines/esn.ts spectralRadius, which takes a dense n x n
 * array: at 10,000 nodes that array alone would be 800 MB. Rows hold their columns ascending, duplicates
 * summed in the order given, as the dense accumulation does.
 */
import { createRng, randNormal } from '../random';

const RADIUS_CHUNK = 50;
const RADIUS_MAX_ITERATIONS = 40_000;
const RADIUS_TOLERANCE = 1e-10;

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
  const dot = (a: Float64Array, b: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
    return s;
  };
  const normalise = (v: Float64Array): number => {
    const norm = Math.sqrt(dot(v, v));
    if (norm > 0) for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) / norm;
    return norm;
  };
  const rng = createRng(seed, 41);
  let q0: Float64Array = Float64Array.from({ length: n }, () => randNormal(rng));
  normalise(q0);
  const estimate = (): number => {
    const mq0 = apply(q0);
    const h00 = dot(q0, mq0);
    const q1 = mq0.map((x, i) => x - h00 * (q0[i] as number));
    const r = normalise(q1);
    if (r <= 1e-9 * Math.max(Math.abs(h00), 1e-300)) return Math.abs(h00);
    const mq1 = apply(q1);
    const h01 = dot(q0, mq1);
    const h11 = dot(q1, mq1);
    const half = (h00 + h11) / 2;
    const disc = half * half - (h00 * h11 - h01 * r);
    if (disc < 0) return Math.sqrt(h00 * h11 - h01 * r);
    return Math.abs(half) + Math.sqrt(disc);
  };
  let previous = NaN;
  for (let done = 0; done < RADIUS_MAX_ITERATIONS; done += RADIUS_CHUNK) {
    for (let k = 0; k < RADIUS_CHUNK; k++) {
      q0 = apply(q0);
      if (normalise(q0) === 0) return 0;
    }
    const current = estimate();
    if (Math.abs(current - previous) <= RADIUS_TOLERANCE * Math.max(1, current)) return current;
    previous = current;
  }
  return previous;
}
