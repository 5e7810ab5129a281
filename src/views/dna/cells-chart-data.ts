/** Pure helpers of the Cells chart: a frame's loss point and the scale ranges that leave room for the turnover bars. */

/**
 * Mean of a frame's per-step losses, or null when it has none (a frame sent
 * on pause or at start): uPlot reads null as a gap, while a NaN as the first
 * point made its loss scale NaN and the whole loss line vanish.
 */
export function meanLoss(losses: ArrayLike<number>): number | null {
  let s = 0;
  let n = 0;
  for (let i = 0; i < losses.length; i++) {
    const v = losses[i] as number;
    if (!Number.isFinite(v)) continue;
    s += v;
    n++;
  }
  return n > 0 ? s / n : null;
}

/**
 * A scale range [lo, hi] that puts the data [min, max] (padded a little) in
 * the top `1 - reserve` of the plot, leaving the bottom `reserve` to the
 * turnover bars. A flat series (min = max) gets a span of its own.
 */
export function bandedRange(min: number, max: number, reserve: number, integer = false): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  const span = max - min || Math.max(integer ? 2 : 0.1, Math.abs(max) * 0.1);
  const top = integer ? Math.ceil(max + span * 0.1) : max + span * 0.1;
  const bottom = integer ? Math.floor(min - span * 0.1) : min - span * 0.1;
  const full = (top - bottom) / (1 - reserve);
  return [top - full, top];
}

