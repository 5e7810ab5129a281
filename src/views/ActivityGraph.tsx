/**
 * The lab's centrepiece: the running network as a live graph on a canvas,
 * laid out as its generator built it (a ring, layers, the plane) or by
 * force. React only mounts it; a GraphController (outside React) takes
 * frames and topology from the lab client and paints imperatively. The
 * legend shows only what applies to the model (the controller says when that
 * changes, which is rare).
 */
import { useEffect, useId, useRef, useState } from 'react';
import { GraphController, type GraphLegend } from './graph/graph-controller';
import { ACTIVITY_GRADIENT_CSS, BIRTH_COLOUR, DEATH_COLOUR, EDGE_GRADIENT_CSS, INPUT_COLOUR, OUTPUT_COLOUR, threadColour } from './graph/palette';
import type { LayoutKind } from './graph/fixed-layouts';
import { useLabClient } from './lab-context';
import './graph/activity-graph.css';

const EDGE_LABELS: Record<GraphLegend['edges'], string> = { gate: 'gate strength', weight: '|weight|', message: 'message strength' };
const LAYOUT_LABELS: Record<LayoutKind, string> = { force: 'force layout', ring: 'ring layout', layers: 'layers by depth', plane: 'spatial layout' };

export function ActivityGraph() {
  const client = useLabClient();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const summaryRef = useRef<HTMLParagraphElement>(null);
  const announceRef = useRef<HTMLParagraphElement>(null);
  const summaryId = useId();
  const helpId = useId();
  const [legend, setLegend] = useState<GraphLegend | null>(null);
  const controllerRef = useRef<GraphController | null>(null);

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
      legend: setLegend,
    });
    controllerRef.current = controller;
    return () => {
      controllerRef.current = null;
      controller.dispose();
    };
  }, [client]);

  return (
    <div className="ag-root">
      <canvas
        ref={canvasRef}
        className="ag-canvas"
        role="img"
        aria-label="Activity graph"
        aria-describedby={`${summaryId} ${helpId}`}
        aria-keyshortcuts="+ - 0 ArrowLeft ArrowRight ArrowUp ArrowDown Escape"
        tabIndex={0}
      />
      <p id={summaryId} ref={summaryRef} className="ag-visually-hidden">
        Waiting for the network.
      </p>
      <p id={helpId} className="ag-visually-hidden">
        Plus and minus zoom, arrow keys pan, 0 fits the whole graph. Click a node to pin it in the inspector; Escape unpins.
      </p>
      <p ref={announceRef} className="ag-visually-hidden" aria-live="polite" />
      {legend && legend.offered !== 'force' && (
        <label className="ag-layout-choice">
          Layout
          <select value={legend.layout === 'force' ? 'force' : 'generator'} onChange={(e) => controllerRef.current?.chooseLayout(e.target.value as 'generator' | 'force')}>
            <option value="generator">{LAYOUT_LABELS[legend.offered]} (generator)</option>
            <option value="force">force layout</option>
          </select>
        </label>
      )}
      <div className="ag-legend" aria-hidden="true" data-legend={legend ? legendKeys(legend) : ''}>
        <span className="ag-legend-item">
          activity (log)
          <span className="ag-ramp" style={{ background: ACTIVITY_GRADIENT_CSS }} />
        </span>
        {legend && (
          <span className="ag-legend-item">
            <span className="ag-edge-ramp" style={{ background: EDGE_GRADIENT_CSS }} />
            {EDGE_LABELS[legend.edges]}
          </span>
        )}
        {legend?.threads && (
          <span className="ag-legend-item">
            <span className="ag-dot ag-dot-thread" style={{ background: threadColour(0), color: threadColour(0) }} />
            thread
          </span>
        )}
        {(legend?.inputs || legend?.outputs) && (
          <span className="ag-legend-item">
            {legend.inputs && (
              <>
                <span className="ag-dot ag-dot-ring" style={{ borderColor: INPUT_COLOUR }} />
                in
              </>
            )}
            {legend.outputs && (
              <>
                <span className="ag-dot ag-dot-ring" style={{ borderColor: OUTPUT_COLOUR }} />
                out
              </>
            )}
          </span>
        )}
        {legend?.growth && (
          <span className="ag-legend-item">
            <span className="ag-dot ag-dot-ring" style={{ borderColor: BIRTH_COLOUR }} />
            born
            <span className="ag-dot ag-dot-ring" style={{ borderColor: DEATH_COLOUR }} />
            died
          </span>
        )}
        <span className="ag-legend-hint">
          {legend ? `${LAYOUT_LABELS[legend.layout]} · ` : ''}wheel zoom · drag pan or move a node · click pin · double-click fit
        </span>
      </div>
    </div>
  );
}

/** The legend's items as words, for tests ("weight in out"). */
function legendKeys(l: GraphLegend): string {
  return [l.edges, l.threads && 'thread', l.inputs && 'in', l.outputs && 'out', l.growth && 'growth', `layout-${l.layout}`].filter(Boolean).join(' ');
}
