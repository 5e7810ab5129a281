/** Boots the lab: store from the URL, the training worker, the client, the React tree. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBatteryClient } from '../client/battery-client';
import { LabClient } from '../client/lab-client';
import { createStudyClient } from '../client/study-client';
import type { RunRecorder } from '../runs/run-recorder';
import { createLabStore } from '../store/lab-store';
import { ignoredLinkMessage, parseHash } from '../store/url-state';
import { BatteryContext, LabContext, StudyContext } from '../views/lab-context';
import { RunsContext } from '../views/runs/runs-context';
import { followAddressBar } from './address-bar';
import { App } from './App';
import { installTestApi } from './test-api';
import './styles.css';

const fromUrl = parseHash(window.location.hash);
const store = createLabStore(fromUrl.experiment, fromUrl.backend);
store.getState().setRun({ speed: fromUrl.speed });
if (fromUrl.problems.length > 0) store.getState().setAlert(ignoredLinkMessage(fromUrl.problems));

const MAX_RESTARTS = 3;
let restarts = 0;
let current: Worker | null = null;

/** A training worker; if it crashes, stops answering or loses its GPU device, a new one resumes from the last checkpoint (a few times at most). */
function startWorker(): Worker {
  const worker = new Worker(new URL('../worker/worker-entry.ts', import.meta.url), { type: 'module', name: 'loopy-lab-trainer' });
  worker.addEventListener('error', (e) => {
    // Handled here: the page says what happened, the console need not.
    e.preventDefault();
    replaceWorker(worker, `crashed (${e.message || 'unknown error'})`);
  });
  current = worker;
  return worker;
}

/** Replaces `worker` (once, however many ways it failed) and says from where the new one resumed. */
function replaceWorker(worker: Worker, what: string, after = ''): void {
  if (worker !== current) return;
  worker.terminate();
  if (restarts >= MAX_RESTARTS) {
    current = null;
    client.stopWatching();
    store.getState().setAlert(`The training worker ${what} again. Reload the page to start over.`);
    return;
  }
  restarts += 1;
  const step = client.reconnect(startWorker());
  store.getState().setAlert(`The training worker ${what}; a new one resumed ${step > 0 ? `from the checkpoint at step ${step}` : 'the experiment from its start'}${after}.`);
}

const client: LabClient = new LabClient(startWorker(), store);
// Every run is kept in IndexedDB (src/runs): the recorder and Dexie load beside the first screen, not inside it (the
// client replays its latest topology to a late listener, so the first run is not missed). Series are written every
// few seconds, and when the page goes away.
const recorderReady: Promise<RunRecorder> = Promise.all([import('../runs/run-recorder'), import('../runs/run-store')]).then(([{ RunRecorder }, { RunStore }]) => {
  const recorder = new RunRecorder(client, new RunStore());
  window.addEventListener('pagehide', () => void recorder.flush());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') void recorder.flush();
  });
  return recorder;
});
installTestApi(client, recorderReady);
client.watchWorker((loss) => {
  if (!current) return;
  if (loss.kind === 'silent') replaceWorker(current, `stopped answering (silent for ${Math.round(loss.silentMs / 1000)} s)`);
  else replaceWorker(current, `lost its ${loss.backend} device (${loss.message})`, `, without ${loss.backend}`);
});
const battery = createBatteryClient(
  store,
  () =>
    new Worker(new URL('../worker/battery-worker-entry.ts', import.meta.url), {
      type: 'module',
      name: 'loopy-lab-battery',
    }),
);
const study = createStudyClient(
  store,
  () =>
    new Worker(new URL('../worker/study-worker-entry.ts', import.meta.url), {
      type: 'module',
      name: 'loopy-lab-study',
    }),
);

// The address bar and the running experiment stay equal both ways (Back, edited hashes, pasted links).
followAddressBar(window, store, client, (problems) => store.getState().setAlert(ignoredLinkMessage(problems)));

client.start();

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing');
const reactRoot = createRoot(root);
/** The tree, rendered again once the recorder is there (the Runs button and the resume offer wait for it). */
const render = (recorder: RunRecorder | null) =>
  reactRoot.render(
    <StrictMode>
      <LabContext.Provider value={client}>
        <BatteryContext.Provider value={battery}>
          <StudyContext.Provider value={study}>
            <RunsContext.Provider value={recorder}>
              <App />
            </RunsContext.Provider>
          </StudyContext.Provider>
        </BatteryContext.Provider>
      </LabContext.Provider>
    </StrictMode>,
  );
render(null);
recorderReady.then(render, (e: unknown) => store.getState().setAlert(`Runs will not be kept: the run store could not load (${(e as Error).message}).`));
