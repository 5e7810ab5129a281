import { useLab } from './lab-context';

function fmt(x: number | null, digits: number): string {
  return x === null || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}

/** One line of slow facts: backend and why, step, loss, accuracy, what is loading, speed, graph size. */
export function StatusBar() {
  const backend = useLab((s) => s.backend);
  const reason = useLab((s) => s.backendReason);
  const step = useLab((s) => s.step);
  const loss = useLab((s) => s.loss);
  const accuracy = useLab((s) => s.accuracy);
  const sps = useLab((s) => s.stepsPerSecond);
  const nodes = useLab((s) => s.nodeCount);
  const edges = useLab((s) => s.edgeCount);
  const playing = useLab((s) => s.playing);
  const loading = useLab((s) => s.loading);
  return (
    <footer className="status-bar" aria-label="Status">
      <span title={reason} data-testid="backend">
        Backend: {backend ?? 'starting…'}
      </span>
      <span data-testid="step">Step {step}</span>
      <span>loss {fmt(loss, 3)}</span>
      <span>accuracy {accuracy === null ? '–' : `${(accuracy * 100).toFixed(1)}%`}</span>
      {loading !== null && (
        <span data-testid="loading" role="status">
          {loading}…
        </span>
      )}
      <span>{loading !== null && playing ? 'starts when ready' : playing ? `${sps.toFixed(1)} steps/s` : 'paused'}</span>
      <span>
        {nodes} nodes · {edges} edges
      </span>
      {reason && <span className="status-reason">{reason}</span>}
    </footer>
  );
}
