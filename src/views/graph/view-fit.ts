/**
 * Keeping the whole graph in view: the transform that fits a bounding box in
 * the canvas, and an easing step towards it, so the view follows the layout
 * smoothly until the person zooms or pans themselves.
 */

export interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export interface View {
  k: number;
  x: number;
  y: number;
}

/** Largest zoom a fit uses, so a handful of nodes do not fill the screen. */
export const MAX_FIT_SCALE = 2.2;

/**
 * The transform showing `b` centred in a width x height canvas, `padding` px
 * clear on every side plus `bottomExtra` px at the bottom (the legend).
 */
export function fitView(b: Bounds, width: number, height: number, padding: number, out: View, bottomExtra = 0): View {
  const bw = Math.max(1, b.maxX - b.minX);
  const bh = Math.max(1, b.maxY - b.minY);
  const availW = Math.max(1, width - 2 * padding);
  const availH = Math.max(1, height - 2 * padding - bottomExtra);
  const k = Math.min(MAX_FIT_SCALE, Math.max(0.02, Math.min(availW / bw, availH / bh)));
  out.k = k;
  out.x = width / 2 - ((b.minX + b.maxX) / 2) * k;
  out.y = padding + availH / 2 - ((b.minY + b.maxY) / 2) * k;
  return out;
}

/**
 * Moves `current` a share `rate` of the way to `target` (zoom eased in log
 * space, so zooming feels even) and returns true once they are within half a
 * pixel, after snapping `current` onto `target`.
 */
export function easeView(current: View, target: View, rate: number): boolean {
  const k = Math.exp(Math.log(current.k) + (Math.log(target.k) - Math.log(current.k)) * rate);
  const x = current.x + (target.x - current.x) * rate;
  const y = current.y + (target.y - current.y) * rate;
  const done = Math.abs(target.k / current.k - 1) < 0.002 && Math.abs(target.x - current.x) < 0.5 && Math.abs(target.y - current.y) < 0.5;
  if (done) {
    current.k = target.k;
    current.x = target.x;
    current.y = target.y;
  } else {
    current.k = k;
    current.x = x;
    current.y = y;
  }
  return done;
}
