/**
 * The Runs panel's overlay, drawn with uPlot: one curve per selected run on
 * the same axes, against steps or training seconds, linear or log (uPlot
 * distr 3), with uPlot's live legend as the hover readout. Imperative: the
 * panel hands it runs and settings; it rebuilds the plot only when the
 * series or scales change, otherwise it sets the data.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { METRIC_INFO, type MetricName, type RunMetrics } from '../../runs/run-metrics';
import { logRange, overlayData, type OverlayAxis } from './run-compare';

export interface OverlayRun {
  readonly id: string;
  readonly name: string;
  readonly colour: string;
  readonly metrics: RunMetrics;
}

export interface OverlaySettings {
  readonly metric: MetricName;
  readonly axis: OverlayAxis;
  readonly smoothing: number;
  readonly log: boolean;
}

const HEIGHT = 280;

function fmt(v: number | null): string {
  return v === null || !Number.isFinite(v) ? '–' : Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4);
}

export class CompareChart {
  private plot: uPlot | null = null;
  private shape = '';
  private readonly resize: ResizeObserver;

  constructor(private readonly host: HTMLElement) {
    this.resize = new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: HEIGHT }));
    this.resize.observe(host);
  }

  private width(): number {
    return Math.max(240, this.host.clientWidth);
  }

  draw(runs: readonly OverlayRun[], s: OverlaySettings): void {
    const shape = JSON.stringify([runs.map((r) => [r.id, r.name, r.colour]), s.axis, s.log, s.metric]);
    if (shape !== this.shape || !this.plot) {
      this.plot?.destroy();
      this.shape = shape;
      const info = METRIC_INFO[s.metric];
      this.plot = new uPlot(
        {
          width: this.width(),
          height: HEIGHT,
          legend: { show: true, live: true },
          cursor: { drag: { x: true, y: false } },
                    scales: { x: { time: false }, y: s.log ? { distr: 3, log: 10, range: (_u, min, max) => logRange(min, max) ?? uPlot.rangeLog(min, max, 10, false) } : { auto: true } },
          axes: [
            { stroke: '#94a3b8', grid: { stroke: '#1e293b' }, label: s.axis === 'step' ? 'step' : 'training seconds' },
            { stroke: '#94a3b8', grid: { stroke: '#1e293b' }, label: `${info.label}${s.log ? ' (log)' : ''}`, size: 56 },
          ],
          series: [
            { label: s.axis === 'step' ? 'step' : 'seconds', value: (_u, v) => (v === null ? '–' : s.axis === 'step' ? String(v) : v.toFixed(1)) },
            ...runs.map((r) => ({ label: r.name, stroke: r.colour, width: 2, spanGaps: true, points: { show: false }, value: (_u: uPlot, v: number | null) => fmt(v) })),
          ],
        },
        [[]],
        this.host,
      );
    }
    const data = overlayData(
      runs.map((r) => r.metrics),
      s.metric,
      s.axis,
      s.smoothing,
      s.log,
    );
    this.plot.setData(data as uPlot.AlignedData);
    // For tests and tools: what is drawn, without reading pixels.
    const d = this.host.dataset;
    d.series = String(this.plot.series.length - 1);
    d.axis = s.axis;
    d.log = String(s.log);
    d.metric = s.metric;
    d.points = data
      .slice(1)
      .map((col) => col.filter((v) => v !== null).length)
      .join(',');
    d.xMax = String(data[0]?.at(-1) ?? 0);
  }

  destroy(): void {
    this.resize.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }
}
