import { describe, expect, it } from 'vitest';
import type { LaraExperiment } from '../engine/lara/lara-params';
import { DEFAULT_EXPERIMENT, defaultExperiment, type BackendChoice, type Experiment } from '../protocol/experiment';
import { createLabStore } from '../store/lab-store';
import type { Speed } from '../protocol/messages';
import { formatHash } from '../store/url-state';
import { followAddressBar, type AddressBarWindow } from './address-bar';

/** A window with a history stack that fires popstate on back() and hashchange when the hash is typed. */
class FakeWindow implements AddressBarWindow {
  entries: string[];
  index = 0;
  private readonly listeners = new Map<string, Set<() => void>>();
  constructor(hash: string) {
    this.entries = [hash];
  }
  get location() {
    return { hash: this.entries[this.index] as string };
  }
  readonly history = {
    pushState: (_d: unknown, _u: string, url: string) => {
      this.entries = [...this.entries.slice(0, this.index + 1), url];
      this.index += 1;
    },
    replaceState: (_d: unknown, _u: string, url: string) => {
      this.entries[this.index] = url;
    },
  };
  addEventListener(type: string, l: () => void) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)?.add(l);
  }
  removeEventListener(type: string, l: () => void) {
    this.listeners.get(type)?.delete(l);
  }
  private fire(type: string) {
    for (const l of this.listeners.get(type) ?? []) l();
  }
  /** The person edits the hash: a new entry, then hashchange (as browsers do). */
  type(hash: string) {
    this.history.pushState(null, '', hash);
    this.fire('popstate');
    this.fire('hashchange');
  }
  back() {
    this.index -= 1;
    this.fire('popstate');
    this.fire('hashchange');
  }
}

function setup(hash = formatHash(DEFAULT_EXPERIMENT, 'auto')) {
  const win = new FakeWindow(hash);
  const store = createLabStore();
  const applied: Experiment[] = [];
  const sink = {
    setExperiment: (e: Experiment) => {
      applied.push(e);
      store.getState().setExperiment(e);
    },
    setBackend: (b: BackendChoice) => store.getState().setBackendChoice(b),
    setSpeed: (speed: Speed) => store.getState().setRun({ speed }),
  };
  const ignored: string[] = [];
  const stop = followAddressBar(win, store, sink, (p) => ignored.push(...p));
  return { win, store, sink, applied, ignored, stop };
}

const LARA = DEFAULT_EXPERIMENT as LaraExperiment;

describe('the address bar follows the experiment and the experiment follows the address bar', () => {
  it('a structural change is one new history entry; a live change replaces the current one', () => {
    const { win, sink } = setup();
    sink.setExperiment({ ...LARA, params: { ...LARA.params, nodes: 40 } });
    expect(win.entries).toHaveLength(2);
    expect(win.location.hash).toContain('nodes=40');
    sink.setExperiment({ ...LARA, params: { ...LARA.params, nodes: 40, learningRate: 0.003 } });
    expect(win.entries).toHaveLength(2);
    expect(win.location.hash).toContain('lr=0.003');
  });

  it('Back puts the previous experiment back, without adding an entry', () => {
    const { win, store, sink } = setup();
    sink.setExperiment(defaultExperiment('loopy'));
    expect(store.getState().experiment.model).toBe('loopy');
    win.back();
    expect(store.getState().experiment).toEqual(DEFAULT_EXPERIMENT);
    expect(win.entries).toHaveLength(2);
    expect(win.index).toBe(0);
  });

  it('an edited hash is applied and rewritten to its normal form in place', () => {
    const { win, store, applied } = setup();
    win.type('#model=gru&seed=7');
    expect(store.getState().experiment.model).toBe('gru');
    expect(store.getState().experiment.seed).toBe(7);
    expect(applied).toHaveLength(1);
    expect(win.entries).toHaveLength(2);
    expect(win.location.hash).toBe(formatHash(store.getState().experiment, 'auto'));
  });

  it('a hash that names what already runs changes nothing', () => {
    const { win, applied } = setup();
    win.type(formatHash(DEFAULT_EXPERIMENT, 'auto'));
    expect(applied).toHaveLength(0);
  });

  it('a link with a bad value applies the rest and reports what it ignored', () => {
    const { win, store, ignored } = setup();
    win.type('#model=loopy&seed=3&nodes=banana');
    expect(store.getState().experiment.model).toBe('loopy');
    expect(store.getState().experiment.seed).toBe(3);
    expect(ignored.join(' ')).toMatch(/nodes/);
  });

  it('speed follows the link and the page, rewriting the entry (a view setting, not a new experiment)', () => {
    const { win, store, sink, applied } = setup();
    win.type('#task=recall&seed=1&speed=slow');
    expect(store.getState().speed).toBe('slow');
    expect(applied).toHaveLength(0);
    const entries = win.entries.length;
    sink.setSpeed('fast');
    expect(win.location.hash).toContain('speed=fast');
    expect(win.entries).toHaveLength(entries);
    sink.setSpeed('normal');
    expect(win.location.hash).not.toContain('speed');
  });

  it('the backend in a link is applied too, and stopping stops following', () => {
    const { win, store, stop } = setup();
    win.type('#task=recall&seed=1&backend=cpu');
    expect(store.getState().backendChoice).toBe('cpu');
    stop();
    win.type('#model=lstm');
    expect(store.getState().experiment.model).toBe('lara');
  });
});
