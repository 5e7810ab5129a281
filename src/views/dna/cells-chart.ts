/**
 * The DNA layer's cell count over train steps beside its loss, drawn with
 * uPlot: extinction events show as steps in the count where the loss had
 * stalled. One point per frame; redraws at most once per animation frame.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { LabClient } from '../../client/lab-client';
import type { FrameMessage } from '../../protocol/messages';
import { ThinSeries } from './thin-series';

const HEIGHT = 140;
const MIN_WIDTH = 160;

/** Mean of a frame's per-step losses (NaN when it has none). */
function meanLoss(f: FrameMessage): number {
  const n = f.losses.length;
  if (n === 0) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += f.losses[i] as number;
  return s / n;
}

export class CellsChart {
  private readonly plot: uPlot;
  private readonly series = new ThinSeries(2);
  private readonly unsubscribe: (() => void)[] = [];
  private readonly resizeObserver: ResizeObserver;
  private raf = 0;
  private dirty = false;
  private lastStep = -1;

  constructor(
    private readonly host: HTMLElement,
    client: LabClient,
  ) {
    this.plot = new uPlot(
      {
        width: Math.max(MIN_WIDTH, host.clientWidth),
        height: HEIGHT,
        legend: { show: true, live: false },
        cursor: { drag: { x: true, y: false } },
        scales: { x: { time: false }, loss: { auto: true } },
        axes: [
          { stroke: '#94a3b8', grid: { stroke: '#1e293b' } },
          { stroke: '#94a3b8', grid: { stroke: '#1e293b' }, label: 'cells', size: 56 },
          { side: 1, scale: 'loss', stroke: '#94a3b8', grid: { show: false }, label: 'loss (nats)' },
        ],
        series: [
          { label: 'step' },
          { label: 'cells', stroke: '#86efac', width: 1.5 },
          { label: 'loss', stroke: 'rgba(249, 115, 22, 0.7)', width: 1, scale: 'loss' },
        ],
      },
      [[], [], []],
      host,
    );
    this.unsubscribe.push(client.onFrame((f) => this.onFrame(f)));
    this.unsubscribe.push(
      client.onTopology((t) => {
        if (t.step === 0 && t.events.length === 0) this.clear();
      }),
    );
    this.resizeObserver = new ResizeObserver(() => this.plot.setSize({ width: Math.max(MIN_WIDTH, host.clientWidth), height: HEIGHT }));
    this.resizeObserver.observe(host);
    if (client.frame) this.onFrame(client.frame);
  }

  dispose(): void {
    for (const u of this.unsubscribe) u();
    this.resizeObserver.disconnect();
    if (this.raf) cancelAnimationFrame(this.raf);
    this.raf = 0;
    this.plot.destroy();
  }

  private clear(): void {
    this.series.clear();
    this.lastStep = -1;
    this.markDirty();
  }

  private onFrame(f: FrameMessage): void {
    const d = f.detail;
    if (!d || d.kind !== 'dna') return;
    if (f.step < this.lastStep) this.series.clear(); // a reset or a rollback went back in time
    if (f.step === this.lastStep) return;
    this.lastStep = f.step;
    this.series.push(f.step, d.cellIds.length, meanLoss(f));
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
    this.plot.setData([s.x, s.ys[0] ?? [], s.ys[1] ?? []]);
  };
}
