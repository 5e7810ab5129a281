/**
 * The DNA view's painter, outside React: takes frames and topology from the
 * lab client, keeps the latest cells, diffs them against the previous frame
 * for the birth and death flashes (the counts come from topology events),
 * and paints through a CanvasLoop only while something changes (a frame, a
 * fading flash, a resize).
 */
import { CanvasLoop, type CanvasSize } from '../canvas-loop';
import type { GraphTextSink } from '../graph/graph-controller';
import type { LabClient, TopologyUpdate } from '../../client/lab-client';
import type { FrameMessage } from '../../protocol/messages';
import { BACKGROUND, BIRTH_COLOUR, DEATH_COLOUR } from '../graph/palette';
import { diffCells, FlashList, flashAlpha } from './cell-diff';
import { cellBucket, cellStrokes, NEGATIVE_COLOUR, POSITIVE_COLOUR, STRENGTH_BUCKETS, strengthScale, type CellStrength, type CellStroke } from './cell-style';
import { dnaLayout, HEADING_ROOM, imageSideFor, LAYOUT_PADDING, parallelBends, type DnaLayout } from './dna-layout';
import { argmax, describeCellEvents, describeDna, type DnaDetail, type DnaStats } from './dna-text';
import { drawLegendItems, legendText, type LegendPart } from '../graph/legend-svg';
import { isSvgContext, SvgContext, type Paint2D } from '../graph/svg-context';
import { setViewPicture, svgToPng } from '../graph/view-picture';

/** Where the controller writes text: the component puts it straight into the DOM (summary at most once a second; announce: an extinction event). */
export interface DnaTextSink extends GraphTextSink {
  /** The visible numbers, every frame (the sink skips unchanged text). */
  stats(stats: DnaStats): void;
}

const SUMMARY_EVERY_MS = 1000;
/** Above this many cells the cell layer repaints at most every CELLS_EVERY_MS; flashes still animate every frame. */
const MANY_CELLS = 2000;
const CELLS_EVERY_MS = 100;
/** Gap between parallel cells' lines, CSS pixels (only up to MANY_CELLS; beyond, lines are a haze anyway). */
const PARALLEL_SPACING = 9;
/** Opacity levels flashes are batched into. */
const FLASH_LEVELS = 8;
const LABEL_COLOUR = '#e5e7eb';
const MUTED_COLOUR = '#94a3b8';
const NODE_OUTLINE = 'rgba(226, 232, 240, 0.35)';
const PROBABILITY_RGB = '56, 189, 248';
const LABEL_RING = '#fbbf24';
const FONT = '500 11px ui-sans-serif, system-ui, sans-serif';
const FONT_BOLD = '700 11px ui-sans-serif, system-ui, sans-serif';

export class DnaController {
  private readonly ctx: CanvasRenderingContext2D | null;
  private readonly loop: CanvasLoop;
  private width = 0;
  private height = 0;
  private dpr = 1;

  private detail: DnaDetail | null = null;
  private layout: DnaLayout | null = null;
  private layoutKey = '';
  private imageSide = 0;
  private strength: CellStrength = 'weight';

  // The previous frame's cells, to diff against and to draw the dead from.
  private prevIds: Int32Array | null = null;
  private prevInput: Int32Array | null = null;
  private prevOutput: Int32Array | null = null;
  /** Sideways bend per cell of the latest and the previous frame; null when there are too many cells to bother. */
  private bends: Float32Array | null = null;
  private prevBends: Float32Array | null = null;
  private lastStep = -1;
  private births = 0;
  private deaths = 0;
  private readonly flashes = new FlashList();
  private lastSummaryAt = -Infinity;
  /** Topology replayed on subscribe is old news: not announced. */
  private subscribed = false;

  // Scratch for batching cells by bucket, reused between paints.
  private bucketOf = new Uint8Array(0);
  private order = new Int32Array(0);
  private scaleScratch = new Float32Array(0);
  private readonly bucketStart = new Int32Array(2 * STRENGTH_BUCKETS + 1);
  private strokes: CellStroke[] = [];
  private strokesFor = -1;

  // The cells, painted into their own layer: thousands of long lines cost far more than compositing them.
  private readonly cellsLayer: HTMLCanvasElement;
  private readonly cellsCtx: CanvasRenderingContext2D | null;
  private cellsDirty = true;
  private cellsPaintedAt = -Infinity;

  // The shown example's pixels, one canvas pixel each, scaled up when painted.
  private readonly image: HTMLCanvasElement;
  private readonly imageCtx: CanvasRenderingContext2D | null;
  private imageData: ImageData | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    client: LabClient,
    private readonly text: DnaTextSink,
    imageSide: number,
  ) {
    this.ctx = canvas.getContext('2d', { alpha: false });
    this.imageSide = imageSide;
    this.image = document.createElement('canvas');
    this.imageCtx = this.image.getContext('2d');
    this.cellsLayer = document.createElement('canvas');
    this.cellsCtx = this.cellsLayer.getContext('2d');
    this.loop = new CanvasLoop(canvas, {
      paint: (now) => this.frame(now),
      resize: (size) => this.resize(size),
    });
    this.loop.own(setViewPicture({ view: 'dna', svg: () => this.toSvg(), png: () => svgToPng(this.toSvg(), this.width, this.height, this.dpr) }));
    this.loop.own(client.onTopology((u) => this.onTopology(u)));
    this.subscribed = true;
    this.loop.own(client.onFrame((f) => this.onFrame(f)));
    if (client.frame) this.onFrame(client.frame);
  }

  dispose(): void {
    this.loop.dispose();
  }

  /** Repaint-only: what sets a cell's width and opacity. */
  setStrength(strength: CellStrength): void {
    if (strength === this.strength) return;
    this.strength = strength;
    this.cellsDirty = true;
    this.loop.markDirty();
  }

  /** The dataset's image side (28 for MNIST, 0 for 2-D data). */
  setImageSide(side: number): void {
    if (side === this.imageSide) return;
    this.imageSide = side;
    this.layoutKey = '';
    this.cellsDirty = true;
    this.loop.markDirty();
  }

  private resize({ width, height, dpr }: CanvasSize): void {
    this.width = width;
    this.height = height;
    this.dpr = dpr;
    this.layoutKey = '';
    this.cellsDirty = true;
  }

  /** Forget the previous cells: the next frame is a new baseline, not births and deaths. */
  private rebaseline(resetCounts: boolean): void {
    this.prevIds = this.prevInput = this.prevOutput = this.prevBends = null;
    this.flashes.clear();
    this.lastStep = -1;
    if (resetCounts) this.births = this.deaths = 0;
  }

  private onTopology(u: TopologyUpdate): void {
    if (u.experiment.model !== 'dna') return;
    if (u.events.length === 0) {
      // Start, reset, import or rollback: a new layer, nothing was born or died.
      this.rebaseline(u.step === 0);
      this.loop.markDirty();
      return;
    }
    if (!this.subscribed) return;
    // Counted from the events, not from frame diffs: on a small layer a cell can be born and die between two frames.
    for (const e of u.events) {
      if (e.kind === 'birth') this.births++;
      else this.deaths++;
    }
    this.text.announce(describeCellEvents(u.events, u.graph.edges.length));
  }

  private onFrame(f: FrameMessage): void {
    const d = f.detail;
    if (!d || d.kind !== 'dna') return;
    const now = performance.now();
    if (f.step < this.lastStep) this.rebaseline(false);
    this.lastStep = f.step;
    let changed = false;
    const n = d.cellIds.length;
    this.bends = n <= MANY_CELLS ? parallelBends(d.cellInput, d.cellOutput, d.sampleProbabilities.length, PARALLEL_SPACING) : null;
    if (this.prevIds && this.prevInput && this.prevOutput) {
      const diff = diffCells(this.prevIds, d.cellIds);
      const bends = this.bends;
      const prevBends = this.prevBends;
      for (const k of diff.born) this.flashes.push('birth', d.cellInput[k] as number, d.cellOutput[k] as number, now, bends ? (bends[k]) : 0);
      for (const k of diff.dead) this.flashes.push('death', this.prevInput[k] as number, this.prevOutput[k] as number, now, prevBends ? (prevBends[k]) : 0);
      changed = diff.born.length + diff.dead.length > 0;
    }
    this.prevIds = d.cellIds;
    this.prevInput = d.cellInput;
    this.prevOutput = d.cellOutput;
    this.prevBends = this.bends;
    this.detail = d;
    this.cellsDirty = true;
    this.updateImage(d);
    const stats = this.stats(d);
    this.text.stats(stats);
    if (changed || now - this.lastSummaryAt >= SUMMARY_EVERY_MS) {
      this.lastSummaryAt = now;
      this.text.summary(describeDna(stats, d));
    }
    this.loop.markDirty();
  }

  private stats(d: DnaDetail): DnaStats {
    return { epoch: d.epoch, cells: d.cellIds.length, births: this.births, deaths: this.deaths, testAccuracy: d.testAccuracy };
  }

  /** Copies the shown example's pixels into the small image canvas (MNIST). */
  private updateImage(d: DnaDetail): void {
    const side = imageSideFor(d.sampleX.length, this.imageSide);
    if (side === 0 || !this.imageCtx) return;
    if (!this.imageData || this.imageData.width !== side) {
      this.image.width = this.image.height = side;
      this.imageData = this.imageCtx.createImageData(side, side);
    }
    const px = this.imageData.data;
    for (let i = 0; i < side * side; i++) {
      const [r, g, b] = ink(d.sampleX[i] as number);
      px[4 * i] = r;
      px[4 * i + 1] = g;
      px[4 * i + 2] = b;
      px[4 * i + 3] = 255;
    }
    this.imageCtx.putImageData(this.imageData, 0, 0);
  }

  private ensureLayout(d: DnaDetail): DnaLayout {
    const inputs = d.sampleX.length;
    const classes = d.sampleProbabilities.length;
    const side = imageSideFor(inputs, this.imageSide);
    const key = `${this.width}x${this.height}:${inputs}:${classes}:${side}`;
    if (!this.layout || key !== this.layoutKey) {
      this.layout = dnaLayout(this.width, this.height, inputs, classes, side);
      this.layoutKey = key;
    }
    return this.layout;
  }

  /** One pass of the loop; true while flashes fade or throttled cells wait for their turn. */
  private frame(now: number): boolean {
    if (!this.ctx) return false;
    const more = this.flashes.prune(now);
    // Cells waiting for their turn to repaint keep the loop alive.
    return this.paint(this.ctx, now) || more;
  }

  /**
   * The view as it is on screen, legend included, as vector SVG: the same
   * paint into a recording context, the cells as paths (not the screen's
   * bitmap layer) and the example's pixels as squares.
   */
  toSvg(): string {
    const svg = new SvgContext(this.width, this.height, this.dpr);
    this.paint(svg, performance.now());
    drawLegendItems(svg, DNA_LEGEND, this.width, this.height);
    const d = this.detail;
    return svg.toSvg(d ? `Loopy Lab: DNA layer, epoch ${d.epoch}, ${d.cellIds.length} cells` : 'Loopy Lab: DNA layer');
  }

  /** Paints everything; true when the cell layer is stale but was not repainted yet (throttled). */
  private paint(ctx: Paint2D, now: number): boolean {
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = BACKGROUND;
    ctx.fillRect(0, 0, this.width, this.height);
    const d = this.detail;
    if (!d) {
      ctx.fillStyle = MUTED_COLOUR;
      ctx.font = FONT;
      ctx.fillText('Waiting for the DNA layer…', LAYOUT_PADDING, LAYOUT_PADDING + 12);
      return false;
    }
    const layout = this.ensureLayout(d);
    let pending = false;
    const cctx = this.cellsCtx;
    if (cctx && !isSvgContext(ctx)) {
      if (this.cellsDirty) {
        const many = d.cellIds.length > MANY_CELLS;
        if (!many || now - this.cellsPaintedAt >= CELLS_EVERY_MS) {
          this.paintCellsLayer(cctx, d, layout);
          this.cellsDirty = false;
          this.cellsPaintedAt = now;
        } else pending = true;
      }
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.drawImage(this.cellsLayer, 0, 0);
      ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    } else this.paintCells(ctx, d, layout);
    this.paintInputs(ctx, d, layout);
    this.paintFlashes(ctx, layout, now);
    this.paintOutputs(ctx, d, layout);
    ctx.fillStyle = MUTED_COLOUR;
    ctx.font = FONT;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    ctx.fillText(`inputs (${d.sampleX.length})`, LAYOUT_PADDING, LAYOUT_PADDING + HEADING_ROOM - 6);
    ctx.textAlign = 'right';
    ctx.fillText(`outputs · ${d.cellIds.length.toLocaleString('en-US')} cells`, this.width - LAYOUT_PADDING, LAYOUT_PADDING + HEADING_ROOM - 6);
    ctx.textAlign = 'left';
    return pending;
  }

  /** Repaints the cell layer (transparent, same pixel size as the canvas). */
  private paintCellsLayer(cctx: CanvasRenderingContext2D, d: DnaDetail, layout: DnaLayout): void {
    const layer = this.cellsLayer;
    if (layer.width !== this.canvas.width || layer.height !== this.canvas.height) {
      layer.width = this.canvas.width;
      layer.height = this.canvas.height;
    }
    cctx.setTransform(1, 0, 0, 1, 0, 0);
    cctx.clearRect(0, 0, layer.width, layer.height);
    cctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    this.paintCells(cctx, d, layout);
  }

  /** Every cell as one line, batched into a path per sign and strength bucket. */
  private paintCells(ctx: Paint2D, d: DnaDetail, L: DnaLayout): void {
    const n = d.cellIds.length;
    if (this.bucketOf.length < n) {
      this.bucketOf = new Uint8Array(n);
      this.order = new Int32Array(n);
    }
    if (this.strokesFor !== n) {
      this.strokes = cellStrokes(n);
      this.strokesFor = n;
    }
    const strength = this.strength === 'weight' ? d.weights : d.passthrough;
    if (this.scaleScratch.length < n) this.scaleScratch = new Float32Array(n);
    const scale = strengthScale(strength, 0.99, this.scaleScratch);
    const B = 2 * STRENGTH_BUCKETS;
    const start = this.bucketStart;
    start.fill(0);
    for (let k = 0; k < n; k++) {
      const b = cellBucket(d.weights[k] as number, Math.abs(strength[k] as number), scale);
      this.bucketOf[k] = b;
      start[b + 1] = (start[b + 1] as number) + 1;
    }
    for (let b = 0; b < B; b++) start[b + 1] = (start[b + 1] as number) + (start[b] as number);
    // Counting sort: cells of one bucket end up next to each other in `order`.
    const fill = start.slice(0, B);
    for (let k = 0; k < n; k++) {
      const b = this.bucketOf[k] as number;
      this.order[fill[b] as number] = k;
      fill[b] = (fill[b] as number) + 1;
    }
    const inputs = L.inputX.length;
    const outputs = L.outputX.length;
    ctx.lineCap = 'butt';
    // Weak buckets first, so strong cells sit on top; among thousands the near-zero ones are not worth their cost.
    for (let s = n > MANY_CELLS && scale > 0 ? 1 : 0; s < STRENGTH_BUCKETS; s++) {
      for (const sign of [0, 1]) {
        const b = sign * STRENGTH_BUCKETS + s;
        const from = start[b] as number;
        const to = start[b + 1] as number;
        if (to === from) continue;
        const stroke = this.strokes[b] as CellStroke;
        const bends = this.bends && this.bends.length === n ? this.bends : null;
        ctx.beginPath();
        for (let o = from; o < to; o++) {
          const k = this.order[o] as number;
          const i = d.cellInput[k] as number;
          const j = d.cellOutput[k] as number;
          if (i >= inputs || j >= outputs) continue;
          cellPath(ctx, L, i, j, bends ? (bends[k] as number) : 0);
        }
        ctx.strokeStyle = stroke.colour;
        ctx.lineWidth = stroke.width;
        ctx.stroke();
      }
    }
  }

  private paintInputs(ctx: Paint2D, d: DnaDetail, L: DnaLayout): void {
    const img = L.image;
    if (img) {
      const px = img.size / img.side;
      if (isSvgContext(ctx)) {
        // A vector picture gets the pixels as squares (the screen scales a bitmap up), each half a pixel
        // under the next so antialiased edges leave no seam (the outline below covers the last half pixel).
        for (let i = 0; i < img.side * img.side; i++) {
          ctx.fillStyle = inkColour(d.sampleX[i] as number);
          ctx.fillRect(img.x + (i % img.side) * px, img.y + Math.floor(i / img.side) * px, px + 0.5, px + 0.5);
        }
      } else {
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(this.image, img.x, img.y, img.size, img.size);
      }
      // Thin gaps between pixels make the grid read as input nodes, not a photo.
      if (px >= 5) {
        ctx.beginPath();
        for (let r = 1; r < img.side; r++) {
          ctx.moveTo(img.x, img.y + r * px);
          ctx.lineTo(img.x + img.size, img.y + r * px);
          ctx.moveTo(img.x + r * px, img.y);
          ctx.lineTo(img.x + r * px, img.y + img.size);
        }
        ctx.strokeStyle = BACKGROUND;
        ctx.lineWidth = 1;
        ctx.stroke();
      }
      ctx.strokeStyle = NODE_OUTLINE;
      ctx.strokeRect(img.x - 0.5, img.y - 0.5, img.size + 1, img.size + 1);
      return;
    }
    ctx.font = FONT;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    for (let i = 0; i < L.inputX.length; i++) {
      const x = L.inputX[i] as number;
      const y = L.inputY[i] as number;
      const v = d.sampleX[i] as number;
      ctx.beginPath();
      ctx.arc(x, y, L.inputR, 0, 2 * Math.PI);
      ctx.fillStyle = BACKGROUND;
      ctx.fill();
      ctx.fillStyle = `rgba(${v >= 0 ? '56, 189, 248' : '251, 146, 60'}, ${Math.min(1, Math.abs(v)).toFixed(3)})`;
      ctx.fill();
      ctx.strokeStyle = NODE_OUTLINE;
      ctx.lineWidth = 1;
      ctx.stroke();
      ctx.fillStyle = LABEL_COLOUR;
      ctx.fillText(`x${i + 1} ${v.toFixed(2)}`, x - L.inputR - 6, y);
    }
    ctx.textAlign = 'left';
  }

  /** Births in green and deaths in red, drawn over the inputs so a new cell's pixel shows. */
  private paintFlashes(ctx: Paint2D, L: DnaLayout, now: number): void {
    const all = this.flashes.all;
    if (all.length === 0) return;
    ctx.lineWidth = 1.6;
    // One birth flashes at full strength; an extinction of hundreds is dimmer so the layer stays readable.
    const peak = Math.max(0.35, Math.min(1, Math.sqrt(150 / all.length)));
    for (const kind of ['death', 'birth'] as const) {
      ctx.strokeStyle = kind === 'birth' ? BIRTH_COLOUR : DEATH_COLOUR;
      for (let level = 1; level <= FLASH_LEVELS; level++) {
        let any = false;
        ctx.beginPath();
        for (const f of all) {
          if (f.kind !== kind) continue;
          const a = flashAlpha(now - f.at);
          if (Math.ceil(a * FLASH_LEVELS) !== level) continue;
          if (f.input >= L.inputX.length || f.output >= L.outputX.length) continue;
          cellPath(ctx, L, f.input, f.output, f.bend);
          any = true;
        }
        if (!any) continue;
        ctx.globalAlpha = (peak * level) / FLASH_LEVELS;
        ctx.stroke();
      }
    }
    ctx.globalAlpha = 1;
  }

  /** One node per class: filled by its probability, the true label ringed, the layer's answer in bold. */
  private paintOutputs(ctx: Paint2D, d: DnaDetail, L: DnaLayout): void {
    const probs = d.sampleProbabilities;
    const guess = argmax(probs);
    const barW = 40;
    ctx.textBaseline = 'middle';
    for (let j = 0; j < L.outputX.length; j++) {
      const x = L.outputX[j] as number;
      const y = L.outputY[j] as number;
      const p = Math.min(1, Math.max(0, (probs[j] as number) || 0));
      ctx.beginPath();
      ctx.arc(x, y, L.outputR, 0, 2 * Math.PI);
      ctx.fillStyle = BACKGROUND;
      ctx.fill();
      ctx.fillStyle = `rgba(${PROBABILITY_RGB}, ${(0.1 + 0.9 * p).toFixed(3)})`;
      ctx.fill();
      ctx.lineWidth = j === d.sampleLabel ? 2.5 : 1;
      ctx.strokeStyle = j === d.sampleLabel ? LABEL_RING : NODE_OUTLINE;
      ctx.stroke();
      const tx = x + L.outputR + 6;
      ctx.font = j === guess ? FONT_BOLD : FONT;
      ctx.fillStyle = LABEL_COLOUR;
      ctx.textAlign = 'left';
      ctx.fillText(String(j), tx, y);
      ctx.fillStyle = 'rgba(148, 163, 184, 0.25)';
      ctx.fillRect(tx + 12, y - 3, barW, 6);
      ctx.fillStyle = `rgb(${PROBABILITY_RGB})`;
      ctx.fillRect(tx + 12, y - 3, barW * p, 6);
      ctx.fillStyle = MUTED_COLOUR;
      ctx.font = FONT;
      ctx.fillText(j === d.sampleLabel ? `${p.toFixed(2)} ◂ label` : p.toFixed(2), tx + 16 + barW, y);
    }
  }
}

/** Ink runs from the panel's dark slate to near white. */
function ink(x: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, x));
  return [Math.round(17 + v * 224), Math.round(24 + v * 221), Math.round(39 + v * 210)];
}

function inkColour(x: number): string {
  return `rgb(${ink(x).join(', ')})`;
}

/** DnaView's legend, for the SVG picture. */
const swatch = (colour: string): LegendPart => ({ kind: 'ramp', w: 14, h: 4, stops: [colour, colour] });
const DNA_LEGEND: readonly (readonly LegendPart[])[] = [
  [swatch(POSITIVE_COLOUR), legendText('w > 0')],
  [swatch(NEGATIVE_COLOUR), legendText('w < 0')],
  [swatch(BIRTH_COLOUR), legendText('born')],
  [swatch(DEATH_COLOUR), legendText('died')],
  [{ kind: 'ring', colour: LABEL_RING }, legendText('label')],
];

/** Adds cell i -> j to the current path: straight, or bowed sideways by `bend` CSS pixels at its middle. */
function cellPath(ctx: Paint2D, L: DnaLayout, i: number, j: number, bend: number): void {
  const x0 = L.inputX[i] as number;
  const y0 = L.inputY[i] as number;
  const x1 = (L.outputX[j] as number) - L.outputR;
  const y1 = L.outputY[j] as number;
  ctx.moveTo(x0, y0);
  if (bend === 0) {
    ctx.lineTo(x1, y1);
    return;
  }
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len = Math.hypot(dx, dy) || 1;
  // A quadratic curve's middle sits halfway to its control point.
  ctx.quadraticCurveTo((x0 + x1) / 2 - (dy / len) * bend * 2, (y0 + y1) / 2 + (dx / len) * bend * 2, x1, y1);
}
