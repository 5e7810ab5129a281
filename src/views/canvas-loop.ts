/**
 * The shell under every canvas view (force-graph's split of drawing from DOM
 * plumbing): one requestAnimationFrame loop that paints only while something
 * is dirty and idles otherwise, resizes from a ResizeObserver at the device
 * pixel ratio, and releases what it was given on dispose.
 */

/** A canvas's CSS size and the device pixel ratio it is painted at. */
export interface CanvasSize {
  /** CSS pixels. */
  readonly width: number;
  readonly height: number;
  readonly dpr: number;
}

/** What drives a resize: the canvas's own CSS box (its backing store is fitted to it), or its parent's box (the painter sizes the canvas). */
export type SizeSource = 'canvas' | 'parent';

/** The painter side of a canvas view. */
export interface CanvasLoopHooks {
  /** Paints one frame; `now` is performance.now() in ms. Returns true to keep animating (layout, playback, fades). */
  paint(now: number): boolean;
  /** Runs on every pass of the loop before the dirty check (hit tests, DOM text); markDirty() here paints in this same pass. */
  prepare?(): void;
  /** The observed box changed (also called once at construction); a repaint follows by itself. */
  resize(size: CanvasSize): void;
}

/** Sets a canvas's backing store to `width` x `height` CSS pixels at `dpr`, leaving it alone when already right (assigning would clear it). */
export function sizeBackingStore(canvas: HTMLCanvasElement, width: number, height: number, dpr: number): void {
  const pw = Math.max(1, Math.round(width * dpr));
  const ph = Math.max(1, Math.round(height * dpr));
  if (canvas.width !== pw || canvas.height !== ph) {
    canvas.width = pw;
    canvas.height = ph;
  }
}

/** One canvas's animation loop, resize and lifetime; see the file comment. */
export class CanvasLoop {
  private readonly observer: ResizeObserver;
  private readonly observed: Element;
  private readonly releases: (() => void)[] = [];
  private raf = 0;
  private dirty = false;
  private preparing = false;
  private disposed = false;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly hooks: CanvasLoopHooks,
    private readonly sizeFrom: SizeSource = 'canvas',
  ) {
    this.observed = sizeFrom === 'parent' ? (canvas.parentElement ?? canvas) : canvas;
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(this.observed);
    this.resize();
  }

  /** Something visible changed: paint on the next animation frame. */
  markDirty(): void {
    this.dirty = true;
    // The pass under way checks the flag right after prepare().
    if (!this.preparing) this.schedule();
  }

  /** Runs the loop once without asking for a repaint (prepare() alone, unless something marks it dirty). */
  schedule(): void {
    if (this.raf === 0 && !this.disposed) this.raf = requestAnimationFrame(this.frame);
  }

  /** Keeps `release` (an unsubscribe, a listener detach) to be called on dispose. */
  own(release: () => void): void {
    this.releases.push(release);
  }

  /** Cancels the pending frame, stops observing and calls every owned release; the loop never runs again. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.raf) cancelAnimationFrame(this.raf);
    this.raf = 0;
    this.observer.disconnect();
    for (const release of this.releases) release();
    this.releases.length = 0;
  }

  private resize(): void {
    const dpr = window.devicePixelRatio || 1;
    const el = this.observed;
    const width = el.clientWidth;
    const height = el.clientHeight;
    if (this.sizeFrom === 'canvas') sizeBackingStore(this.canvas, width, height, dpr);
    this.hooks.resize({ width, height, dpr });
    this.markDirty();
  }

  private readonly frame = (): void => {
    this.raf = 0;
    if (this.hooks.prepare) {
      this.preparing = true;
      try {
        this.hooks.prepare();
      } finally {
        this.preparing = false;
      }
    }
    if (!this.dirty || this.disposed) return;
    this.dirty = false;
    if (this.hooks.paint(performance.now())) this.markDirty();
  };
}
