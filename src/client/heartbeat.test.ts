/** The heartbeat on a fake clock: a silent worker is noticed once past the deadline; an answering one, a slow one or a sleeping page never. */
import { describe, expect, it } from 'vitest';
import { HEARTBEAT_MS } from '../protocol/messages';
import { Heartbeat, type HeartbeatClock } from './heartbeat';

function fakeClock(): HeartbeatClock & { advance(ms: number, tickEvery?: number): void } {
  let now = 0;
  let tick: (() => void) | null = null;
  let every = 0;
  let next = 0;
  return {
    now: () => now,
    every: (ms, t) => {
      tick = t;
      every = ms;
      next = now + ms;
      return () => (tick = null);
    },
    // Runs the timer as a page would; `tickEvery` stretches it (a throttled tab).
    advance(ms, tickEvery = every) {
      const end = now + ms;
      while (tick && next <= end) {
        now = next;
        tick();
        next = now + tickEvery;
      }
      now = end;
    },
  };
}

function harness(deadline = 10_000) {
  const clock = fakeClock();
  const pings: number[] = [];
  const silences: number[] = [];
  const hb = new Heartbeat((id) => pings.push(id), (ms) => silences.push(ms), () => deadline, clock);
  hb.start();
  return { clock, pings, silences, hb };
}

describe('heartbeat', () => {
  it('notices a worker that never answers, once, just past the deadline', () => {
    const h = harness();
    h.clock.advance(10_000);
    expect(h.silences).toEqual([]);
    h.clock.advance(HEARTBEAT_MS);
    expect(h.silences).toEqual([10_000]);
    expect(h.pings.length).toBe(1); // one ping outstanding, not a ping per tick
  });

  it('never fires while the worker answers, however long it runs', () => {
    const h = harness();
    for (let i = 0; i < 600; i++) {
      h.clock.advance(HEARTBEAT_MS);
      h.hb.heard();
    }
    expect(h.silences).toEqual([]);
    expect(h.pings.length).toBe(600);
  });

  it('waits for a step slower than the heartbeat as long as the deadline allows', () => {
    const h = harness();
    h.clock.advance(9_000);
    h.hb.heard(); // the step ended, the worker answered
    h.clock.advance(9_000);
    h.hb.heard();
    expect(h.silences).toEqual([]);
  });

  it('does not judge while its own timers stall (a hidden, throttled or frozen tab): it asks again', () => {
    const h = harness();
    h.clock.advance(HEARTBEAT_MS);
    // Timers once a minute for ten minutes, and the worker's answers are not seen in between.
    h.clock.advance(600_000, 60_000);
    expect(h.silences).toEqual([]);
  });

  it('stops when told, and a reset forgets the outstanding ping', () => {
    const h = harness();
    h.clock.advance(5_000);
    h.hb.reset();
    h.clock.advance(9_000);
    expect(h.silences).toEqual([]);
    h.hb.stop();
    h.clock.advance(60_000);
    expect(h.silences).toEqual([]);
  });
});
