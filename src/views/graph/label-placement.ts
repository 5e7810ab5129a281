/**
 * Screen-space label placement for the graph's "in"/"out" tags: greedy, each
 * label takes the first candidate spot around its node (nearest first, the
 * side facing away from the graph's centre first) that overlaps neither a
 * label already placed nor any node's disc; a label with no free spot is
 * left out rather than drawn over something. Nodes are looked up through a
 * uniform grid, so a paint with 1,000 nodes checks only the few near each spot.
 */

export interface LabelRequest {
  /** Node centre and drawn radius, CSS px. */
  readonly x: number;
  readonly y: number;
  readonly r: number;
  /** Label box size, CSS px. */
  readonly w: number;
  readonly h: number;
}

/** A placed label's box (top-left corner and size, CSS px). */
export interface LabelBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Gap between a node's disc and its label, px. */
const GAP = 3;
/** Rings of candidate spots tried around a node. */
const RINGS = 3;
/** Directions tried on each ring (every 45 degrees). */
const DIRECTIONS = 8;

export class LabelPlacer {
  private cell = 16;
  private cols = 0;
  private rows = 0;
  /** Per grid cell: the obstacle discs in it, as indices into xs/ys/rs (CSR layout). */
  private cellStart = new Int32Array(0);
  private cellItems = new Int32Array(0);
  private xs = new Float32Array(0);
  private ys = new Float32Array(0);
  private rs = new Float32Array(0);
  private count = 0;
  private readonly placed: LabelBox[] = [];

  /**
   * Places `labels` (in priority order) around their nodes inside a
   * `width` x `height` screen, avoiding the `n` discs (x, y, r) given by
   * `disc(i, out)`. Returns a box per label, or null where none fit.
   */
  place(
    labels: readonly LabelRequest[],
    n: number,
    disc: (i: number, out: { x: number; y: number; r: number }) => void,
    width: number,
    height: number,
  ): (LabelBox | null)[] {
    this.index(n, disc, width, height);
    this.placed.length = 0;
    let cx = 0;
    let cy = 0;
    for (const l of labels) {
      cx += l.x;
      cy += l.y;
    }
    // The middle of the graph: labels prefer the side of their node that faces away from it.
    cx = labels.length > 0 ? cx / labels.length : width / 2;
    cy = labels.length > 0 ? cy / labels.length : height / 2;
    if (labels.length < 3) {
      cx = width / 2;
      cy = height / 2;
    }
    return labels.map((l) => {
      const box = this.spotFor(l, cx, cy, width, height);
      if (box) this.placed.push(box);
      return box;
    });
  }

  private spotFor(l: LabelRequest, cx: number, cy: number, width: number, height: number): LabelBox | null {
    const away = Math.atan2(l.y - cy, l.x - cx);
    const first = Math.round(away / (Math.PI / 4));
    for (let ring = 0; ring < RINGS; ring++) {
      const d = l.r + GAP + ring * (l.h + GAP);
      for (let k = 0; k < DIRECTIONS; k++) {
        // first, first+1, first-1, first+2, ... : nearest to "away" first.
        const step = k === 0 ? 0 : (k % 2 === 1 ? 1 : -1) * Math.ceil(k / 2);
        const a = ((first + step) * Math.PI) / 4;
        const ux = Math.cos(a);
        const uy = Math.sin(a);
        // The box touches the circle of radius d at direction a with its nearest edge or corner.
        const bx = l.x + ux * d + (ux > 0.3 ? 0 : ux < -0.3 ? -l.w : -l.w / 2);
        const by = l.y + uy * d + (uy > 0.3 ? 0 : uy < -0.3 ? -l.h : -l.h / 2);
        if (bx < 0 || by < 0 || bx + l.w > width || by + l.h > height) continue;
        if (this.hitsLabel(bx, by, l.w, l.h) || this.hitsDisc(bx, by, l.w, l.h)) continue;
        return { x: bx, y: by, w: l.w, h: l.h };
      }
    }
    return null;
  }

  private hitsLabel(x: number, y: number, w: number, h: number): boolean {
    for (const b of this.placed) if (x < b.x + b.w && b.x < x + w && y < b.y + b.h && b.y < y + h) return true;
    return false;
  }

  private hitsDisc(x: number, y: number, w: number, h: number): boolean {
    const c = this.cell;
    const pad = this.maxR;
    const c0 = Math.max(0, Math.floor((x - pad) / c));
    const c1 = Math.min(this.cols - 1, Math.floor((x + w + pad) / c));
    const r0 = Math.max(0, Math.floor((y - pad) / c));
    const r1 = Math.min(this.rows - 1, Math.floor((y + h + pad) / c));
    for (let row = r0; row <= r1; row++) {
      for (let col = c0; col <= c1; col++) {
        const cell = row * this.cols + col;
        for (let j = this.cellStart[cell] as number; j < (this.cellStart[cell + 1] as number); j++) {
          const i = this.cellItems[j] as number;
          const px = Math.min(Math.max(this.xs[i] as number, x), x + w);
          const py = Math.min(Math.max(this.ys[i] as number, y), y + h);
          const dx = (this.xs[i] as number) - px;
          const dy = (this.ys[i] as number) - py;
          const r = this.rs[i] as number;
          if (dx * dx + dy * dy < r * r) return true;
        }
      }
    }
    return false;
  }

  private maxR = 0;
  private fill = new Int32Array(0);

  /** Buckets the on-screen discs into the grid. */
  private index(n: number, disc: (i: number, out: { x: number; y: number; r: number }) => void, width: number, height: number): void {
    if (this.xs.length < n) {
      this.xs = new Float32Array(n * 2);
      this.ys = new Float32Array(n * 2);
      this.rs = new Float32Array(n * 2);
      this.cellItems = new Int32Array(n * 2);
    }
    const tmp = { x: 0, y: 0, r: 0 };
    this.count = 0;
    this.maxR = 0;
    for (let i = 0; i < n; i++) {
      disc(i, tmp);
      if (tmp.x + tmp.r < 0 || tmp.y + tmp.r < 0 || tmp.x - tmp.r > width || tmp.y - tmp.r > height) continue;
      this.xs[this.count] = tmp.x;
      this.ys[this.count] = tmp.y;
      this.rs[this.count] = tmp.r;
      if (tmp.r > this.maxR) this.maxR = tmp.r;
      this.count++;
    }
    this.cols = Math.max(1, Math.ceil(width / this.cell));
    this.rows = Math.max(1, Math.ceil(height / this.cell));
    const cells = this.cols * this.rows;
    if (this.cellStart.length < cells + 1) this.cellStart = new Int32Array(cells + 1);
    const start = this.cellStart;
    start.fill(0, 0, cells + 1);
    const cellOf = (i: number): number => {
      const col = Math.min(this.cols - 1, Math.max(0, Math.floor((this.xs[i] as number) / this.cell)));
      const row = Math.min(this.rows - 1, Math.max(0, Math.floor((this.ys[i] as number) / this.cell)));
      return row * this.cols + col;
    };
    for (let i = 0; i < this.count; i++) {
      const c = cellOf(i);
      start[c + 1] = (start[c + 1] as number) + 1;
    }
    for (let c = 0; c < cells; c++) start[c + 1] = (start[c + 1] as number) + (start[c] as number);
    if (this.fill.length < cells) this.fill = new Int32Array(cells);
    const fill = this.fill;
    fill.set(start.subarray(0, cells));
    for (let i = 0; i < this.count; i++) {
      const c = cellOf(i);
      this.cellItems[fill[c] as number] = i;
      fill[c] = (fill[c] as number) + 1;
    }
  }
}

/** Whether two boxes overlap (for tests). */
export function boxesOverlap(a: LabelBox, b: LabelBox): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}
