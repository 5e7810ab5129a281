/**
 * The decision-boundary picture of 2-D datasets, drawn like TensorFlow
 * Playground: class 0 orange, class 1 blue, uncertain regions fading into
 * the dark page; samples as dots on top. Pure mapping and hit testing.
 */

export type Rgb = readonly [number, number, number];

/** Playground's class colours: its label -1 (our class 0) is orange, +1 (class 1) blue. */
export const CLASS0_RGB: Rgb = [245, 147, 34];
export const CLASS1_RGB: Rgb = [8, 119, 189];
/** Where p = 0.5 sits: the dark slate of the panels, so the boundary reads as a dark seam. */
export const MID_RGB: Rgb = [30, 41, 59];
/** Strongest share of a class colour in the background, so the dots stay visible on it. */
const MAX_MIX = 0.8;

/** Colour of a region where class 1 has probability `p` (clamped to [0, 1]; NaN is uncertain). */
export function boundaryRgb(p: number): Rgb {
  const q = Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : 0.5;
  const t = 2 * q - 1;
  const end = t >= 0 ? CLASS1_RGB : CLASS0_RGB;
  const mix = MAX_MIX * Math.pow(Math.abs(t), 0.75);
  const lerp = (a: number, b: number): number => Math.round(a + (b - a) * mix);
  return [lerp(MID_RGB[0], end[0]), lerp(MID_RGB[1], end[1]), lerp(MID_RGB[2], end[2])];
}

/** Class colours past Playground's two (own CSVs with more classes): distinct on the dark page; they cycle past eight. */
export const CLASS_RGBS: readonly Rgb[] = [CLASS0_RGB, CLASS1_RGB, [74, 222, 128], [244, 114, 182], [250, 204, 21], [167, 139, 250], [45, 212, 191], [248, 113, 113]];

export function classRgb(label: number): Rgb {
  return CLASS_RGBS[((label % CLASS_RGBS.length) + CLASS_RGBS.length) % CLASS_RGBS.length] as Rgb;
}

/** CSS colour of a sample dot of class `label`. */
export function classColour(label: number): string {
  const [r, g, b] = classRgb(label);
  return `rgb(${r}, ${g}, ${b})`;
}

/**
 * Colour of a region that `winner` wins with probability `p` among `classes`
 * (three or more): the dark mid where p is no better than a uniform guess,
 * the winner's colour as p nears 1, on the same curve as boundaryRgb.
 */
export function multiClassRgb(winner: number, p: number, classes: number): Rgb {
  const floor = 1 / classes;
  const t = Number.isFinite(p) ? Math.min(1, Math.max(0, (p - floor) / (1 - floor))) : 0;
  const end = classRgb(winner);
  const mix = MAX_MIX * Math.pow(t, 0.75);
  const lerp = (a: number, b: number): number => Math.round(a + (b - a) * mix);
  return [lerp(MID_RGB[0], end[0]), lerp(MID_RGB[1], end[1]), lerp(MID_RGB[2], end[2])];
}

/** A grid point's colour: class 1's probability for two classes, else the winner (`winners[k]`) and its probability. */
export function cellRgb(boundary: Float32Array, winners: Int32Array, classes: number, k: number): Rgb {
  return winners.length > 0 ? multiClassRgb(winners[k] as number, boundary[k] as number, classes) : boundaryRgb(boundary[k] as number);
}

/** Fills `out` (RGBA, gridSize² pixels) with the boundary colours; row-major from the top-left, as the grid is. */
export function fillBoundary(out: Uint8ClampedArray, boundary: Float32Array, gridSize: number, winners: Int32Array = new Int32Array(0), classes = 2): void {
  const n = Math.min(gridSize * gridSize, boundary.length, out.length / 4);
  for (let k = 0; k < n; k++) {
    const [r, g, b] = cellRgb(boundary, winners, classes, k);
    out[4 * k] = r;
    out[4 * k + 1] = g;
    out[4 * k + 2] = b;
    out[4 * k + 3] = 255;
  }
}

/** Canvas x of data x (clamped just inside, so outlying noisy samples stay visible). */
export function toCanvasX(x: number, size: number): number {
  return ((Math.min(1.04, Math.max(-1.04, x)) + 1) / 2) * size;
}

/** Canvas y of data y: data y grows upwards, canvas y downwards. */
export function toCanvasY(y: number, size: number): number {
  return ((1 - Math.min(1.04, Math.max(-1.04, y))) / 2) * size;
}

/**
 * Where to draw the gridSize x gridSize image so each pixel's centre sits on
 * its grid point: the grid points run from -1 to 1 inclusive, so the image
 * spans half a step beyond [-1, 1] on every side.
 */
export function boundaryImageRect(gridSize: number, size: number): { x: number; y: number; w: number; h: number } {
  if (gridSize < 2) return { x: 0, y: 0, w: size, h: size };
  const step = size / (gridSize - 1);
  return { x: -step / 2, y: -step / 2, w: size + step, h: size + step };
}

/**
 * The sample under the pointer: the nearest of the `n` points `xy` [n, 2]
 * within `radius` CSS pixels of (px, py), or null.
 */
export function sampleAt(px: number, py: number, xy: Float32Array, n: number, size: number, radius: number): number | null {
  let best: number | null = null;
  let bestD = radius * radius;
  for (let i = 0; i < n && 2 * i + 1 < xy.length; i++) {
    const dx = toCanvasX(xy[2 * i] as number, size) - px;
    const dy = toCanvasY(xy[2 * i + 1] as number, size) - py;
    const d = dx * dx + dy * dy;
    if (d <= bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/** Share of the grid where class 1 wins (p > 0.5). */
export function class1Share(boundary: Float32Array): number {
  if (boundary.length === 0) return NaN;
  let n = 0;
  for (let k = 0; k < boundary.length; k++) if ((boundary[k] as number) > 0.5) n++;
  return n / boundary.length;
}
