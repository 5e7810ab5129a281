/**
 * The lab's centrepiece: the running network as a live force graph on a
 * canvas. React only mounts it; a GraphController (outside React) takes
 * frames and topology from the lab client and paints imperatively.
 */
import { useEffect, useId, useRef } from 'react';
import { GraphController } from './graph/graph-controller';
import { ACTIVITY_GRADIENT_CSS, BIRTH_COLOUR, DEATH_COLOUR, INPUT_COLOUR, OUTPUT_COLOUR, threadColour } from './graph/palette';
import { useLabClient } from './lab-context';
import './graph/activity-graph.css';

export function ActivityGraph() {
  const client = useLabClient();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const summaryRef = useRef<HTMLParagraphElement>(null);
  const announceRef = useRef<HTMLParagraphElement>(null);
  const summaryId = useId();
  const helpId = useId();

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    // Screen-reader text is written straight into the DOM: it changes with frames, not with React state.
    const controller = new GraphController(canvas, client, {
      summary: (text) => {
        if (summaryRef.current && summaryRef.current.textContent !== text) summaryRef.current.textContent = text;
      },
      announce: (text) => {
        if (announceRef.current) announceRef.current.textContent = text;
      },
    });
    return () => controller.dispose();
  }, [client]);

  return (
    <div className="ag-root">
      <canvas
        ref={canvasRef}
        className="ag-canvas"
        role="img"
        aria-label="Activity graph"
        aria-describedby={`${summaryId} ${helpId}`}
        aria-keyshortcuts="+ - 0 ArrowLeft ArrowRight ArrowUp ArrowDown"
        tabIndex={0}
      />
      <p id={summaryId} ref={summaryRef} className="ag-visually-hidden">
        Waiting for the network.
      </p>
      <p id={helpId} className="ag-visually-hidden">
        Plus and minus zoom, arrow keys pan, 0 fits the whole graph.
      </p>
      <p ref={announceRef} className="ag-visually-hidden" aria-live="polite" />
      <div className="ag-legend" aria-hidden="true">
        <span className="ag-legend-item">
          activity (log)
          <span className="ag-ramp" style={{ background: ACTIVITY_GRADIENT_CSS }} />
        </span>
        <span className="ag-legend-item">
          <span className="ag-gate" />
          gate open
        </span>
        <span className="ag-legend-item">
          <span className="ag-dot ag-dot-thread" style={{ background: threadColour(0), color: threadColour(0) }} />
          thread
        </span>
        <span className="ag-legend-item">
          <span className="ag-dot ag-dot-ring" style={{ borderColor: INPUT_COLOUR }} />
          in
          <span className="ag-dot ag-dot-ring" style={{ borderColor: OUTPUT_COLOUR }} />
          out
        </span>
        <span className="ag-legend-item">
          <span className="ag-dot ag-dot-ring" style={{ borderColor: BIRTH_COLOUR }} />
          born
          <span className="ag-dot ag-dot-ring" style={{ borderColor: DEATH_COLOUR }} />
          died
        </span>
        <span className="ag-legend-hint">wheel zoom · drag pan or move a node · double-click fit</span>
      </div>
    </div>
  );
}
