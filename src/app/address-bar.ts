/**
 * The address bar and the running experiment kept equal, both ways: a
 * structural change (new model, task, seed, size) is one history entry, a
 * live change (a learning-rate drag) replaces the current one; editing the
 * hash, Back/Forward or pasting a link into the open tab applies what it
 * names and rewrites it to its normal form.
 */
import { isLiveChange, type BackendChoice, type Experiment } from '../protocol/experiment';
import type { Speed } from '../protocol/messages';
import type { LabStore } from '../store/lab-store';
import { formatHash, parseHash } from '../store/url-state';

/** The parts of `window` the address bar needs (a fake one in tests). */
export interface AddressBarWindow {
  readonly location: { readonly hash: string };
  readonly history: {
    pushState(data: unknown, unused: string, url: string): void;
    replaceState(data: unknown, unused: string, url: string): void;
  };
  addEventListener(type: 'hashchange' | 'popstate', listener: () => void): void;
  removeEventListener(type: 'hashchange' | 'popstate', listener: () => void): void;
}

/** What applies a link's experiment: the lab client in the page. */
export interface ExperimentSink {
  setExperiment(next: Experiment): void;
  setBackend(choice: BackendChoice): void;
  setSpeed(speed: Speed): void;
}

/** How the history should record a change from `before` to `after`. */
export function historyEntryFor(before: Experiment, after: Experiment): 'push' | 'replace' {
  return isLiveChange(before, after) ? 'replace' : 'push';
}

/**
 * Starts keeping `win`'s hash and `store` equal; returns the function that
 * stops. `onIgnored` hears the values of a link that were not used.
 */
export function followAddressBar(win: AddressBarWindow, store: LabStore, sink: ExperimentSink, onIgnored: (problems: readonly string[]) => void): () => void {
  // While the lab applies what the address bar says, the bar already holds that entry: rewrite it, never add one.
  let applyingLink = false;
  const normalise = () => {
    const s = store.getState();
    const hash = formatHash(s.experiment, s.backendChoice, s.speed);
    if (hash !== win.location.hash) win.history.replaceState(null, '', hash);
  };

  const unsubscribe = store.subscribe((s, prev) => {
    if (s.experiment === prev.experiment && s.backendChoice === prev.backendChoice && s.speed === prev.speed) return;
    const hash = formatHash(s.experiment, s.backendChoice, s.speed);
    if (hash === win.location.hash) return;
    // A speed change is a view setting: it rewrites the entry, as a live change does; a new backend is a new entry.
    const speedOnly = s.experiment === prev.experiment && s.backendChoice === prev.backendChoice;
    let entry: 'push' | 'replace' = s.backendChoice !== prev.backendChoice ? 'push' : historyEntryFor(prev.experiment, s.experiment);
    if (applyingLink || speedOnly) entry = 'replace';
    if (entry === 'push') win.history.pushState(null, '', hash);
    else win.history.replaceState(null, '', hash);
  });

  const onAddressChange = () => {
    const link = parseHash(win.location.hash);
    const s = store.getState();
    applyingLink = true;
    try {
      if (link.backend !== s.backendChoice) sink.setBackend(link.backend);
      if (link.speed !== s.speed) sink.setSpeed(link.speed);
      if (JSON.stringify(link.experiment) !== JSON.stringify(s.experiment)) sink.setExperiment(link.experiment);
      normalise();
    } finally {
      applyingLink = false;
    }
    if (link.problems.length > 0) onIgnored(link.problems);
  };
  win.addEventListener('hashchange', onAddressChange);
  win.addEventListener('popstate', onAddressChange);
  normalise();

  return () => {
    unsubscribe();
    win.removeEventListener('hashchange', onAddressChange);
    win.removeEventListener('popstate', onAddressChange);
  };
}
