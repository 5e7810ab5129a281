/**
 * The routing trade-off: one point per λs and router kind, compute saved
 * (share of layer executions skipped under hard routing) against test
 * accuracy lost versus the no-routing baseline, one curve per router kind
 * with a legend. Rows arrive rarely (one per trained stack), so this is
 * plain React rendering an SVG, with the numbers again as a table (one line
 * per λs, columns per router kind).
 */
import { useId } from 'react';
import { curveRows, lambdaLabel, niceTicks, scaleLinear, sweepDomain, sweepRouters, sweepTable, tickDecimals, type SweepRow } from './routing/sweep-scale';
import './model-views.css';

export interface RoutingSweepChartProps {
  /** One row per trained stack; a row with λs NaN is the no-routing baseline. */
  readonly rows: readonly SweepRow[];
  /** A sweep is under way (the button is disabled). */
  readonly running: boolean;
  /** Starts a sweep. */
  onRun(): void;
  /** e.g. "3 of 6 stacks trained". */
  readonly progress?: string;
}

const W = 320;
const H = 200;
const M = { left: 44, right: 14, top: 12, bottom: 34 };

/** Curve colours per router kind, in order (the first is the stylesheet's sky blue). */
const KIND_COLOURS = ['#38bdf8', '#f472b6', '#a3e635'];

const pct = (x: number, digits = 1): string => (Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : '–');
/** Accuracy lost in percentage points, signed ("−0.4 pp" means routing did better). */
const pp = (x: number): string => (Number.isFinite(x) ? `${x < 0 ? '−' : ''}${Math.abs(x * 100).toFixed(1)} pp` : '–');

export function RoutingSweepChart({ rows, running, onRun, progress }: RoutingSweepChartProps) {
  const titleId = useId();
  const domain = sweepDomain(rows);
  const xr: [number, number] = [M.left, W - M.right];
  const yr: [number, number] = [H - M.bottom, M.top];
  const sx = (v: number): number => scaleLinear(v, domain.x, xr);
  const sy = (v: number): number => scaleLinear(v, domain.y, yr);
  const xTicks = niceTicks(0, 1, 5);
  const yTicks = niceTicks(domain.y[0], domain.y[1], 4);
  const yDecimals = tickDecimals(yTicks, 100);
  const routers = sweepRouters(rows);
  const colour = (router: string | null | undefined): string => KIND_COLOURS[Math.max(0, routers.indexOf(router ?? '')) % KIND_COLOURS.length] as string;
  const paths = routers.map((router) => ({
    router,
    d: curveRows(rows, router)
      .map((r, i) => `${i === 0 ? 'M' : 'L'}${sx(r.skippedFraction).toFixed(1)},${sy(r.accuracyLost).toFixed(1)}`)
      .join(''),
  }));
  const table = sweepTable(rows, routers);

  return (
    <section className="panel sw-root" aria-labelledby={titleId}>
      <div className="sw-head">
        <h2 id={titleId}>Compute saved vs accuracy lost</h2>
        <button type="button" onClick={onRun} disabled={running} aria-busy={running}>
          Sweep λs
        </button>
      </div>
      <p className="sw-progress" role="status">
        {progress ?? (running ? 'Sweeping…' : rows.length === 0 ? 'Trains one stack per λs (and a baseline without routing) for the same number of steps.' : '')}
      </p>
      <svg className="sw-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Compute saved against accuracy lost, one point per λs and router kind, one curve per router kind; the numbers are in the table below">
        <g className="sw-grid" aria-hidden="true">
          {xTicks.map((t) => (
            <g key={`x${t}`}>
              <line x1={sx(t)} x2={sx(t)} y1={yr[0]} y2={yr[1]} />
              <text x={sx(t)} y={yr[0] + 14} textAnchor="middle">
                {pct(t, 0)}
              </text>
            </g>
          ))}
          {yTicks.map((t) => (
            <g key={`y${t}`}>
              <line x1={xr[0]} x2={xr[1]} y1={sy(t)} y2={sy(t)} className={t === 0 ? 'sw-zero' : undefined} />
              <text x={xr[0] - 6} y={sy(t) + 3} textAnchor="end">
                {(t * 100).toFixed(yDecimals)}
              </text>
            </g>
          ))}
          <text x={(xr[0] + xr[1]) / 2} y={H - 4} textAnchor="middle" className="sw-axis">
            compute saved (layer executions skipped)
          </text>
          <text x={10} y={(yr[0] + yr[1]) / 2} textAnchor="middle" className="sw-axis" transform={`rotate(-90 10 ${(yr[0] + yr[1]) / 2})`}>
            accuracy lost (pp)
          </text>
        </g>
        {paths.map((p) => p.d && <path key={p.router} className="sw-line" d={p.d} style={{ stroke: colour(p.router) }} aria-hidden="true" data-router={p.router} />)}
        {rows.map((r, i) =>
          Number.isFinite(r.skippedFraction) && Number.isFinite(r.accuracyLost) ? (
            <g key={i} aria-hidden="true" className={Number.isFinite(r.lambdaS) ? 'sw-point' : 'sw-point sw-baseline'}>
              <circle cx={sx(r.skippedFraction)} cy={sy(r.accuracyLost)} r={4} style={Number.isFinite(r.lambdaS) ? { fill: colour(r.router) } : undefined} />
              {/* The baseline sits at the origin, where the smallest λs crowds it: its label goes below. */}
              <text x={sx(r.skippedFraction) + 6} y={sy(r.accuracyLost) + (Number.isFinite(r.lambdaS) ? -6 : 13)}>
                {lambdaLabel(r.lambdaS)}
              </text>
            </g>
          ) : null,
        )}
        {routers.length > 0 && (
          <g className="sw-legend" aria-hidden="true">
            {routers.map((router, k) => (
              <g key={router} transform={`translate(${xr[1] - 110}, ${M.top + 8 + 14 * k})`}>
                <line x1={0} x2={14} y1={0} y2={0} style={{ stroke: colour(router), strokeWidth: 2 }} />
                <text x={18} y={3} style={{ fill: '#e5e7eb', fontSize: 10 }}>
                  {router}
                </text>
              </g>
            ))}
          </g>
        )}
      </svg>
      {routers.length > 0 && (
        <p className="sw-progress" data-testid="sweep-legend">
          Curves: {routers.map((r) => `${r} router`).join(', ')}.
        </p>
      )}
      <table className="sw-table">
        <caption className="mv-visually-hidden">λs sweep: compute saved and accuracy lost per λs and router kind</caption>
        <thead>
          <tr>
            <th scope="col">λs</th>
            {(routers.length > 0 ? routers : ['']).map((router) => (
              <th key={router} scope="col">
                {router ? `${router}: ` : ''}skipped / hard accuracy / lost
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.length === 0 ? (
            <tr>
              <td colSpan={1 + Math.max(1, routers.length)}>No sweep yet.</td>
            </tr>
          ) : (
            table.map((line, i) => (
              <tr key={i}>
                <th scope="row">{line.baseline ? 'baseline (no routing)' : lambdaLabel(line.lambdaS).replace('λs ', '')}</th>
                {line.baseline ? (
                  <td colSpan={Math.max(1, routers.length)}>{`${pct(line.baseline.skippedFraction)} / ${pct(line.baseline.hardAccuracy)} / ${pp(line.baseline.accuracyLost)}`}</td>
                ) : (
                  line.byRouter.map((r, k) => <td key={k}>{r ? `${pct(r.skippedFraction)} / ${pct(r.hardAccuracy)} / ${pp(r.accuracyLost)}` : '…'}</td>)
                )}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </section>
  );
}
