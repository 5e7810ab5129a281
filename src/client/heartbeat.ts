/**
 * Notices a training worker that stopped without an error event (closed
 * itself, killed by the browser, wedged): the page pings it every
 * HEARTBEAT_MS, any message from it counts as an answer, and a ping left
 * unanswered past the deadline means it is gone. Frames are not the signal:
 * a hidden tab stops acking them and slow motion spaces them on purpose. A
 * page whose own timers stalled (a throttled or frozen tab) cannot tell a
 * silent worker from its own sleep, so it asks again instead of judging.
 */
import { HEARTBEAT_MS } from '../protocol/messages';

/** The timers the heartbeat runs on (tests pass a fake one). */
export interface HeartbeatClock {
  now(): number;
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}

export const browserClock: HeartbeatClock = {
  now: () => performance.now(),
  every: (ms, tick) => {
    const id = setInterval(tick, ms);
    return () => clearInterval(id);
  },
};

export class Heartbeat {
  /** When the unanswered ping was sent, or null when the worker has answered. */
  private pingSentAt: number | null = null;
  private lastTickAt = -Infinity;
  private nextId = 1;
  private stopTimer: (() => void) | null = null;

  constructor(
    private readonly ping: (id: number) => void,
    /** The worker has been silent `silentMs` past the deadline; called once per silence. */
    private readonly onSilent: (silentMs: number) => void,
    /** The deadline now, in ms (it widens while a step or a build is slow). */
    private readonly deadlineMs: () => number,
    private readonly clock: HeartbeatClock = browserClock,
  ) {}

  start(): void {
    this.stop();
    this.reset();
    this.stopTimer = this.clock.every(HEARTBEAT_MS, () => this.tick());
  }

  stop(): void {
    this.stopTimer?.();
    this.stopTimer = null;
  }

  /** Something came from the worker: it is alive. */
  heard(): void {
    this.pingSentAt = null;
  }

  /** A new worker: nothing is outstanding. */
  reset(): void {
    this.pingSentAt = null;
    this.lastTickAt = -Infinity;
  }

  private sendPing(now: number): void {
    this.pingSentAt = now;
    this.ping(this.nextId++);
  }

  private tick(): void {
    const now = this.clock.now();
    const gap = now - this.lastTickAt;
    this.lastTickAt = now;
    const deadline = this.deadlineMs();
    if (this.pingSentAt === null || gap > deadline / 2) {
      this.sendPing(now);
      return;
    }
    const silent = now - this.pingSentAt;
    if (silent >= deadline) {
      this.pingSentAt = null;
      this.onSilent(silent);
    }
  }
}
