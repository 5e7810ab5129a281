/**
 * Timing of births and deaths on screen: a born node grows out of its parent
 * with a brief highlight ring, a dying node shrinks and fades with its edges.
 * Plain functions of elapsed time, so the painter only asks "how far along".
 */

/** Length of the birth and death animations (ms). */
export const LIFECYCLE_MS = 600;

/** Progress in [0, 1] of an animation that started at `start` (ms), 1 when done or never started. */
export function lifecycleProgress(now: number, start: number, durationMs = LIFECYCLE_MS): number {
  if (start < 0) return 1;
  const t = (now - start) / durationMs;
  return t <= 0 ? 0 : t >= 1 ? 1 : t;
}

/** Radius factor of a node `t` into its birth: grows from nothing with a small overshoot. */
export function birthScale(t: number): number {
  if (t <= 0) return 0;
  if (t >= 1) return 1;
  const c1 = 1.70158;
  const c3 = c1 + 1;
  const u = t - 1;
  return Math.max(0, 1 + c3 * u * u * u + c1 * u * u);
}

/** Radius factor of a node `t` into its death: shrinks, slowly at first. */
export function deathScale(t: number): number {
  return t >= 1 ? 0 : 1 - t * t;
}

/** Opacity of the highlight ring `t` into a birth or death: bright at once, then gone. */
export function ringAlpha(t: number): number {
  return t >= 1 ? 0 : (1 - t) * (1 - t);
}
