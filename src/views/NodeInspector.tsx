/**
 * One node, in numbers: the pinned node (a click in the graph pins it) or else
 * the hovered one: id, role, activity, its recent activity as a sparkline,
 * visit share, whether it computed, where the tick shown falls, and what it
 * reads (incoming edge strengths as bars). Hover, pin and the tick on screen
 * come from the graph's module-level store through a subscription throttled
 * to ten renders a second; frames never touch React state.
 */
import { useCallback, useSyncExternalStore, type KeyboardEvent } from 'react';
import type { TopologyUpdate } from '../client/lab-client';
import { descriptorOf } from '../protocol/experiment';
import { activityHistory, type ActivityTrace } from './graph/activity-history';
import { describeNode, type NodeDetails } from './graph/node-details';
import { hoverStore, throttle, type HoverState } from './graph/hover-store';
import { useLabClient } from './lab-context';
import './graph/node-inspector.css';

const RENDER_INTERVAL_MS = 100;
/** Edges listed at most (a grown node can read many sources). */
const MAX_GATES = 12;
/** Ticks the activity trace shows at most. */
const TRACE_TICKS = 120;

const NOTHING_HOVERED: HoverState = { hoveredId: null, pinnedId: null, frame: null, tick: 0 };

const EDGE_HEADINGS = { gate: 'Incoming gates', weight: 'Incoming weights (|w|, of the largest)', message: 'Incoming messages' } as const;

function subscribeHover(listener: () => void): () => void {
  const throttled = throttle(listener, RENDER_INTERVAL_MS);
  const unsubscribe = hoverStore.subscribe(throttled.call);
  return () => {
    throttled.cancel();
    unsubscribe();
  };
}

/** Playback moves on while nothing is hovered or pinned; one constant snapshot then means no re-render. */
function hoverSnapshot(): HoverState {
  const s = hoverStore.getState();
  return s.hoveredId === null && s.pinnedId === null ? NOTHING_HOVERED : s;
}

function useTopology(): TopologyUpdate | null {
  const client = useLabClient();
  const subscribe = useCallback((listener: () => void) => client.onTopology(listener), [client]);
  const snapshot = useCallback(() => client.topology, [client]);
  return useSyncExternalStore(subscribe, snapshot);
}

function fmt(x: number | null, digits: number): string {
  return x === null || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}

export function NodeInspector() {
  const hover = useSyncExternalStore(subscribeHover, hoverSnapshot);
  const topology = useTopology();
  const shownId = hover.pinnedId ?? hover.hoveredId;
  const details = shownId !== null && topology ? describeNode(shownId, topology.graph, hover.frame, hover.tick) : null;
  const edges = topology ? (descriptorOf(topology.experiment.model).graphView?.edges ?? 'gate') : 'gate';
  const pinned = hover.pinnedId !== null && details !== null;
  const onKeyDown = (e: KeyboardEvent<HTMLElement>): void => {
    if (e.key === 'Escape' && hover.pinnedId !== null) {
      hoverStore.setPinned(null);
      e.stopPropagation();
    }
  };
  return (
    <section className="ni-panel" aria-label="Node inspector" onKeyDown={onKeyDown} data-pinned={pinned ? String(hover.pinnedId) : undefined}>
      <h2 className="ni-title">
        Node inspector
        {pinned && (
          <>
            <span className="ni-pin">pinned</span>
            <button type="button" className="ni-unpin" onClick={() => hoverStore.setPinned(null)} aria-label={`Unpin node ${hover.pinnedId}`}>
              Unpin
            </button>
          </>
        )}
      </h2>
      {details ? (
        <Details d={details} trace={activityHistory.trace(details.id, TRACE_TICKS, hover.tick)} heading={EDGE_HEADINGS[edges]} />
      ) : (
        <p className="ni-empty">Hover a node in the graph to inspect it; click it to pin it here.</p>
      )}
    </section>
  );
}

function Details({ d, trace, heading }: { d: NodeDetails; trace: ActivityTrace; heading: string }) {
  const shown = d.gates.slice(0, MAX_GATES);
  return (
    <>
      <dl className="ni-facts">
        <dt>Node</dt>
        <dd>
          #{d.id} <span className={`ni-role ni-role-${d.role}`}>{d.role}</span>
        </dd>
        <dt>Activity</dt>
        <dd>{fmt(d.activity, 3)}</dd>
        <dt>Visit share</dt>
        <dd>{d.visitShare === null ? '–' : `${(d.visitShare * 100).toFixed(1)}%`}</dd>
        <dt>Active now</dt>
        <dd>
          {d.active === null ? '–' : d.active ? 'yes' : 'no'}
          {d.threadsHere > 0 && <span className="ni-thread"> · thread here</span>}
        </dd>
        <dt>Tick</dt>
        <dd className="ni-tick">{d.ticks > 0 ? `${d.tick + 1} of ${d.ticks} · symbol ${d.symbol + 1} of ${d.symbols} · step ${d.step}` : '–'}</dd>
      </dl>
      <h3 className="ni-subtitle">Recent activity</h3>
      <Sparkline id={d.id} trace={trace} />
      <h3 className="ni-subtitle">{heading}</h3>
      {shown.length === 0 ? (
        <p className="ni-empty">No incoming edges.</p>
      ) : (
        <ol className="ni-gates" aria-label={`${heading} of node ${d.id}`}>
          {shown.map((g) => (
            <li key={g.edgeId} className="ni-gate">
              <span className="ni-gate-source">
                #{g.sourceId}
                {g.sourceId === d.id ? ' (self)' : ''} →
              </span>
              <span className="ni-bar" aria-hidden="true">
                <span className="ni-bar-fill" style={{ width: `${Math.round((g.gate ?? 0) * 100)}%` }} />
              </span>
              <span className="ni-gate-value">{fmt(g.gate, 2)}</span>
            </li>
          ))}
        </ol>
      )}
      {d.gates.length > shown.length && <p className="ni-more">+{d.gates.length - shown.length} more</p>}
    </>
  );
}

const SPARK_W = 240;
const SPARK_H = 44;

/** The node's activity over the last ticks: a line around zero, the tick on screen marked. */
function Sparkline({ id, trace }: { id: number; trace: ActivityTrace }) {
  const v = trace.values;
  if (v.length < 2) return <p className="ni-empty">Collecting ticks…</p>;
  let lo = 0;
  let hi = 0;
  for (const x of v) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const span = hi - lo || 1;
  const pad = 3;
  const xOf = (i: number): number => (i / (v.length - 1)) * SPARK_W;
  const yOf = (x: number): number => pad + (1 - (x - lo) / span) * (SPARK_H - 2 * pad);
  let points = '';
  v.forEach((x, i) => {
    points += `${xOf(i).toFixed(1)},${yOf(x).toFixed(1)} `;
  });
  const marked = trace.shown >= 0 ? trace.shown : -1;
  return (
    <figure className="ni-spark">
      <svg
        viewBox={`0 0 ${SPARK_W} ${SPARK_H}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`Activity of node ${id} over the last ${v.length} ticks, from ${lo.toFixed(2)} to ${hi.toFixed(2)}`}
        data-ticks={v.length}
      >
        <line className="ni-spark-zero" x1={0} x2={SPARK_W} y1={yOf(0)} y2={yOf(0)} />
        <polyline className="ni-spark-line" points={points.trim()} />
        {marked >= 0 && <circle className="ni-spark-now" cx={xOf(marked)} cy={yOf(v[marked] as number)} r={2.5} />}
      </svg>
      <figcaption className="ni-spark-caption">
        last {v.length} ticks · {lo.toFixed(2)} to {hi.toFixed(2)}
      </figcaption>
    </figure>
  );
}
