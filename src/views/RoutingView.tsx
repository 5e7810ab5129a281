/**
 * The routing-modules view: the stack as a chain of boxes, each routed
 * layer with its execute probability; the decision boundary (2-D data) or
 * the probe digits (MNIST) beside it, where hovering a sample shows its own
 * route. React renders the boxes (their number is a parameter); a
 * RoutingController (outside React) fills them from frames.
 */
import { useEffect, useId, useRef } from 'react';
import { datasetInfo } from '../protocol/experiment';
import { classRgb } from './routing/boundary';
import { RoutingController } from './routing/routing-controller';
import { useLab, useLabClient } from './lab-context';
import './model-views.css';

const rgb = (c: readonly [number, number, number]): string => `rgb(${c[0]}, ${c[1]}, ${c[2]})`;

export function RoutingView() {
  const client = useLabClient();
  const layers = useLab((s) => (s.experiment.model === 'routing' ? s.experiment.params.layers : 0));
  const task = useLab((s) => (s.experiment.model === 'routing' ? s.experiment.task : null));
  // An own CSV's sizes come from the file installed on the page (datasetInfo).
  const info = task ? datasetInfo(task) : null;
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chainRef = useRef<HTMLOListElement>(null);
  const sourceRef = useRef<HTMLParagraphElement>(null);
  const hardRef = useRef<HTMLElement>(null);
  const softRef = useRef<HTMLElement>(null);
  const skippedRef = useRef<HTMLElement>(null);
  const summaryRef = useRef<HTMLParagraphElement>(null);
  const controllerRef = useRef<RoutingController | null>(null);
  const summaryId = useId();
  const sourceId = useId();
  const isImage = info?.imageSide !== undefined;

  useEffect(() => {
    const canvas = canvasRef.current;
    const chain = chainRef.current;
    const source = sourceRef.current;
    const hardAccuracy = hardRef.current;
    const softAccuracy = softRef.current;
    const skipped = skippedRef.current;
    const summary = summaryRef.current;
    if (!canvas || !chain || !source || !hardAccuracy || !softAccuracy || !skipped || !summary) return;
    const controller = new RoutingController({ canvas, chain, source, hardAccuracy, softAccuracy, skipped, summary }, client);
    controllerRef.current = controller;
    return () => {
      controllerRef.current = null;
      controller.dispose();
    };
  }, [client]);

  // A new number of layers re-renders the boxes; the controller re-reads them.
  useEffect(() => {
    controllerRef.current?.refreshChain();
  }, [layers]);

  const inputText = info ? (info.imageSide ? `${info.imageSide}×${info.imageSide} pixels` : `${info.inputSize} features`) : '';
  const outputText = info ? `${info.classes} classes` : '';

  return (
    <div className="mv-root rv-root">
      <div className="rv-stack">
        <p ref={sourceRef} id={sourceId} className="rv-source">
          Current train batch (mean execute probability)
        </p>
        <ol ref={chainRef} className="rv-chain" aria-label="Routing stack" aria-describedby={sourceId}>
          <li className="rv-box rv-io">
            <span className="rv-name">Input</span>
            <span className="mv-visually-hidden">: </span>
            <span className="rv-value">{inputText}</span>
          </li>
          {Array.from({ length: layers }, (_, l) => (
            <li key={l} className="rv-box rv-layer" data-layer={l}>
              <span className="rv-name">Layer {l + 1}</span>
              <span className="mv-visually-hidden">: </span>
              <span className="rv-value" data-role="value">
                execute –
              </span>
              <span className="rv-bar" aria-hidden="true">
                <span className="rv-fill" data-role="fill" />
              </span>
            </li>
          ))}
          <li className="rv-box rv-io">
            <span className="rv-name">Output</span>
            <span className="mv-visually-hidden">: </span>
            <span className="rv-value">{outputText}</span>
          </li>
        </ol>
        <dl className="mv-stats" aria-label="Hard routing on the test split">
          <div>
            <dt>Hard-routing test accuracy</dt>
            <dd ref={hardRef}>–</dd>
          </div>
          <div>
            <dt>Soft accuracy</dt>
            <dd ref={softRef}>–</dd>
          </div>
          <div>
            <dt>Layer executions skipped</dt>
            <dd ref={skippedRef}>–</dd>
          </div>
        </dl>
      </div>
      <section className="rv-samples" aria-label={isImage ? 'Probe digits' : 'Decision boundary'}>
        <h2 className="mv-heading">{isImage ? 'Probe digits · bar: layers executed' : 'Decision boundary (hard routing)'}</h2>
        <div className="rv-canvas-host">
          <canvas
            ref={canvasRef}
            className="rv-canvas"
            role="img"
            aria-label={isImage ? 'Probe digits' : 'Decision boundary'}
            aria-describedby={summaryId}
            aria-keyshortcuts="ArrowLeft ArrowRight ArrowUp ArrowDown Escape"
            tabIndex={0}
          />
        </div>
        <p id={summaryId} ref={summaryRef} className="mv-visually-hidden">
          Waiting for the routing stack.
        </p>
        {!isImage && (
          <div className="mv-legend mv-legend-static" aria-hidden="true">
            {Array.from({ length: Math.min(12, Math.max(2, info?.classes ?? 2)) }, (_, c) => (
              <span key={c} className="mv-legend-item">
                <span className="mv-swatch" style={{ background: rgb(classRgb(c)) }} />
                class {c}
              </span>
            ))}
          </div>
        )}
        <p className="rv-hint">Hover a {isImage ? 'digit' : 'dot'} (or focus and use the arrow keys) to see its own route.</p>
      </section>
    </div>
  );
}
