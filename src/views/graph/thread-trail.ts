/**
 * The activity thread's playback: each frame carries 2..16 ticks of thread
 * positions, and the graph plays them back as hops spread over the time until
 * the next frame (about 150 ms), with a comet trail of the last hops. Timing
 * and easing are plain functions; the trail is a fixed-size ring per thread.
 */

/** Expected gap between frames before any has been measured. */
export const DEFAULT_FRAME_INTERVAL_MS = 150;
/** Shortest hop: faster than this the eye no longer follows the head. */
export const MIN_HOP_MS = 40;
/** Longest hop, for slow single steps. */
export const MAX_HOP_MS = 260;
/** Hops the comet trail shows behind the head. */
export const TRAIL_HOPS = 8;
/** Share of a hop the head spends moving; it rests on the node for the rest. */
export const HOP_MOVE_SHARE = 0.7;

export interface PlaybackPlan {
  /** First tick animated as a hop; earlier ticks join the trail at once. */
  readonly firstTick: number;
  /** Duration of each animated hop (ms). */
  readonly hopMs: number;
}

/**
 * Which ticks of a frame get animated hops, and for how long each: the frame's
 * ticks share the expected interval, no hop shorter than `minHopMs`; when they
 * do not all fit, the latest ones play and the earlier ones appear as trail.
 */
export function planPlayback(ticks: number, intervalMs: number, minHopMs = MIN_HOP_MS, maxHopMs = MAX_HOP_MS): PlaybackPlan {
  if (ticks <= 0) return { firstTick: 0, hopMs: minHopMs };
  const hopMs = Math.min(maxHopMs, Math.max(minHopMs, intervalMs / ticks));
  const played = Math.max(1, Math.min(ticks, Math.floor(intervalMs / hopMs + 1e-9)));
  return { firstTick: ticks - played, hopMs };
}

/**
 * The next expected frame interval from the previous estimate and the gap just
 * measured. Gaps of a paused or hidden lab (or a burst) are ignored so one
 * long pause does not slow the next run's playback.
 */
export function nextFrameInterval(previous: number, measuredMs: number): number {
  if (!(measuredMs >= 30 && measuredMs <= 1500)) return previous;
  const next = previous + (measuredMs - previous) * 0.3;
  return Math.min(400, Math.max(80, next));
}

/**
 * Playback progress `elapsedMs` after it started, in hops: a real number in
 * [0, hops]. Its floor (capped at hops-1) is the hop under way, the rest the
 * fraction of that hop done (1 once the last hop has ended).
 */
export function playbackProgress(elapsedMs: number, hops: number, hopMs: number): number {
  if (hops <= 0 || !(elapsedMs > 0)) return 0;
  const p = elapsedMs / hopMs;
  return p >= hops ? hops : p;
}

/** Index of the hop under way at progress `p` of `hops` hops. */
export function hopIndex(p: number, hops: number): number {
  return Math.max(0, Math.min(hops - 1, Math.floor(p)));
}

/** How far the head has moved along its current hop (0..1): ease in-out while moving, then resting. */
export function hopEase(frac: number, moveShare = HOP_MOVE_SHARE): number {
  const u = frac <= 0 ? 0 : frac >= moveShare ? 1 : frac / moveShare;
  return u < 0.5 ? 4 * u * u * u : 1 - Math.pow(-2 * u + 2, 3) / 2;
}

/** Point `t` of the way from a to b. */
export function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

/** Opacity of the trail segment `age` hops behind the head (0 = the hop under way). */
export function trailAlpha(age: number, hops = TRAIL_HOPS): number {
  if (age < 0 || age >= hops) return 0;
  return Math.pow(1 - age / hops, 1.6);
}

/**
 * The last positions of one thread, newest first: a fixed ring, so pushing a
 * hop never allocates. `at(0)` is where the head is going, `at(1)` where it
 * comes from, and so on back along the trail.
 */
export class TrailRing<T> {
  private readonly items: (T | null)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number = TRAIL_HOPS + 1) {
    this.items = new Array<T | null>(capacity).fill(null);
  }

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** The position `age` hops ago (0 = newest), or null past the trail's end. */
  at(age: number): T | null {
    if (age < 0 || age >= this.count) return null;
    return this.items[(this.next - 1 - age + this.capacity * 2) % this.capacity] ?? null;
  }

  clear(): void {
    this.items.fill(null);
    this.next = 0;
    this.count = 0;
  }
}
