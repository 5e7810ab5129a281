import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CanvasLoop, sizeBackingStore, type CanvasLoopHooks, type CanvasSize } from './canvas-loop';

/** requestAnimationFrame by hand: frames run only when the test says so. */
class FakeFrames {
  readonly pending = new Map<number, FrameRequestCallback>();
  readonly cancelled: number[] = [];
  requests = 0;
  private next = 1;

  request = (cb: FrameRequestCallback): number => {
    const id = this.next++;
    this.requests++;
    this.pending.set(id, cb);
    return id;
  };

  cancel = (id: number): void => {
    this.cancelled.push(id);
    this.pending.delete(id);
  };

  /** Runs the frames pending now (not those they request); returns how many ran. */
  run(): number {
    const due = [...this.pending];
    this.pending.clear();
    for (const [, cb] of due) cb(0);
    return due.length;
  }
}

/** The ResizeObserver instances the loop made. */
const observers: FakeResizeObserver[] = [];

class FakeResizeObserver {
  readonly targets: Element[] = [];
  connected = true;
  constructor(readonly callback: ResizeObserverCallback) {
    observers.push(this);
  }
  observe(el: Element): void {
    this.targets.push(el);
  }
  unobserve(): void {}
  disconnect(): void {
    this.connected = false;
  }
  /** What the browser does when the observed box changes. */
  fire(): void {
    if (this.connected) this.callback([], this);
  }
}

/** A canvas that counts backing-store assignments (each one clears a real canvas). */
function fakeCanvas(clientWidth: number, clientHeight: number, parent?: { clientWidth: number; clientHeight: number }) {
  let width = 300;
  let height = 150;
  const c = {
    clientWidth,
    clientHeight,
    parentElement: parent ?? null,
    assignments: 0,
    get width() {
      return width;
    },
    set width(v: number) {
      width = v;
      c.assignments++;
    },
    get height() {
      return height;
    },
    set height(v: number) {
      height = v;
      c.assignments++;
    },
  };
  return c;
}

type FakeCanvas = ReturnType<typeof fakeCanvas>;

const asCanvas = (c: FakeCanvas): HTMLCanvasElement => c as unknown as HTMLCanvasElement;

/** Hooks that record calls; `more` is what paint answers. */
function recorder(more: () => boolean = () => false) {
  const calls: string[] = [];
  const sizes: CanvasSize[] = [];
  const hooks = {
    prepare: vi.fn(() => void calls.push('prepare')),
    paint: vi.fn((_now: number) => {
      calls.push('paint');
      return more();
    }),
    resize: vi.fn((s: CanvasSize) => {
      calls.push('resize');
      sizes.push(s);
    }),
  } satisfies CanvasLoopHooks;
  return { calls, sizes, hooks };
}

let frames: FakeFrames;

beforeEach(() => {
  frames = new FakeFrames();
  observers.length = 0;
  vi.stubGlobal('requestAnimationFrame', frames.request);
  vi.stubGlobal('cancelAnimationFrame', frames.cancel);
  vi.stubGlobal('ResizeObserver', FakeResizeObserver);
  vi.stubGlobal('window', { devicePixelRatio: 2 });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('CanvasLoop frames', () => {
  it('paints once for the initial size, then idles with no frame requested', () => {
    const { hooks } = recorder();
    new CanvasLoop(asCanvas(fakeCanvas(100, 50)), hooks);
    expect(frames.pending.size).toBe(1);
    frames.run();
    expect(hooks.paint).toHaveBeenCalledTimes(1);
    expect(frames.pending.size).toBe(0);
    expect(frames.run()).toBe(0);
    expect(hooks.paint).toHaveBeenCalledTimes(1);
  });

  it('coalesces many markDirty calls into one frame and one paint', () => {
    const { hooks } = recorder();
    const loop = new CanvasLoop(asCanvas(fakeCanvas(100, 50)), hooks);
    frames.run();
    const before = frames.requests;
    loop.markDirty();
    loop.markDirty();
    loop.markDirty();
    expect(frames.requests - before).toBe(1);
    frames.run();
    expect(hooks.paint).toHaveBeenCalledTimes(2);
  });

  it('schedule() runs prepare but does not paint when nothing is dirty', () => {
    const { hooks } = recorder();
    const loop = new CanvasLoop(asCanvas(fakeCanvas(100, 50)), hooks);
    frames.run();
    loop.schedule();
    expect(frames.run()).toBe(1);
    expect(hooks.prepare).toHaveBeenCalledTimes(2);
    expect(hooks.paint).toHaveBeenCalledTimes(1);
    expect(frames.pending.size).toBe(0);
  });

  it('keeps running while paint says more, and stops the frame it says stop', () => {
    let left = 3;
    const { hooks } = recorder(() => --left > 0);
    new CanvasLoop(asCanvas(fakeCanvas(100, 50)), hooks);
    for (let i = 0; i < 10; i++) frames.run();
    expect(hooks.paint).toHaveBeenCalledTimes(3);
    expect(frames.pending.size).toBe(0);
  });

  it('a repaint asked for during a paint gets its own frame', () => {
    let loop: CanvasLoop | null = null;
    let asked = false;
    const { hooks } = recorder(() => {
      if (!asked) {
        asked = true;
        loop?.markDirty();
      }
      return false;
    });
    loop = new CanvasLoop(asCanvas(fakeCanvas(100, 50)), hooks);
    frames.run();
    expect(hooks.paint).toHaveBeenCalledTimes(1);
    expect(frames.pending.size).toBe(1);
    frames.run();
    expect(hooks.paint).toHaveBeenCalledTimes(2);
    expect(frames.pending.size).toBe(0);
  });

  it('markDirty in prepare paints in the same pass without an extra frame', () => {
    let loop: CanvasLoop | null = null;
    let hit = false;
    const { hooks, calls } = recorder();
    hooks.prepare.mockImplementation(() => {
      calls.push('prepare');
      if (hit) loop?.markDirty();
    });
    loop = new CanvasLoop(asCanvas(fakeCanvas(100, 50)), hooks);
    frames.run();
    hit = true;
    calls.length = 0;
    loop.schedule();
    frames.run();
    expect(calls).toEqual(['prepare', 'paint']);
    expect(frames.pending.size).toBe(0);
  });

  it('passes performance.now() to paint', () => {
    const { hooks } = recorder();
    new CanvasLoop(asCanvas(fakeCanvas(100, 50)), hooks);
    const before = performance.now();
    frames.run();
    const now = hooks.paint.mock.calls[0]?.[0] ?? -1;
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(performance.now());
  });
});

describe('CanvasLoop resize', () => {
  it('fits the canvas backing store to its CSS box at the device pixel ratio', () => {
    const canvas = fakeCanvas(100, 50);
    const { hooks, sizes } = recorder();
    new CanvasLoop(asCanvas(canvas), hooks);
    expect(observers[0]?.targets).toEqual([canvas]);
    expect(sizes).toEqual([{ width: 100, height: 50, dpr: 2 }]);
    expect([canvas.width, canvas.height]).toEqual([200, 100]);
    // Same size again: assigning would clear the canvas, so it is left alone.
    const assigned = canvas.assignments;
    observers[0]?.fire();
    expect(canvas.assignments).toBe(assigned);
    expect(sizes).toHaveLength(2);
  });

  it('a resize repaints', () => {
    const canvas = fakeCanvas(100, 50);
    const { hooks, calls } = recorder();
    new CanvasLoop(asCanvas(canvas), hooks);
    frames.run();
    calls.length = 0;
    canvas.clientWidth = 80;
    observers[0]?.fire();
    expect(canvas.width).toBe(160);
    frames.run();
    expect(calls).toEqual(['resize', 'prepare', 'paint']);
  });

  it("'parent' observes and measures the parent and leaves the backing store to the painter", () => {
    const parent = { clientWidth: 640, clientHeight: 480 };
    const canvas = fakeCanvas(10, 10, parent);
    const { hooks, sizes } = recorder();
    new CanvasLoop(asCanvas(canvas), hooks, 'parent');
    expect(observers[0]?.targets).toEqual([parent]);
    expect(sizes).toEqual([{ width: 640, height: 480, dpr: 2 }]);
    expect(canvas.assignments).toBe(0);
  });

  it('falls back to a device pixel ratio of 1', () => {
    vi.stubGlobal('window', { devicePixelRatio: 0 });
    const { hooks, sizes } = recorder();
    new CanvasLoop(asCanvas(fakeCanvas(100, 50)), hooks);
    expect(sizes[0]?.dpr).toBe(1);
  });
});

describe('CanvasLoop dispose', () => {
  it('cancels the pending frame, disconnects the observer and releases once', () => {
    const { hooks } = recorder(() => true);
    const loop = new CanvasLoop(asCanvas(fakeCanvas(100, 50)), hooks);
    const release = vi.fn();
    loop.own(release);
    frames.run();
    const pendingId = [...frames.pending.keys()][0];
    expect(pendingId).toBeDefined();
    loop.dispose();
    expect(frames.cancelled).toEqual([pendingId]);
    expect(frames.pending.size).toBe(0);
    expect(observers[0]?.connected).toBe(false);
    expect(release).toHaveBeenCalledTimes(1);
    loop.dispose();
    expect(release).toHaveBeenCalledTimes(1);
  });

  it('asks for no frame after dispose', () => {
    const { hooks } = recorder();
    const loop = new CanvasLoop(asCanvas(fakeCanvas(100, 50)), hooks);
    loop.dispose();
    const before = frames.requests;
    loop.markDirty();
    loop.schedule();
    expect(frames.requests).toBe(before);
    expect(frames.run()).toBe(0);
    expect(hooks.paint).not.toHaveBeenCalled();
  });

  it('a dispose during paint stops the loop even when paint says more', () => {
    let loop: CanvasLoop | null = null;
    const { hooks } = recorder(() => {
      loop?.dispose();
      return true;
    });
    loop = new CanvasLoop(asCanvas(fakeCanvas(100, 50)), hooks);
    frames.run();
    expect(frames.pending.size).toBe(0);
  });
});

describe('sizeBackingStore', () => {
  it('rounds to device pixels, at least one, and assigns only on change', () => {
    const canvas = fakeCanvas(0, 0);
    sizeBackingStore(asCanvas(canvas), 10.3, 0, 1.5);
    expect([canvas.width, canvas.height]).toEqual([15, 1]);
    const assigned = canvas.assignments;
    sizeBackingStore(asCanvas(canvas), 10.3, 0, 1.5);
    expect(canvas.assignments).toBe(assigned);
  });
});
