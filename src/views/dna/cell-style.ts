/**
 * How a DNA cell looks: colour by the sign of its weight (blue positive,
 * orange negative, as in TensorFlow Playground), width and opacity by its
 * strength (|w| or passthrough) in a few buckets, so thousands of cells draw
 * as a dozen batched paths.
 */

/** What sets a cell's width and opacity. */
export type CellStrength = 'weight' | 'passthrough';

export const POSITIVE_COLOUR = '#38bdf8';
export const NEGATIVE_COLOUR = '#fb923c';
/** Strength buckets per sign. */
export const STRENGTH_BUCKETS = 6;

const POSITIVE_RGB = '56, 189, 248';
const NEGATIVE_RGB = '251, 146, 60';

export interface CellStroke {
  readonly colour: string;
  /** CSS pixels. */
  readonly width: number;
}

/**
 * Bucket of a strength `value` against the layer's largest, 0..buckets-1.
 * Square root, so the many middling cells do not all sink into the faintest bucket.
 */
export function strengthBucket(value: number, scale: number, buckets = STRENGTH_BUCKETS): number {
  if (!(scale > 0) || !(value > 0)) return 0;
  const t = Math.sqrt(Math.min(1, value / scale));
  return Math.min(buckets - 1, Math.floor(t * buckets));
}

/** Bucket index over both signs: 0..buckets-1 for w < 0, buckets..2·buckets-1 for w >= 0. */
export function cellBucket(w: number, strength: number, scale: number, buckets = STRENGTH_BUCKETS): number {
  return (w >= 0 ? buckets : 0) + strengthBucket(strength, scale, buckets);
}

/**
 * Opacity multiplier for `cells` lines drawn over each other: 1 for a few
 * hundred, down to 0.15 by tens of thousands, so 7,840 cells stay a haze.
 */
export function cellDensityAlpha(cells: number): number {
  return Math.min(1, Math.max(0.15, Math.sqrt(300 / Math.max(1, cells))));
}

/** The stroke of every bucket of cellBucket, for `cells` cells. */
export function cellStrokes(cells: number, buckets = STRENGTH_BUCKETS): CellStroke[] {
  const density = cellDensityAlpha(cells);
  const out: CellStroke[] = [];
  for (let sign = 0; sign < 2; sign++) {
    for (let b = 0; b < buckets; b++) {
      const t = (b + 1) / buckets;
      const alpha = density * (0.12 + 0.78 * t);
      out.push({ colour: `rgba(${sign === 1 ? POSITIVE_RGB : NEGATIVE_RGB}, ${alpha.toFixed(3)})`, width: 0.5 + 1.5 * t });
    }
  }
  return out;
}

/**
 * The bucket scale: the `quantile` of the finite magnitudes (0 when none),
 * so one runaway cell does not push every other into the faintest bucket.
 * `scratch` is reused between calls when large enough.
 */
export function strengthScale(values: Float32Array, quantile = 0.99, scratch?: Float32Array): number {
  const buf = scratch && scratch.length >= values.length ? scratch : new Float32Array(values.length);
  let n = 0;
  for (let k = 0; k < values.length; k++) {
    const v = Math.abs(values[k] as number);
    if (Number.isFinite(v)) buf[n++] = v;
  }
  if (n === 0) return 0;
  const sorted = buf.subarray(0, n).sort();
  return sorted[Math.min(n - 1, Math.floor(quantile * (n - 1) + 0.5))] as number;
}
