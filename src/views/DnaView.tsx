/**
 * The DNA model's centre view: every cell of the layer as a line from its
 * input to its output node, births flashing green and deaths red, with the
 * cell count, the loss and the births and deaths per extinction below. React only mounts it; a DnaController and a
 * CellsChart (outside React) take frames from the lab client and paint.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { datasetInfo, descriptorOf, type DatasetId } from '../protocol/experiment';
import { BIRTH_COLOUR, DEATH_COLOUR } from './graph/palette';
import { CellsChart } from './dna/cells-chart';
import { NEGATIVE_COLOUR, POSITIVE_COLOUR, type CellStrength } from './dna/cell-style';
import { DnaController } from './dna/dna-controller';
import { percent, type DnaStats } from './dna/dna-text';
import { useLab, useLabClient } from './lab-context';
import './model-views.css';

/** Writes `text` into `el` only when it changed (frames come many times a second). */
function put(el: HTMLElement | null, text: string): void {
  if (el && el.textContent !== text) el.textContent = text;
}

export function DnaView() {
  const client = useLabClient();
  // A dataset's image side (MNIST); 0 for 2-D data and for sequence tasks.
  const imageSide = useLab((s) => (descriptorOf(s.experiment.model).family === 'classification' ? (datasetInfo(s.experiment.task as DatasetId).imageSide ?? 0) : 0));
  const [strength, setStrength] = useState<CellStrength>('weight');
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<HTMLDivElement>(null);
  const summaryRef = useRef<HTMLParagraphElement>(null);
  const announceRef = useRef<HTMLParagraphElement>(null);
  const epochRef = useRef<HTMLElement>(null);
  const cellsRef = useRef<HTMLElement>(null);
  const bornRef = useRef<HTMLElement>(null);
  const diedRef = useRef<HTMLElement>(null);
  const accRef = useRef<HTMLElement>(null);
  const turnoverRef = useRef<HTMLParagraphElement>(null);
  const controllerRef = useRef<DnaController | null>(null);
  const imageSideRef = useRef(imageSide);
  const strengthRef = useRef(strength);
  const summaryId = useId();
  const turnoverId = useId();
  const strengthName = useId();

  useEffect(() => {
    const canvas = canvasRef.current;
    const chartHost = chartRef.current;
    if (!canvas || !chartHost) return;
    // Numbers and screen-reader text go straight into the DOM: they change with frames, not with React state.
    const controller = new DnaController(
      canvas,
      client,
      {
        summary: (text) => put(summaryRef.current, text),
        announce: (text) => {
          if (announceRef.current) announceRef.current.textContent = text;
        },
        stats: (s: DnaStats) => {
          put(epochRef.current, String(s.epoch));
          put(cellsRef.current, s.cells.toLocaleString('en-US'));
          put(bornRef.current, s.births.toLocaleString('en-US'));
          put(diedRef.current, s.deaths.toLocaleString('en-US'));
          put(accRef.current, percent(s.testAccuracy));
        },
      },
      imageSideRef.current,
    );
    controller.setStrength(strengthRef.current);
    controllerRef.current = controller;
    const chart = new CellsChart(chartHost, client, (text) => put(turnoverRef.current, text));
    return () => {
      controllerRef.current = null;
      controller.dispose();
      chart.dispose();
    };
  }, [client]);

  useEffect(() => {
    imageSideRef.current = imageSide;
    controllerRef.current?.setImageSide(imageSide);
  }, [imageSide]);

  useEffect(() => {
    strengthRef.current = strength;
    controllerRef.current?.setStrength(strength);
  }, [strength]);

  return (
    <div className="mv-root dna-root">
      <div className="dna-stage">
        <canvas ref={canvasRef} className="mv-canvas" role="img" aria-label="DNA cells" aria-describedby={summaryId} />
        <p id={summaryId} ref={summaryRef} className="mv-visually-hidden">
          Waiting for the DNA layer.
        </p>
        <p ref={announceRef} className="mv-visually-hidden" aria-live="polite" />
        <div className="mv-legend" aria-hidden="true">
          <span className="mv-legend-item">
            <span className="mv-swatch" style={{ background: POSITIVE_COLOUR }} />
            w &gt; 0
          </span>
          <span className="mv-legend-item">
            <span className="mv-swatch" style={{ background: NEGATIVE_COLOUR }} />
            w &lt; 0
          </span>
          <span className="mv-legend-item">
            <span className="mv-swatch" style={{ background: BIRTH_COLOUR }} />
            born
          </span>
          <span className="mv-legend-item">
            <span className="mv-swatch" style={{ background: DEATH_COLOUR }} />
            died
          </span>
          <span className="mv-legend-item">
            <span className="mv-ring" />
            label
          </span>
        </div>
      </div>
      <div className="dna-side">
        <dl className="mv-stats" aria-label="DNA layer">
          <div>
            <dt>Epoch</dt>
            <dd ref={epochRef}>0</dd>
          </div>
          <div>
            <dt>Cells</dt>
            <dd ref={cellsRef}>–</dd>
          </div>
          <div>
            <dt>Born</dt>
            <dd ref={bornRef}>0</dd>
          </div>
          <div>
            <dt>Died</dt>
            <dd ref={diedRef}>0</dd>
          </div>
          <div>
            <dt>Test accuracy</dt>
            <dd ref={accRef}>–</dd>
          </div>
        </dl>
        <fieldset className="mv-toggle">
          <legend>Line width and opacity</legend>
          {(
            [
              ['weight', '|w|'],
              ['passthrough', 'passthrough'],
            ] as const
          ).map(([value, label]) => (
            <label key={value}>
              <input type="radio" name={strengthName} value={value} checked={strength === value} onChange={() => setStrength(value)} />
              {label}
            </label>
          ))}
        </fieldset>
        <section className="dna-chart" aria-label="Cells chart" aria-describedby={turnoverId}>
          <h2 className="mv-heading">Cells, loss, and births and deaths per extinction</h2>
          <div ref={chartRef} className="chart dna-cells-chart" />
          <p id={turnoverId} ref={turnoverRef} className="mv-visually-hidden" />
        </section>
      </div>
    </div>
  );
}
