/**
 * The routing view's probe samples: which layers each one executes under
 * hard routing, and (MNIST) where its thumbnail sits in the grid. Pure.
 */

/** Hard routing executes a layer iff its p_exec is above this. */
export const EXECUTE_THRESHOLD = 0.5;

/** Execute probability of sample `i` at layer `l` from samplePExec [n, layers]. */
export function samplePExecAt(samplePExec: Float32Array, layers: number, i: number, l: number): number {
  return samplePExec[i * layers + l] ?? NaN;
}

/** Layers sample `i` executes under hard routing (p_exec > 0.5). */
export function layersExecuted(samplePExec: Float32Array, layers: number, i: number): number {
  let n = 0;
  for (let l = 0; l < layers; l++) if (samplePExecAt(samplePExec, layers, i, l) > EXECUTE_THRESHOLD) n++;
  return n;
}

/** Mean over the `n` samples of the layers each executes. */
export function meanLayersExecuted(samplePExec: Float32Array, layers: number, n: number): number {
  if (n <= 0) return NaN;
  let total = 0;
  for (let i = 0; i < n; i++) total += layersExecuted(samplePExec, layers, i);
  return total / n;
}

/** A grid of thumbnails with a small bar under each. */
export interface ThumbGrid {
  readonly cols: number;
  readonly rows: number;
  /** Side of one thumbnail, CSS pixels. */
  readonly thumb: number;
  /** Space between cells. */
  readonly gap: number;
  /** Height of the bar under each thumbnail. */
  readonly bar: number;
  /** Width and height of the whole grid. */
  readonly width: number;
  readonly height: number;
}

const GAP = 4;
const BAR = 4;

/** `n` thumbnails in rows that fit `width`, each as large as fits but at most `maxThumb` (and at least 12) pixels. */
export function thumbGrid(n: number, width: number, maxThumb = 48): ThumbGrid {
  const cols = Math.max(1, Math.min(n, Math.ceil(Math.sqrt(n))));
  const thumb = Math.max(12, Math.min(maxThumb, Math.floor((width - GAP * (cols - 1)) / cols)));
  const rows = Math.ceil(n / cols);
  const cellH = thumb + BAR + 2;
  return { cols, rows, thumb, gap: GAP, bar: BAR, width: cols * thumb + (cols - 1) * GAP, height: rows > 0 ? rows * cellH + (rows - 1) * GAP : 0 };
}

/** Top-left corner of thumbnail `i`. */
export function thumbOrigin(g: ThumbGrid, i: number): { x: number; y: number } {
  const col = i % g.cols;
  const row = Math.floor(i / g.cols);
  return { x: col * (g.thumb + g.gap), y: row * (g.thumb + g.bar + 2 + g.gap) };
}

/** The thumbnail (with its bar) under (px, py), or null in a gap or outside the `n` samples. */
export function thumbAt(g: ThumbGrid, n: number, px: number, py: number): number | null {
  if (px < 0 || py < 0) return null;
  const cellW = g.thumb + g.gap;
  const cellH = g.thumb + g.bar + 2 + g.gap;
  const col = Math.floor(px / cellW);
  const row = Math.floor(py / cellH);
  if (col >= g.cols || px - col * cellW > g.thumb || py - row * cellH > g.thumb + g.bar + 2) return null;
  const i = row * g.cols + col;
  return i < n ? i : null;
}
