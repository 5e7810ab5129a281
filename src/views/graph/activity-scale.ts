/**
 * Turning raw per-node activity into colours: a robust per-frame scale (a high
 * quantile, so one exploding node does not turn every other node black), its
 * smoothing across frames (so colours do not flicker), a logarithmic map (LARA
 * is sparse: a few computing nodes sit orders of magnitude above the cached
 * states of the rest, which a linear map would paint all alike; its depth
 * follows the spread of the values, so dense activity keeps contrast), and bucketing
 * into a small fixed palette (so the painter fills one path per bucket).
 */

/** Quantile of the activity magnitudes used as "full colour". */
export const ACTIVITY_QUANTILE = 0.95;
/** Quantile of the non-zero magnitudes used as the quiet end of the colour range. */
export const ACTIVITY_FLOOR_QUANTILE = 0.1;
/** Decades the colour range spans at most (sparse activity) and at least (dense activity). */
export const MAX_DECADES = 3;
export const MIN_DECADES = 1;

/**
 * The `q` quantile (0..1) of |values[i]| for i < n (of the non-zero ones
 * only, with `nonZero`). Copies at most `scratch.length` values (evenly
 * strided when n is larger) into `scratch` and runs quickselect there: O(n),
 * no allocation.
 */
export function quantileAbs(values: ArrayLike<number>, n: number, q: number, scratch: Float32Array, nonZero = false): number {
  const take = Math.min(n, scratch.length);
  const stride = take > 0 ? n / take : 1;
  let m = 0;
  for (let i = 0; i < take; i++) {
    const v = Math.abs(values[Math.floor(i * stride)] ?? 0);
    const x = Number.isFinite(v) ? v : 0;
    if (!nonZero || x > 0) scratch[m++] = x;
  }
  if (m <= 0) return 0;
  const k = Math.min(m - 1, Math.max(0, Math.round(q * (m - 1))));
  return quickselect(scratch, m, k);
}

/**
 * Decades of colour range for activity between `floor` (a low quantile of the
 * non-zero magnitudes) and `scale`: sparse activity spreads over three, dense
 * activity keeps at least one so its differences stay visible.
 */
export function decadesBetween(floor: number, scale: number): number {
  if (!(floor > 0) || !(scale > floor)) return MIN_DECADES;
  const d = Math.log10(scale / floor);
  return d <= MIN_DECADES ? MIN_DECADES : d >= MAX_DECADES ? MAX_DECADES : d;
}

/** Puts the k-th smallest of a[0..n) at a[k] and returns it (Hoare partition, median-of-three pivot). */
function quickselect(a: Float32Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    const x = a[lo] as number;
    const y = a[mid] as number;
    const z = a[hi] as number;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k] as number;
}

/**
 * The next display scale from the previous one and this frame's quantile:
 * rises fast (a brighter network must not saturate for long) and falls slowly
 * (a quiet frame must not make noise look bright).
 */
export function smoothScale(previous: number, measured: number, rise = 0.6, fall = 0.15): number {
  if (!Number.isFinite(measured) || measured <= 0) return previous;
  if (!(previous > 0)) return measured;
  const rate = measured > previous ? rise : fall;
  return previous + (measured - previous) * rate;
}

/**
 * Activity as a display intensity in [0, 1] on a log scale: the scale maps to
 * 1, each decade below it loses 1/decades, magnitudes above it saturate.
 */
export function normalise(activity: number, scale: number, decades = MAX_DECADES): number {
  if (!(scale > 0) || !Number.isFinite(activity) || activity === 0) return 0;
  const t = 1 + Math.log10(Math.abs(activity) / scale) / decades;
  return t >= 1 ? 1 : t <= 0 ? 0 : t;
}

/** Largest magnitude among values[0..n), ignoring non-finite ones. */
export function maxAbs(values: ArrayLike<number>, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(values[i] ?? 0);
    if (v > m && Number.isFinite(v)) m = v;
  }
  return m;
}

/** Index of the bucket (0..buckets-1) holding an intensity t in [0, 1]. */
export function bucketOf(t: number, buckets: number): number {
  if (!(t > 0)) return 0;
  const b = Math.floor(t * buckets);
  return b >= buckets ? buckets - 1 : b;
}

/**
 * Counting sort of item indices 0..n-1 by bucket, into `order`; afterwards
 * bucket b holds order[starts[b] .. starts[b+1]). Both arrays belong to the
 * caller and are reused every paint; `starts` needs buckets+1 entries.
 */
export function sortByBucket(bucket: ArrayLike<number>, n: number, buckets: number, starts: Int32Array, order: Int32Array): void {
  starts.fill(0, 0, buckets + 1);
  for (let i = 0; i < n; i++) starts[(bucket[i] as number) + 1]!++;
  for (let b = 1; b <= buckets; b++) starts[b]! += starts[b - 1] as number;
  // Using starts[] as write cursors leaves starts[b] at the end of bucket b...
  for (let i = 0; i < n; i++) order[starts[bucket[i] as number]!++] = i;
  // ...which is the start of bucket b+1: shift back by one.
  for (let b = buckets - 1; b > 0; b--) starts[b] = starts[b - 1] as number;
  starts[0] = 0;
}
