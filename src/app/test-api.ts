/**
 * window.__loopyLab: a typed, read-only view of the running lab for
 * end-to-end tests and benchmarks (assert on numbers, not pixels). Present
 * in production builds; it exposes nothing a user could not see on the page,
 * and its one hook (injectFault) only breaks this page's own worker.
 */
import type { LabClient } from '../client/lab-client';
import type { HeldOutPoint, Speed, WorkerFault, WorkerMemory } from '../protocol/messages';
import type { RunRecorder } from '../runs/run-recorder';
import { currentGraphView, type GraphViewInfo } from '../views/graph/graph-controller';
import { graphPaintStats } from '../views/graph/paint-stats';
import { summariseDetail, type DetailSummary } from '../views/model-views';

export type { DetailSummary };

export interface LabSnapshot {
  readonly step: number;
  readonly loss: number | null;
  readonly accuracy: number | null;
  readonly backend: string | null;
  readonly playing: boolean;
  /** Node and edge counts of the current graph. */
  readonly nodes: number;
  readonly edges: number;
  /** Thread hops the activity graph has shown so far. */
  readonly threadVisits: number;
  /** Thread hops delivered by the worker so far (shown or queued). */
  readonly threadHopsReceived: number;
  /** Nodes born and died (growth) since the page loaded. */
  readonly births: number;
  readonly deaths: number;
  /** Frames received from the worker so far. */
  readonly frames: number;
  /** Canvas frames the activity graph has painted, and the 95th percentile of its per-frame work (ms). */
  readonly graphPaints: number;
  readonly graphWorkP95Ms: number;
  /** The running model and a summary of its own view's data from the last frame (DNA, routing modules). */
  readonly model: string;
  readonly detail: DetailSummary | null;
  /** The latest held-out evaluation (loss in nats, accuracy, at a step), or null. */
  readonly heldOut: HeldOutPoint | null;
  /** Held-out points in the current series. */
  readonly heldOutPoints: number;
  /** The dataset still loading, or null; the pacing. */
  readonly loading: string | null;
  readonly speed: Speed;
  /** The step of the last checkpoint the worker sent (a new worker resumes from it), or null. */
  readonly checkpointStep: number | null;
  /** The alert the page shows (a refusal, a rollback, a worker replaced), or null. */
  readonly alert: string | null;
  /** Tensors the training worker's backend held at its last status (leak checks across imports), or null. */
  readonly workerTensors: number | null;
}

export interface LoopyLabTestApi {
  snapshot(): LabSnapshot;
  /** Class probabilities on the experiment's fixed evaluation sequence (equal networks give equal numbers). */
  predict(): Promise<number[]>;
  /** The activity graph's layout, pinned node, node screen positions and label boxes (null while no graph view is mounted). */
  graphView(): GraphViewInfo | null;
  /** Imports a file's text as the Import button does (validation, refusal alert and all); resolves to the refusal or null. */
  importText(text: string): Promise<string | null>;
  /** The running network's step and parameters as the worker holds them (an export). */
  workerState(): Promise<{ step: number; params: Readonly<Record<string, unknown>> }>;
  /**
   * Test hook: deals the training worker a fault (throw, close, silence,
   * loseDevice; see WORKER_FAULTS in protocol/messages.ts). The lab never
   * sends these itself; the worker-faults e2e tests do.
   */
  injectFault(fault: WorkerFault): void;
  /** What the training worker holds (tensors, wasm memory, JS heap), for the resident-memory bench. */
  workerMemory(): Promise<WorkerMemory>;
  /** The runs kept in IndexedDB (after the pending writes), newest first, with their train-loss points and checkpoint step. */
  runs(): Promise<StoredRunSummary[]>;
  /** The run being recorded: its id (null until its first step), train-loss steps and held-out points; null before the recorder loads. */
  currentRun(): { id: string | null; steps: number; firstStep: number | null; lastStep: number | null; heldOutPoints: number } | null;
}

export interface StoredRunSummary {
  readonly id: string;
  readonly name: string;
  readonly model: string;
  readonly seed: number;
  readonly params: Readonly<Record<string, unknown>>;
  readonly derivedFrom: string | null;
  readonly status: string;
  readonly step: number;
  readonly wallSeconds: number;
  /** Train-loss points stored. */
  readonly points: number;
  readonly checkpointStep: number | null;
  /** Start fresh declined the offer to resume its latest checkpoint. */
  readonly resumeDeclined: boolean;
}

declare global {
  interface Window {
    readonly __loopyLab?: LoopyLabTestApi;
  }
}

export function installTestApi(client: LabClient, recorderReady: Promise<RunRecorder>): void {
  let recorder: RunRecorder | null = null;
  void recorderReady.then((r) => (recorder = r));
  let frames = 0;
  let detail: DetailSummary | null = null;
  client.onFrame((f) => {
    frames += 1;
    detail = summariseDetail(f.detail);
  });
  const api: LoopyLabTestApi = Object.freeze({
    snapshot(): LabSnapshot {
      const s = client.store.getState();
      return {
        step: s.step,
        loss: s.loss,
        accuracy: s.accuracy,
        backend: s.backend,
        playing: s.playing,
        nodes: s.nodeCount,
        edges: s.edgeCount,
        threadVisits: graphPaintStats.hops,
        threadHopsReceived: client.threadHops,
        ...client.topologyEvents,
        frames,
        graphPaints: graphPaintStats.paints,
        graphWorkP95Ms: graphPaintStats.quantile(0.95),
        model: s.experiment.model,
        detail,
        heldOut: s.heldOut,
        heldOutPoints: client.heldOutHistory.length,
        loading: s.loading,
        speed: s.speed,
        checkpointStep: client.checkpointStep,
        alert: s.alert,
        workerTensors: client.workerTensors,
      };
    },
    async predict(): Promise<number[]> {
      return Array.from(await client.predict());
    },
    graphView: currentGraphView,
    importText: (text: string) => client.importText(text),
    async workerState() {
      const doc = await client.exportModel();
      return { step: doc.step, params: doc.experiment.params };
    },
    injectFault: (fault: WorkerFault) => client.injectFault(fault),
    workerMemory: () => client.workerMemory(),
    async runs(): Promise<StoredRunSummary[]> {
      const recorder = await recorderReady;
      await recorder.flush();
      const runs = await recorder.runs.list();
      return Promise.all(
        runs.map(async (r) => ({
          id: r.id,
          name: r.name,
          model: r.experiment.model,
          seed: r.experiment.seed,
          params: r.experiment.params,
          derivedFrom: r.derivedFrom ?? null,
          status: r.status,
          step: r.final.step,
          wallSeconds: r.wallSeconds,
          points: (await recorder.runs.metrics(r.id))?.metrics.trainLoss.step.length ?? 0,
          checkpointStep: r.checkpoint?.step ?? null,
          resumeDeclined: r.checkpoint !== null && r.resumeDeclined === r.checkpoint.savedAt,
        })),
      );
    },
    currentRun() {
      const c = recorder?.current();
      if (!c) return null;
      const steps = c.metrics.trainLoss.step;
      return { id: c.run?.id ?? null, steps: steps.length, firstStep: steps[0] ?? null, lastStep: steps.at(-1) ?? null, heldOutPoints: c.metrics.heldOutLoss.step.length };
    },
  });
  Object.defineProperty(window, '__loopyLab', { value: api, writable: false, configurable: false });
}
