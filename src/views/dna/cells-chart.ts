/**
 * The DNA layer's cell count over train steps beside its loss, drawn with
 * uPlot, and under them the turnover: at each extinction a green bar up for
 * the cells born and a red bar down for those that died, so splits that
 * equal deaths (a flat count) still show. One point per frame; redraws at
 * most once per animation frame; hovering a bar names its numbers.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { LabClient, TopologyUpdate } from '../../client/lab-client';
import type { FrameMessage } from '../../protocol/messages';
import { BIRTH_COLOUR, DEATH_COLOUR } from '../graph/palette';
import { bandedRange, meanLoss } from './cells-chart-data';
import { ThinSeries } from '../chart/chart-series';
import { describeBucket, describeTurnover, extinctionOf, nearestColumn, turnoverColumns, TurnoverLog, type TurnoverColumn } from './turnover-log';

const HEIGHT = 190;
const MIN_WIDTH = 160;
/** Bottom share of the plot kept for the turnover bars; the cells and loss lines sit above it. */
const BAND = 0.32;
/** Width of one turnover column, CSS pixels (extinctions closer than this share a bar). */
const COLUMN_PX = 3;
/** How near the pointer must be to a bar to name it, CSS pixels. */
const HOVER_PX = 8;
/** The screen-reader description is rewritten at most this often. */
const DESCRIBE_EVERY_MS = 1000;
const AXIS = '#94a3b8';
const GRID = '#1e293b';
const CELLS_COLOUR = '#86efac';
const LOSS_COLOUR = 'rgba(249, 115, 22, 0.85)';
const BAND_FILL = 'rgba(148, 163, 184, 0.06)';
const BASELINE = 'rgba(148, 163, 184, 0.45)';
/** Series indices in the uPlot options. */
const BORN = 3;
const DIED = 4;
/** Integer steps for the cells axis (never "3.5 cells"). */
const INTEGER_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000];

/** The value at the top of the turnover band on scale `key`: ticks and grid lines below it would label the bars' space. */
function bandTop(u: uPlot, key: string): number {
  const s = u.scales[key];
  const min = s?.min ?? 0;
  const max = s?.max ?? 1;
  return min + (max - min) * BAND;
}

function aboveBand(key: string): uPlot.Axis.Filter {
  return (u, splits) => {
    const t = bandTop(u, key);
    return splits.map((v) => (v >= t ? v : null));
  };
}

export class CellsChart {
  private readonly plot: uPlot;
  private readonly series = new ThinSeries(2);
  private readonly log = new TurnoverLog();
  private readonly tip: HTMLDivElement;
  private readonly note: HTMLParagraphElement;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly resizeObserver: ResizeObserver;
  private raf = 0;
  private dirty = false;
  private lastStep = -1;
  /** Columns of the last draw, in canvas pixels, for hovering. */
  private columns: TurnoverColumn[] = [];
  private nulls: null[] = [];
  private describedAt = -Infinity;
  private describeTimer: ReturnType<typeof setTimeout> | null = null;
  /** The update replayed on subscribe is an extinction from before this chart (a remount): not counted, as in the cell view's Born and Died. */
  private subscribed = false;

  /** `describe` receives the turnover in words (for the chart's aria description). */
  constructor(
    private readonly host: HTMLElement,
    client: LabClient,
    private readonly describe: (text: string) => void,
  ) {
    // Legend entries for the bars, which the draw hook paints.
    const marker = (label: string, colour: string): uPlot.Series => ({ label, stroke: colour, fill: colour, scale: 'turnover', paths: () => null, points: { show: false } });
    this.plot = new uPlot(
      {
        width: Math.max(MIN_WIDTH, host.clientWidth),
        height: HEIGHT,
        // A static legend: live values would rewrap it as they change and move the plot under the pointer; the tip shows them.
        legend: { show: true, live: false },
        cursor: { drag: { x: true, y: false }, points: { show: false } },
        scales: {
          x: { time: false },
          y: { range: (_u, min, max) => bandedRange(min, max, BAND, true) },
          loss: { range: (_u, min, max) => bandedRange(min, max, BAND) },
          turnover: { auto: false, range: [0, 1] },
        },
        axes: [
          { stroke: AXIS, grid: { stroke: GRID } },
          { stroke: AXIS, grid: { stroke: GRID, filter: aboveBand('y') }, filter: aboveBand('y'), incrs: INTEGER_INCRS, label: 'cells', size: 56 },
          { side: 1, scale: 'loss', stroke: AXIS, grid: { show: false }, filter: aboveBand('loss'), label: 'loss (nats)' },
        ],
        series: [
          { label: 'step' },
          { label: 'cells', stroke: CELLS_COLOUR, width: 1.5, points: { show: false } },
          { label: 'loss', stroke: LOSS_COLOUR, width: 1, scale: 'loss', points: { show: false } },
          marker('born ▲', BIRTH_COLOUR),
          marker('died ▼', DEATH_COLOUR),
        ],
        hooks: {
          draw: [(u) => this.drawTurnover(u)],
          setCursor: [(u) => this.hover(u)],
        },
      },
      [[], [], [], [], []],
      host,
    );
    this.tip = document.createElement('div');
    this.tip.className = 'dna-turnover-tip';
    this.tip.hidden = true;
    this.plot.over.appendChild(this.tip);
    this.note = document.createElement('p');
    this.note.className = 'dna-turnover-note';
    this.note.setAttribute('aria-hidden', 'true'); // the chart's description says it in full
    host.appendChild(this.note);
    this.unsubscribe.push(client.onFrame((f) => this.onFrame(f)));
    this.unsubscribe.push(client.onTopology((t) => this.onTopology(t)));
    this.subscribed = true;
    // Width only: a resize drops the cursor, and the height is fixed anyway.
    this.resizeObserver = new ResizeObserver(() => {
      const width = Math.max(MIN_WIDTH, host.clientWidth);
      if (width !== this.plot.width) this.plot.setSize({ width, height: HEIGHT });
    });
    this.resizeObserver.observe(host);
    if (client.frame) this.onFrame(client.frame);
    this.describeNow();
  }

  dispose(): void {
    for (const u of this.unsubscribe) u();
    this.resizeObserver.disconnect();
    if (this.raf) cancelAnimationFrame(this.raf);
    this.raf = 0;
    if (this.describeTimer) clearTimeout(this.describeTimer);
    this.describeTimer = null;
    this.plot.destroy();
    this.note.remove();
  }

  private onTopology(t: TopologyUpdate): void {
    if (t.experiment.model !== 'dna') return;
    if (t.events.length === 0) {
      // Start, reset or import at step 0: a new layer. A rollback: forget what came after its step.
      if (t.step === 0) this.clear();
      else this.log.rollback(t.step);
    } else if (this.subscribed) {
      const e = extinctionOf(t.events, t.step, t.graph.edges.length);
      if (e) this.log.record(e);
    }
    this.markDirty();
  }

  private clear(): void {
    this.series.clear();
    this.log.clear();
    this.lastStep = -1;
    this.markDirty();
  }

  private onFrame(f: FrameMessage): void {
    const d = f.detail;
    if (!d || d.kind !== 'dna') return;
    if (f.step < this.lastStep) this.series.clear(); // a reset or a rollback went back in time
    if (f.step === this.lastStep) return;
    this.lastStep = f.step;
    this.series.push(f.step, d.cellIds.length, meanLoss(f.losses));
    this.markDirty();
  }

  private markDirty(): void {
    this.dirty = true;
    if (!this.raf) this.raf = requestAnimationFrame(this.draw);
  }

  private readonly draw = (): void => {
    this.raf = 0;
    if (!this.dirty) return;
    this.dirty = false;
    const s = this.series;
    const n = s.length;
    if (this.nulls.length !== n) this.nulls = new Array<null>(n).fill(null);
    this.plot.setData([s.x, s.ys[0] ?? [], s.ys[1] ?? [], this.nulls, this.nulls]);
    this.scheduleDescribe();
  };

  /** After uPlot's own series: the band, its baseline and a bar pair per column (canvas pixels). */
  private drawTurnover(u: uPlot): void {
    const { left, top, width, height } = u.bbox;
    const dpr = uPlot.pxRatio;
    const columns = turnoverColumns(this.log.buckets, (step) => u.valToPos(step, 'x', true), left, left + width, COLUMN_PX * dpr);
    this.columns = columns;
    const ctx = u.ctx;
    const bandH = height * BAND;
    const base = Math.round(top + height - bandH / 2);
    const half = bandH / 2 - 3 * dpr;
    let peak = 1;
    for (const c of columns) peak = Math.max(peak, c.bucket.maxBirths, c.bucket.maxDeaths);
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    ctx.fillStyle = BAND_FILL;
    ctx.fillRect(left, top + height - bandH, width, bandH);
    ctx.fillStyle = BASELINE;
    ctx.fillRect(left, base, width, Math.max(1, dpr));
    const barW = Math.max(dpr, (COLUMN_PX - 1) * dpr);
    const bars = (index: number, colour: string, value: (c: TurnoverColumn) => number, sign: number): void => {
      if (u.series[index]?.show === false) return;
      ctx.fillStyle = colour;
      for (const c of columns) {
        const v = value(c);
        if (v <= 0) continue;
        const h = Math.max(2 * dpr, (half * v) / peak);
        ctx.fillRect(c.x - barW / 2, sign > 0 ? base - h : base + Math.max(1, dpr), barW, h);
      }
    };
    bars(BORN, BIRTH_COLOUR, (c) => c.bucket.maxBirths, 1);
    bars(DIED, DEATH_COLOUR, (c) => c.bucket.maxDeaths, -1);
    ctx.restore();
    // The bars' scale (the tallest is this many cells at one extinction), or why there are none.
    const note =
      columns.length > 0
        ? `Bars: cells born ▲ and died ▼ at each extinction; the tallest is ${peak.toLocaleString('en-US')} ${peak === 1 ? 'cell' : 'cells'}. Hover a bar for its numbers.`
        : 'No extinction yet: cells born ▲ and died ▼ at each one will show as bars under the lines.';
    if (this.note.textContent !== note) this.note.textContent = note;
    this.writeData(u, columns.length);
  }

  /** What the chart shows, as data attributes for tests and tools (numbers, not pixels). */
  private writeData(u: uPlot, columns: number): void {
    const t = this.log.totals;
    const loss = this.series.ys[1] ?? [];
    let lossPoints = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of loss) {
      if (v === null || !Number.isFinite(v)) continue;
      lossPoints++;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const ls = u.scales.loss;
    const set = (key: string, value: string): void => {
      if (this.host.dataset[key] !== value) this.host.dataset[key] = value;
    };
    set('extinctions', String(t.extinctions));
    set('births', String(t.births));
    set('deaths', String(t.deaths));
    set('turnoverColumns', String(columns));
    set('cellsPoints', String(this.series.length));
    set('lossPoints', String(lossPoints));
    set('lossExtent', lossPoints > 0 ? `${lo},${hi}` : 'none');
    set('lossScale', `${ls?.min ?? 'none'},${ls?.max ?? 'none'}`);
  }

  /** The turnover column under the pointer, if any. */
  private hovered(u: uPlot): TurnoverColumn | null {
    const x = u.cursor.left ?? -1;
    return x >= 0 ? nearestColumn(this.columns, u.bbox.left + x * uPlot.pxRatio, HOVER_PX * uPlot.pxRatio) : null;
  }

  /** The tip: step, cells and loss under the pointer, and the extinction there if it is near a bar. */
  private hover(u: uPlot): void {
    const idx = u.cursor.idx;
    const x = u.cursor.left ?? -1;
    if (idx == null || x < 0) {
      this.tip.hidden = true;
      return;
    }
    const at = (k: number): number | null | undefined => u.data[k]?.[idx];
    const step = at(0);
    const cells = at(1);
    const loss = at(2);
    const lines = [
      `step ${step == null ? '–' : step.toLocaleString('en-US')} · ${cells == null ? '–' : cells.toLocaleString('en-US')} cells · loss ${loss == null ? '–' : loss.toFixed(3)}`,
    ];
    const c = this.hovered(u);
    if (c) lines.push(describeBucket(c.bucket));
    const text = lines.join('\n');
    if (this.tip.textContent !== text) this.tip.textContent = text;
    this.tip.hidden = false;
    // Keep the tip inside the plot: left of the pointer in the right half.
    const width = u.bbox.width / uPlot.pxRatio;
    const right = x > width / 2;
    this.tip.style.left = right ? '' : `${x + 10}px`;
    this.tip.style.right = right ? `${width - x + 10}px` : '';
  }

  private scheduleDescribe(): void {
    const wait = this.describedAt + DESCRIBE_EVERY_MS - performance.now();
    if (wait <= 0) this.describeNow();
    else if (!this.describeTimer) this.describeTimer = setTimeout(() => this.describeNow(), wait);
  }

  private describeNow(): void {
    if (this.describeTimer) clearTimeout(this.describeTimer);
    this.describeTimer = null;
    this.describedAt = performance.now();
    this.describe(describeTurnover(this.log));
  }
}
