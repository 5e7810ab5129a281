/**
 * Loss and accuracy over train steps, drawn with uPlot. Points arrive with
 * frames (not React state); the chart redraws at most once per animation
 * frame and thins old points so it stays cheap over long runs.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { FrameMessage } from '../protocol/messages';
import { useLabClient } from './lab-context';

const MAX_POINTS = 4000;

/** Append-only series with stride thinning: when full, every other point is dropped and the stride doubles. */
class Series {
  steps: number[] = [];
  loss: number[] = [];
  acc: number[] = [];
  private stride = 1;
  private seen = 0;

  push(step: number, loss: number, acc: number): void {
    if (this.seen++ % this.stride !== 0) return;
    this.steps.push(step);
    this.loss.push(loss);
    this.acc.push(acc);
    if (this.steps.length > MAX_POINTS) {
      const keep = (_: number, i: number) => i % 2 === 0;
      this.steps = this.steps.filter(keep);
      this.loss = this.loss.filter(keep);
      this.acc = this.acc.filter(keep);
      this.stride *= 2;
    }
  }

  clear(): void {
    this.steps = [];
    this.loss = [];
    this.acc = [];
    this.stride = 1;
    this.seen = 0;
  }
}

export function LossChart() {
  const client = useLabClient();
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const series = new Series();
    const plot = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: 180,
        legend: { show: true, live: false },
        cursor: { drag: { x: true, y: false } },
        scales: { x: { time: false }, acc: { range: [0, 1] } },
        axes: [
          { stroke: '#94a3b8', grid: { stroke: '#1e293b' } },
          { stroke: '#94a3b8', grid: { stroke: '#1e293b' }, label: 'loss (nats)' },
          { side: 1, scale: 'acc', stroke: '#94a3b8', grid: { show: false }, label: 'accuracy' },
        ],
        series: [
          { label: 'step' },
          { label: 'loss', stroke: '#f97316', width: 1.5 },
          { label: 'accuracy', stroke: '#38bdf8', width: 1.5, scale: 'acc' },
        ],
      },
      [[], [], []],
      el,
    );
    let dirty = false;
    let raf = 0;
    const draw = () => {
      raf = 0;
      if (!dirty) return;
      dirty = false;
      plot.setData([series.steps, series.loss, series.acc]);
    };
    let lastStep = -1;
    const offFrame = client.onFrame((f: FrameMessage) => {
      if (f.stepNumbers.length === 0) return;
      if ((f.stepNumbers[0] as number) <= lastStep) series.clear(); // a reset or a rollback went back in time
      for (let i = 0; i < f.stepNumbers.length; i++) {
        series.push(f.stepNumbers[i] as number, f.losses[i] as number, f.accuracies[i] as number);
      }
      lastStep = f.stepNumbers[f.stepNumbers.length - 1] as number;
      dirty = true;
      if (!raf) raf = requestAnimationFrame(draw);
    });
    const offTopology = client.onTopology((t) => {
      if (t.step === 0 && t.events.length === 0) {
        series.clear();
        lastStep = -1;
        dirty = true;
        if (!raf) raf = requestAnimationFrame(draw);
      }
    });
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height: 180 }));
    resize.observe(el);
    return () => {
      offFrame();
      offTopology();
      resize.disconnect();
      if (raf) cancelAnimationFrame(raf);
      plot.destroy();
    };
  }, [client]);

  return (
    <section className="panel chart-panel" aria-label="Loss and accuracy chart">
      <h2>Loss and accuracy</h2>
      <div ref={host} className="chart" />
    </section>
  );
}
