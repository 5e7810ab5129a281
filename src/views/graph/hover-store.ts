/**
 * What the activity graph shares with the node inspector: the hovered node,
 * the pinned node (clicked; the inspector shows it until unpinned) and the
 * frame tick on screen. A tiny subscribe/notify store at module level, so
 * pointer moves and playback never go through React state; the inspector reads
 * it through a throttled subscription.
 */
import type { FrameMessage } from '../../protocol/messages';

export interface HoverState {
  /** Id of the node under the pointer, or null. */
  readonly hoveredId: number | null;
  /** Id of the node pinned by a click, or null; the inspector shows it instead of the hovered one. */
  readonly pinnedId: number | null;
  /** Frame whose tick the graph is showing, or null before the first frame. */
  readonly frame: FrameMessage | null;
  /** Index of the tick on screen within `frame`. */
  readonly tick: number;
}

export interface HoverStore {
  getState(): HoverState;
  setHovered(id: number | null): void;
  setPinned(id: number | null): void;
  setShownTick(frame: FrameMessage | null, tick: number): void;
  /** Calls `listener` after every change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

export function createHoverStore(): HoverStore {
  let state: HoverState = { hoveredId: null, pinnedId: null, frame: null, tick: 0 };
  const listeners = new Set<() => void>();
  const set = (next: HoverState): void => {
    state = next;
    for (const l of listeners) l();
  };
  return {
    getState: () => state,
    setHovered(id) {
      if (id !== state.hoveredId) set({ ...state, hoveredId: id });
    },
    setPinned(id) {
      if (id !== state.pinnedId) set({ ...state, pinnedId: id });
    },
    setShownTick(frame, tick) {
      if (frame !== state.frame || tick !== state.tick) set({ ...state, frame, tick });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The store the lab's one activity graph and its inspector share. */
export const hoverStore = createHoverStore();

/**
 * Wraps `listener` so it runs at most once per `intervalMs` (leading and
 * trailing: the first change shows at once, the last one is never lost).
 * Returns the throttled listener and a cancel for pending calls.
 */
export function throttle(
  listener: () => void,
  intervalMs: number,
  now: () => number = () => performance.now(),
): { readonly call: () => void; readonly cancel: () => void } {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const fire = (): void => {
    timer = null;
    last = now();
    listener();
  };
  return {
    call() {
      if (timer !== null) return;
      const wait = last + intervalMs - now();
      if (wait <= 0) fire();
      else timer = setTimeout(fire, wait);
    },
    cancel() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
