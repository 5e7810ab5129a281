/**
 * The routing view's engine room, outside React: takes frames from the lab
 * client and, once per pass of its CanvasLoop, writes the stack's execute
 * probabilities into the chain (React rendered its boxes), the accuracies
 * into the stats, and paints the samples canvas: the decision boundary with
 * probe dots (2-D data) or the probe digits (MNIST). Hovering or arrowing to
 * a sample shows that sample's route instead of the batch's.
 */
import { CanvasLoop, sizeBackingStore, type CanvasSize } from '../canvas-loop';
import type { LabClient } from '../../client/lab-client';
import type { FrameMessage } from '../../protocol/messages';
import { BACKGROUND } from '../graph/palette';
import { boundaryImageRect, cellRgb, classColour, classRgb, fillBoundary, sampleAt, toCanvasX, toCanvasY } from './boundary';
import { EXECUTE_THRESHOLD, layersExecuted, samplePExecAt, thumbAt, thumbGrid, thumbOrigin, type ThumbGrid } from './probe-samples';
import { describeSamples, execText, pct, sourceText, type RoutingDetail } from './routing-text';
import { drawLegendItems, legendText, type LegendPart } from '../graph/legend-svg';
import { isSvgContext, SvgContext, type Paint2D } from '../graph/svg-context';
import { setViewPicture, svgToPng } from '../graph/view-picture';

/** The DOM the controller writes into; React renders it, the controller only fills it. */
export interface RoutingElements {
  readonly canvas: HTMLCanvasElement;
  /** The chain; each routed layer is an element with data-layer="l" holding [data-role=value] and [data-role=fill]. */
  readonly chain: HTMLElement;
  /** Says whose probabilities the chain shows. */
  readonly source: HTMLElement;
  readonly hardAccuracy: HTMLElement;
  readonly softAccuracy: HTMLElement;
  readonly skipped: HTMLElement;
  /** Visually hidden description of the canvas. */
  readonly summary: HTMLElement;
}

interface LayerEls {
  readonly box: HTMLElement;
  readonly value: HTMLElement | null;
  readonly fill: HTMLElement | null;
}

const SUMMARY_EVERY_MS = 1000;
/** Hover slop around a sample dot, CSS pixels. */
const HIT_RADIUS = 9;
const DOT_R = 3.5;
const BAR_TRACK = 'rgba(148, 163, 184, 0.25)';
const BAR_FILL = '#fbbf24';
const HOVER_RING = '#f8fafc';
/** Boundary plots never grow past this, CSS pixels. */
const MAX_PLOT = 360;

function put(el: HTMLElement | null, text: string): void {
  if (el && el.textContent !== text) el.textContent = text;
}

export class RoutingController {
  private readonly ctx: CanvasRenderingContext2D | null;
  private readonly loop: CanvasLoop;
  /** The DOM text is stale; the canvas's staleness is the loop's dirty flag. */
  private textDirty = false;
  private width = 0;
  private dpr = 1;
  private detail: RoutingDetail | null = null;
  private layerEls: LayerEls[] = [];
  /** The selected probe sample and whether the keyboard picked it (a pointer leaving then keeps it). */
  private selected: number | null = null;
  private byKeyboard = false;
  private lastSummaryAt = -Infinity;
  private grid: ThumbGrid | null = null;
  private gridN = 0;

  // Offscreen pictures, rebuilt when a frame brings new data.
  private readonly boundaryImage: HTMLCanvasElement;
  private readonly thumbsImage: HTMLCanvasElement;
  private thumbsKey = '';

  constructor(
    private readonly els: RoutingElements,
    client: LabClient,
  ) {
    this.ctx = els.canvas.getContext('2d', { alpha: false });
    this.boundaryImage = document.createElement('canvas');
    this.thumbsImage = document.createElement('canvas');
    // The canvas's CSS size follows its content, so the width comes from its parent.
    this.loop = new CanvasLoop(
      els.canvas,
      {
        prepare: () => this.prepare(),
        paint: () => this.paintFrame(),
        resize: (size) => this.resize(size),
      },
      'parent',
    );
    this.loop.own(this.attachPointer(els.canvas));
    this.loop.own(
      setViewPicture({
        view: 'routing',
        svg: () => this.toSvg().svg,
        png: () => {
          const { svg, width, height } = this.toSvg();
          return svgToPng(svg, width, height, this.dpr);
        },
      }),
    );
    this.refreshChain();
    this.loop.own(client.onFrame((f) => this.onFrame(f)));
    if (client.frame) this.onFrame(client.frame);
  }

  dispose(): void {
    this.loop.dispose();
  }

  /** Re-reads the layer boxes after React rendered a different number of them. */
  refreshChain(): void {
    this.layerEls = Array.from(this.els.chain.querySelectorAll<HTMLElement>('[data-layer]'), (box) => ({
      box,
      value: box.querySelector<HTMLElement>('[data-role="value"]'),
      fill: box.querySelector<HTMLElement>('[data-role="fill"]'),
    }));
    this.textDirty = true;
    this.loop.schedule();
  }

  private onFrame(f: FrameMessage): void {
    const d = f.detail;
    if (!d || d.kind !== 'routing') return;
    const n = d.sampleLabels.length;
    if (this.selected !== null && this.selected >= n) this.selected = null;
    this.detail = d;
    this.textDirty = true;
    this.loop.markDirty();
  }

  private resize({ width, dpr }: CanvasSize): void {
    this.width = Math.max(120, Math.floor(width));
    this.dpr = dpr;
    this.grid = null;
  }

  private select(i: number | null, byKeyboard: boolean): void {
    this.byKeyboard = byKeyboard && i !== null;
    if (i === this.selected) return;
    this.selected = i;
    this.textDirty = true;
    this.loop.markDirty();
  }

  private attachPointer(canvas: HTMLCanvasElement): () => void {
    const move = (e: PointerEvent): void => {
      const r = canvas.getBoundingClientRect();
      const hit = this.sampleAtPoint(e.clientX - r.left, e.clientY - r.top);
      if (hit !== null || !this.byKeyboard) this.select(hit, false);
      canvas.style.cursor = hit !== null ? 'pointer' : '';
    };
    const leave = (): void => {
      if (!this.byKeyboard) this.select(null, false);
      canvas.style.cursor = '';
    };
    const key = (e: KeyboardEvent): void => {
      const n = this.detail?.sampleLabels.length ?? 0;
      if (n === 0) return;
      const cur = this.selected;
      if (e.key === 'ArrowRight' || e.key === 'ArrowDown') this.select(cur === null ? 0 : (cur + 1) % n, true);
      else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') this.select(cur === null ? n - 1 : (cur - 1 + n) % n, true);
      else if (e.key === 'Escape') this.select(null, false);
      else return;
      e.preventDefault();
    };
    const blur = (): void => {
      if (this.byKeyboard) this.select(null, false);
    };
    canvas.addEventListener('pointermove', move);
    canvas.addEventListener('pointerleave', leave);
    canvas.addEventListener('keydown', key);
    canvas.addEventListener('blur', blur);
    return () => {
      canvas.removeEventListener('pointermove', move);
      canvas.removeEventListener('pointerleave', leave);
      canvas.removeEventListener('keydown', key);
      canvas.removeEventListener('blur', blur);
    };
  }

  private sampleAtPoint(x: number, y: number): number | null {
    const d = this.detail;
    if (!d) return null;
    const n = d.sampleLabels.length;
    if (d.gridSize > 0) return sampleAt(x, y, d.sampleX, n, this.plotSize(), HIT_RADIUS);
    const g = this.grid;
    return g ? thumbAt(g, n, x, y) : null;
  }

  private plotSize(): number {
    return Math.min(this.width, MAX_PLOT);
  }

  /** Image side of the samples, or 0 when they are not square images. */
  private static imageSide(d: RoutingDetail): number {
    const n = d.sampleLabels.length;
    const D = n > 0 ? d.sampleX.length / n : 0;
    const side = Math.round(Math.sqrt(D));
    return side >= 4 && side * side === D ? side : 0;
  }

  /** Every pass of the loop, before any repaint: the DOM text. */
  private prepare(): void {
    if (!this.textDirty) return;
    this.textDirty = false;
    this.writeText();
  }

  /** Nothing here animates: one paint per change. */
  private paintFrame(): boolean {
    if (this.ctx) this.paint(this.ctx);
    return false;
  }

  private writeText(): void {
    const d = this.detail;
    const sel = this.selected;
    const els = this.els;
    put(els.source, sourceText(d, sel));
    els.chain.classList.toggle('rv-chain--sample', d !== null && sel !== null);
    for (let l = 0; l < this.layerEls.length; l++) {
      const e = this.layerEls[l] as LayerEls;
      const p = !d || l >= d.layers ? NaN : sel !== null ? samplePExecAt(d.samplePExec, d.layers, sel, l) : (d.batchPExec[l] ?? NaN);
      put(e.value, `execute ${execText(p)}`);
      if (e.fill) e.fill.style.transform = `scaleX(${Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : 0})`;
      // Under hard routing a sample skips a layer at p_exec <= 0.5; the batch mean decides nothing.
      e.box.classList.toggle('rv-layer--skipped', sel !== null && Number.isFinite(p) && !(p > EXECUTE_THRESHOLD));
    }
    if (!d) return;
    put(els.hardAccuracy, pct(d.hardAccuracy));
    put(els.softAccuracy, pct(d.softAccuracy));
    put(els.skipped, pct(d.skippedFraction));
    const now = performance.now();
    if (now - this.lastSummaryAt >= SUMMARY_EVERY_MS) {
      this.lastSummaryAt = now;
      put(els.summary, describeSamples(d));
    }
  }

  /**
   * The plot as it is on screen, as vector SVG: the same paint into a
   * recording context, the boundary's grid cells and the digits' pixels as
   * squares (the screen scales bitmaps up, smoothing the boundary), and the
   * class legend under a 2-D plot as the page shows it.
   */
  toSvg(): { svg: string; width: number; height: number } {
    const d = this.detail;
    const { w, h } = this.contentSize(d);
    const legend = d && d.gridSize > 0 ? routingLegend(d.classes) : [];
    const band = legend.length > 0 ? 34 : 0;
    const svg = new SvgContext(w, h + band, this.dpr);
    this.paint(svg);
    if (band > 0) {
      svg.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
      svg.fillStyle = BACKGROUND;
      svg.fillRect(0, h, w, band);
      drawLegendItems(svg, legend, w, h + band);
    }
    const title = d ? `Loopy Lab: routing modules, ${d.layers} layers` : 'Loopy Lab: routing modules';
    return { svg: svg.toSvg(title), width: w, height: h + band };
  }

  /** The CSS size paint() gives the canvas for `d`. */
  private contentSize(d: RoutingDetail | null): { w: number; h: number } {
    if (d && d.gridSize > 0) return { w: this.plotSize(), h: this.plotSize() };
    if (d && RoutingController.imageSide(d) > 0) {
      const g = this.grid && this.gridN === d.sampleLabels.length ? this.grid : thumbGrid(d.sampleLabels.length, this.width);
      return { w: g.width, h: g.height };
    }
    return { w: this.plotSize(), h: 40 };
  }

  /** Sizes the backing store to `w` x `h` CSS pixels; the canvas's CSS size follows the content. */
  private sizeCanvas(ctx: Paint2D, w: number, h: number): void {
    const c = this.els.canvas;
    // A recording for the SVG picture leaves the screen's canvas alone.
    if (!isSvgContext(ctx)) {
      sizeBackingStore(c, w, h, this.dpr);
      const cw = `${w}px`;
      const ch = `${h}px`;
      if (c.style.width !== cw) c.style.width = cw;
      if (c.style.height !== ch) c.style.height = ch;
    }
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = BACKGROUND;
    ctx.fillRect(0, 0, w, h);
  }

  private paint(ctx: Paint2D): void {
    const d = this.detail;
    if (!d) {
      this.sizeCanvas(ctx, this.plotSize(), 40);
      return;
    }
    if (d.gridSize > 0) this.paintBoundary(ctx, d);
    else if (RoutingController.imageSide(d) > 0) this.paintThumbs(ctx, d);
    else this.sizeCanvas(ctx, this.plotSize(), 40);
  }

  private paintBoundary(ctx: Paint2D, d: RoutingDetail): void {
    const size = this.plotSize();
    this.sizeCanvas(ctx, size, size);
    const G = d.gridSize;
    const img = this.boundaryImage;
    const ictx = isSvgContext(ctx) ? null : img.getContext('2d');
    if (isSvgContext(ctx)) {
      // Each grid point's square, centred on it as the screen's image pixels are, cut to the plot;
      // each reaches SEAM px under the next, so antialiased edges leave no hairline between them.
      const r = boundaryImageRect(G, size);
      const step = r.w / G;
      for (let k = 0; k < G * G && k < d.boundary.length; k++) {
        const x0 = Math.max(0, r.x + (k % G) * step);
        const y0 = Math.max(0, r.y + Math.floor(k / G) * step);
        const x1 = Math.min(size, r.x + ((k % G) + 1) * step + SEAM);
        const y1 = Math.min(size, r.y + (Math.floor(k / G) + 1) * step + SEAM);
        ctx.fillStyle = `rgb(${cellRgb(d.boundary, d.boundaryClass, d.classes, k).join(', ')})`;
        ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
      }
    } else if (ictx) {
      if (img.width !== G) img.width = img.height = G;
      const data = ictx.createImageData(G, G);
      fillBoundary(data.data, d.boundary, G, d.boundaryClass, d.classes);
      ictx.putImageData(data, 0, 0);
      // Smoothing turns the coarse grid into Playground's soft regions.
      ctx.imageSmoothingEnabled = true;
      const r = boundaryImageRect(G, size);
      ctx.drawImage(img, r.x, r.y, r.w, r.h);
    }
    const n = d.sampleLabels.length;
    for (let i = 0; i < n; i++) {
      if (i === this.selected) continue;
      ctx.beginPath();
      ctx.arc(toCanvasX(d.sampleX[2 * i] as number, size), toCanvasY(d.sampleX[2 * i + 1] as number, size), DOT_R, 0, 2 * Math.PI);
      ctx.fillStyle = classColour(d.sampleLabels[i] as number);
      ctx.fill();
      ctx.strokeStyle = 'rgba(248, 250, 252, 0.85)';
      ctx.lineWidth = 1;
      ctx.stroke();
    }
    const s = this.selected;
    if (s !== null && s < n) {
      const x = toCanvasX(d.sampleX[2 * s] as number, size);
      const y = toCanvasY(d.sampleX[2 * s + 1] as number, size);
      ctx.beginPath();
      ctx.arc(x, y, DOT_R + 2.5, 0, 2 * Math.PI);
      ctx.fillStyle = classColour(d.sampleLabels[s] as number);
      ctx.fill();
      ctx.strokeStyle = HOVER_RING;
      ctx.lineWidth = 2;
      ctx.stroke();
      ctx.font = '600 11px ui-sans-serif, system-ui, sans-serif';
      ctx.fillStyle = HOVER_RING;
      ctx.textBaseline = 'middle';
      ctx.textAlign = x > size - 70 ? 'right' : 'left';
      ctx.fillText(`#${s}`, x + (x > size - 70 ? -10 : 10), y);
      ctx.textAlign = 'left';
    }
  }

  private paintThumbs(ctx: Paint2D, d: RoutingDetail): void {
    const n = d.sampleLabels.length;
    const side = RoutingController.imageSide(d);
    if (!this.grid || this.gridN !== n) {
      this.grid = thumbGrid(n, this.width);
      this.gridN = n;
    }
    const g = this.grid;
    this.sizeCanvas(ctx, g.width, g.height);
    this.updateThumbsImage(d, side, g);
    ctx.imageSmoothingEnabled = false;
    const L = d.layers;
    for (let i = 0; i < n; i++) {
      const { x, y } = thumbOrigin(g, i);
      const sx = (i % g.cols) * side;
      const sy = Math.floor(i / g.cols) * side;
      if (isSvgContext(ctx)) thumbSquares(ctx, d.sampleX, i * side * side, side, x, y, g.thumb / side);
      else ctx.drawImage(this.thumbsImage, sx, sy, side, side, x, y, g.thumb, g.thumb);
      // The bar: how many of the layers this digit executes under hard routing.
      const runs = layersExecuted(d.samplePExec, L, i);
      ctx.fillStyle = BAR_TRACK;
      ctx.fillRect(x, y + g.thumb + 2, g.thumb, g.bar);
      ctx.fillStyle = BAR_FILL;
      ctx.fillRect(x, y + g.thumb + 2, L > 0 ? (g.thumb * runs) / L : 0, g.bar);
      if (i === this.selected) {
        ctx.strokeStyle = HOVER_RING;
        ctx.lineWidth = 2;
        ctx.strokeRect(x - 1, y - 1, g.thumb + 2, g.thumb + g.bar + 4);
      }
    }
  }

  /** All probe digits side by side in one small canvas, redrawn only when they change. */
  private updateThumbsImage(d: RoutingDetail, side: number, g: ThumbGrid): void {
    const n = d.sampleLabels.length;
    // The probe digits are the test split's first ones, fixed for an experiment: a sparse checksum tells a new set.
    let sum = 0;
    for (let k = 0; k < d.sampleX.length; k += 13) sum += (d.sampleX[k] as number) * ((k % 7) + 1);
    const key = `${n}:${side}:${g.cols}:${sum}`;
    if (key === this.thumbsKey) return;
    const ictx = this.thumbsImage.getContext('2d');
    if (!ictx) return;
    this.thumbsKey = key;
    const w = g.cols * side;
    const h = g.rows * side;
    this.thumbsImage.width = w;
    this.thumbsImage.height = h;
    const data = ictx.createImageData(w, h);
    const px = data.data;
    const D = side * side;
    for (let i = 0; i < n; i++) {
      const ox = (i % g.cols) * side;
      const oy = Math.floor(i / g.cols) * side;
      for (let p = 0; p < D; p++) {
        const v = Math.min(1, Math.max(0, d.sampleX[i * D + p] as number));
        const o = 4 * ((oy + Math.floor(p / side)) * w + ox + (p % side));
        px[o] = 17 + v * 224;
        px[o + 1] = 24 + v * 221;
        px[o + 2] = 39 + v * 210;
        px[o + 3] = 255;
      }
    }
    ictx.putImageData(data, 0, 0);
  }
}

/** CSS px by which adjacent squares of a vector picture overlap (no antialiased seam between them). */
const SEAM = 0.5;

/** The page's class legend under a 2-D plot. */
const classSwatch = (rgb: readonly number[]): LegendPart => ({ kind: 'ramp', w: 14, h: 4, stops: [`rgb(${rgb.join(', ')})`, `rgb(${rgb.join(', ')})`] });
/** One swatch per class (a legend past 12 classes says how many more). */
function routingLegend(classes: number): (readonly LegendPart[])[] {
  const shown = Math.min(classes, 12);
  const parts: (readonly LegendPart[])[] = Array.from({ length: shown }, (_, c) => [classSwatch(classRgb(c)), legendText(`class ${c}`)]);
  if (classes > shown) parts.push([legendText(`+${classes - shown} more`)]);
  return parts;
}

/** A digit's pixels as squares of `px` CSS pixels at (x, y), a run of equal ink on a row as one rectangle. */
function thumbSquares(ctx: SvgContext, pixels: Float32Array, from: number, side: number, x: number, y: number, px: number): void {
  for (let row = 0; row < side; row++) {
    let start = 0;
    for (let col = 1; col <= side; col++) {
      const a = inkLevel(pixels[from + row * side + start] as number);
      if (col < side && inkLevel(pixels[from + row * side + col] as number) === a) continue;
      ctx.fillStyle = `rgb(${Math.round(17 + a * 224)}, ${Math.round(24 + a * 221)}, ${Math.round(39 + a * 210)})`;
      ctx.fillRect(x + start * px, y + row * px, (col - start) * px + (col < side ? SEAM : 0), px + (row < side - 1 ? SEAM : 0));
      start = col;
    }
  }
}

/** Ink clamped and quantised to the 8-bit steps the screen's bitmap has. */
function inkLevel(v: number): number {
  return Math.round(Math.min(1, Math.max(0, v)) * 255) / 255;
}
