/**
 * Every control of the lab, with the accessible names the README lists
 * (keyboards, screen readers and e2e tests drive the lab by them). Live
 * parameters apply to the running experiment; structural ones restart it.
 */
import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import {
  BACKEND_CHOICES,
  EXPLORATION_KINDS,
  GATE_KINDS,
  TASK_IDS,
  TASKS,
  type BackendChoice,
  type Experiment,
  type LaraParams,
} from '../protocol/experiment';
import { useLab, useLabClient } from './lab-context';
import { downloadJson } from './download';

const LR_MIN_EXP = -4;
const LR_MAX_EXP = -0.5;

function patchParams(e: Experiment, patch: Partial<LaraParams>): Experiment {
  return { ...e, params: { ...e.params, ...patch } };
}

interface SliderProps {
  label: string;
  min: number;
  max: number;
  step: number;
  value: number;
  display: string;
  /** Called while dragging (live parameters) or once the value settles (structural ones). */
  onCommit(value: number): void;
  /** Wait for the value to settle before committing. */
  settle?: boolean;
  hint?: string;
}

/** A labelled range input; `settle` debounces structural changes so a drag restarts once. */
function Slider({ label, min, max, step, value, display, onCommit, settle = false, hint }: SliderProps) {
  const [local, setLocal] = useState(value);
  const [editing, setEditing] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  const shown = editing ? local : value;
  const onChange = (ev: ChangeEvent<HTMLInputElement>) => {
    const v = Number(ev.target.value);
    if (!Number.isFinite(v)) return;
    setLocal(v);
    if (!settle) {
      onCommit(v);
      return;
    }
    setEditing(true);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      setEditing(false);
      onCommit(v);
    }, 350);
  };
  return (
    <label className="control slider" title={hint}>
      <span className="control-label">
        {label}
        {/* Not an <output>: that is labelable and would steal the label from the slider. */}
        <span className="control-value" aria-hidden="true">
          {settle && editing ? `${display}…` : display}
        </span>
      </span>
      <input type="range" min={min} max={max} step={step} value={shown} onChange={onChange} aria-valuetext={display} />
    </label>
  );
}

export function TransportControls() {
  const client = useLabClient();
  const playing = useLab((s) => s.playing);
  const step = useLab((s) => s.step);
  const model = useLab((s) => s.experiment.model);
  const fileInput = useRef<HTMLInputElement>(null);

  const onExport = async () => {
    try {
      const doc = await client.exportModel();
      downloadJson(`loopy-lab-${model}-step${doc.step}.json`, doc);
    } catch (e) {
      client.store.getState().setAlert(`Export failed: ${(e as Error).message}`);
    }
  };
  const onImport = async (ev: ChangeEvent<HTMLInputElement>) => {
    const file = ev.target.files?.[0];
    ev.target.value = '';
    if (!file) return;
    let text: string;
    try {
      text = await file.text();
    } catch (e) {
      client.store.getState().setAlert(`Import refused: the file could not be read (${(e as Error).message}).`);
      return;
    }
    await client.importText(text);
  };

  return (
    <div className="transport" role="toolbar" aria-label="Run controls">
      <button type="button" onClick={() => client.play()} disabled={playing} className="primary">
        Play
      </button>
      <button type="button" onClick={() => client.pause()} disabled={!playing}>
        Pause
      </button>
      <button type="button" onClick={() => client.step(1)} disabled={playing}>
        Step
      </button>
      <button type="button" onClick={() => client.reset()}>
        Reset
      </button>
      <span className="transport-gap" />
      <button type="button" onClick={() => void onExport()} disabled={step < 0}>
        Export
      </button>
      <label className="file-button">
        Import
        <input ref={fileInput} type="file" accept=".json,application/json" onChange={(ev) => void onImport(ev)} />
      </label>
    </div>
  );
}

export function ParameterControls() {
  const client = useLabClient();
  const experiment = useLab((s) => s.experiment);
  const backendChoice = useLab((s) => s.backendChoice);
  const p = experiment.params;
  const set = (patch: Partial<LaraParams>) => client.setExperiment(patchParams(client.store.getState().experiment, patch));
  const lrExp = Math.log10(p.learningRate);

  return (
    <form className="controls" aria-label="Parameters" onSubmit={(e) => e.preventDefault()}>
      <fieldset>
        <legend>Experiment</legend>
        <label className="control">
          <span className="control-label">Model</span>
          <select value={experiment.model} onChange={() => undefined}>
            <option value="lara">LARA</option>
          </select>
        </label>
        <label className="control">
          <span className="control-label">Task</span>
          <select
            value={experiment.task}
            onChange={(e) => client.setExperiment({ ...client.store.getState().experiment, task: e.target.value as Experiment['task'] })}
          >
            {TASK_IDS.map((id) => (
              <option key={id} value={id}>
                {TASKS[id].label}
              </option>
            ))}
          </select>
        </label>
        <label className="control">
          <span className="control-label">Seed</span>
          <input
            type="number"
            min={0}
            max={2 ** 31 - 1}
            step={1}
            value={experiment.seed}
            onChange={(e) => {
              const seed = Math.floor(Number(e.target.value));
              if (Number.isInteger(seed) && seed >= 0 && seed < 2 ** 31) client.setExperiment({ ...client.store.getState().experiment, seed });
            }}
          />
        </label>
        <label className="control">
          <span className="control-label">Backend</span>
          <select value={backendChoice} onChange={(e) => client.setBackend(e.target.value as BackendChoice)}>
            {BACKEND_CHOICES.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
      </fieldset>

      <fieldset>
        <legend>Training (live)</legend>
        <Slider
          label="Learning rate"
          min={LR_MIN_EXP}
          max={LR_MAX_EXP}
          step={0.05}
          value={lrExp}
          display={p.learningRate.toPrecision(2)}
          onCommit={(v) => set({ learningRate: Number((10 ** v).toPrecision(3)) })}
          hint="Adam step size (log scale)"
        />
        <Slider
          label="Exploration"
          min={0}
          max={1}
          step={0.01}
          value={p.explore}
          display={p.explore.toFixed(2)}
          onCommit={(v) => set({ explore: v })}
          hint="Epsilon: chance of a random move; Gumbel: temperature of the noise on log G"
        />
        <Slider
          label="Think ticks"
          min={1}
          max={8}
          step={1}
          value={p.thinkTicks}
          display={String(p.thinkTicks)}
          onCommit={(v) => set({ thinkTicks: v })}
          hint="Ticks the thread walks per input symbol"
        />
        <label className="control">
          <span className="control-label">Gate</span>
          <select value={p.gate} onChange={(e) => set({ gate: e.target.value as LaraParams['gate'] })}>
            {GATE_KINDS.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
        <label className="control">
          <span className="control-label">Exploration mode</span>
          <select value={p.exploration} onChange={(e) => set({ exploration: e.target.value as LaraParams['exploration'] })}>
            {EXPLORATION_KINDS.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
        <label className="control checkbox">
          <input type="checkbox" checked={p.restingPhase} onChange={(e) => set({ restingPhase: e.target.checked })} />
          Resting-phase optimiser
        </label>
        <label className="control checkbox" title="Off: a thread always leaves its node; a self-loop feeds the node's own state but is not a route">
          <input type="checkbox" checked={p.threadStays} onChange={(e) => set({ threadStays: e.target.checked })} />
          Thread may stay
        </label>
        <label className="control checkbox">
          <input
            type="checkbox"
            checked={p.growth.enabled}
            onChange={(e) => set({ growth: { ...p.growth, enabled: e.target.checked } })}
          />
          Growth
        </label>
      </fieldset>

      <fieldset>
        <legend>Network (restarts)</legend>
        <Slider
          label="Nodes"
          min={3}
          max={256}
          step={1}
          value={p.nodes}
          display={String(p.nodes)}
          settle
          onCommit={(v) => set({ nodes: v, growth: { ...p.growth, minNodes: Math.min(p.growth.minNodes, v), maxNodes: Math.max(p.growth.maxNodes, v) } })}
          hint="Layer-nodes in a new random loopy graph"
        />
        <Slider
          label="Width"
          min={2}
          max={64}
          step={1}
          value={p.width}
          display={String(p.width)}
          settle
          onCommit={(v) => set({ width: v })}
          hint="State width H of every node"
        />
        <Slider
          label="Threads"
          min={1}
          max={4}
          step={1}
          value={p.threads}
          display={String(p.threads)}
          settle
          onCommit={(v) => set({ threads: v })}
          hint="Walkers routed through the graph"
        />
      </fieldset>
    </form>
  );
}
