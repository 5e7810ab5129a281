/**
 * The hovered node, in numbers: id, role, activity, visit share, whether it
 * computed, and what it reads (incoming gates as bars). Hover and the tick on
 * screen come from the graph's module-level store through a subscription
 * throttled to ten renders a second; frames never touch React state.
 */
import { useCallback, useSyncExternalStore } from 'react';
import type { TopologyUpdate } from '../client/lab-client';
import { describeNode, type NodeDetails } from './graph/node-details';
import { hoverStore, throttle, type HoverState } from './graph/hover-store';
import { useLabClient } from './lab-context';
import './graph/node-inspector.css';

const RENDER_INTERVAL_MS = 100;
/** Gates listed at most (a grown node can read many sources). */
const MAX_GATES = 12;

const NOTHING_HOVERED: HoverState = { hoveredId: null, frame: null, tick: 0 };

function subscribeHover(listener: () => void): () => void {
  const throttled = throttle(listener, RENDER_INTERVAL_MS);
  const unsubscribe = hoverStore.subscribe(throttled.call);
  return () => {
    throttled.cancel();
    unsubscribe();
  };
}

/** Playback moves on while nothing is hovered; one constant snapshot then means no re-render. */
function hoverSnapshot(): HoverState {
  const s = hoverStore.getState();
  return s.hoveredId === null ? NOTHING_HOVERED : s;
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
  const details = hover.hoveredId !== null && topology ? describeNode(hover.hoveredId, topology.graph, hover.frame, hover.tick) : null;
  return (
    <section className="ni-panel" aria-label="Node inspector">
      <h2 className="ni-title">Node inspector</h2>
      {details ? <Details d={details} /> : <p className="ni-empty">Hover a node in the graph to inspect it.</p>}
    </section>
  );
}

function Details({ d }: { d: NodeDetails }) {
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
        <dd>{d.ticks > 0 ? `${d.tick + 1} of ${d.ticks} · step ${d.step}` : '–'}</dd>
      </dl>
      <h3 className="ni-subtitle">Incoming gates</h3>
      {shown.length === 0 ? (
        <p className="ni-empty">No incoming edges.</p>
      ) : (
        <ol className="ni-gates" aria-label={`Incoming gates of node ${d.id}`}>
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
