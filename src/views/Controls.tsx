/**
 * Every control of the lab, with the accessible names the README lists
 * (keyboards, screen readers and e2e tests drive the lab by them). The
 * model's own controls are generated from its descriptor (label, range,
 * scale, unit, help line): live parameters apply to the running experiment,
 * structural ones restart it once the value settles.
 */
import { useContext, useEffect, useRef, useState, type ChangeEvent } from 'react';
import {
  BACKEND_CHOICES,
  descriptorOf,
  experimentFor,
  MODEL_KINDS,
  tasksFor,
  type BackendChoice,
  type CheckboxControl,
  type ControlDescriptor,
  type Experiment,
  type ModelKind,
  type SelectControl,
  type SliderControl,
} from '../protocol/experiment';
import { SPEEDS, type Speed } from '../protocol/messages';
import { useLab, useLabClient } from './lab-context';
import { ExportMenu } from './ExportMenu';
import { RunsContext } from './runs/runs-context';
import { readImportFile } from '../client/import-file';
import { CopyLinkButton } from './CopyLinkButton';
import { OwnDataUpload } from './OwnDataUpload';

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
  /** A live line under the slider, for sliders that can warn (shown where not empty). */
  warning?: string | undefined;
}

/** A labelled range input; `settle` debounces structural changes so a drag restarts once. */
function Slider({ label, min, max, step, value, display, onCommit, settle = false, hint, warning }: SliderProps) {
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
    <>
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
      {/* Beside the label, not in it (it would join the slider's name); polite: it follows the value and should not interrupt. */}
      {warning !== undefined && (
        <p className="control-warning" role="status" aria-live="polite">
          {warning}
        </p>
      )}
    </>
  );
}

const SPEED_LABELS: Readonly<Record<Speed, string>> = { slow: 'Slow motion', normal: 'Normal', fast: 'Fast' };

export function TransportControls() {
  const client = useLabClient();
  const playing = useLab((s) => s.playing);
  const speed = useLab((s) => s.speed);
  const fileInput = useRef<HTMLInputElement>(null);
  // Null for a moment at load (the recorder loads beside the first screen): then imports are not named and the metrics items wait.
  const recorder = useContext(RunsContext);
  const onImport = async (ev: ChangeEvent<HTMLInputElement>) => {
    const file = ev.target.files?.[0];
    ev.target.value = '';
    if (!file) return;
    // Refused by its size before it is read; decoded by its byte-order mark (client/import-file.ts).
    const read = await readImportFile(file);
    if ('error' in read) {
      client.store.getState().setAlert(`Import refused: ${read.error} The running experiment is unchanged.`);
      return;
    }
    // Through the recorder, so the imported network is a new run named after its file.
    await (recorder ? recorder.importText(file.name, read.text) : client.importText(read.text));
  };

  return (
    <div className="transport" role="toolbar" aria-label="Run controls">
      {/* One toggle, so Enter or Space on it leaves focus where the next press pauses (TensorFlow Playground's habit). */}
      <button type="button" onClick={() => (playing ? client.pause() : client.play())} className="primary play-toggle" title={`${playing ? 'Pause' : 'Play'} (Space)`}>
        {playing ? 'Pause' : 'Play'}
      </button>
      <button type="button" onClick={() => client.step(1)} disabled={playing}>
        Step
      </button>
      <button type="button" onClick={() => client.reset()}>
        Reset
      </button>
      <label className="transport-speed" title="Slow motion: one step per frame, every tick of the thread played. Fast: more steps between frames.">
        <span>Speed</span>
        <select value={speed} onChange={(e) => client.setSpeed(e.target.value as Speed)}>
          {SPEEDS.map((v) => (
            <option key={v} value={v}>
              {SPEED_LABELS[v]}
            </option>
          ))}
        </select>
      </label>
      <span className="transport-gap" />
      <ExportMenu runMetrics={() => recorder?.current() ?? null} />
      <label className="file-button">
        Import
        <input ref={fileInput} type="file" accept=".json,application/json" onChange={(ev) => void onImport(ev)} />
      </label>
      <CopyLinkButton />
    </div>
  );
}

const MAX_SEED = 2 ** 31 - 1;

/** The seed as typed; it applies on Enter, on leaving the field, or once typing pauses, so "123" is one restart, not three. */
function SeedField({ seed, onCommit }: { seed: number; onCommit(seed: number): void }) {
  const [text, setText] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  const commit = (value: string) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    setText(null);
    const n = Number(value);
    if (value.trim() !== '' && Number.isInteger(n) && n >= 0 && n <= MAX_SEED && n !== seed) onCommit(n);
  };
  return (
    <label className="control">
      <span className="control-label">Seed</span>
      <input
        type="number"
        min={0}
        max={MAX_SEED}
        step={1}
        value={text ?? seed}
        onChange={(e) => {
          const value = e.target.value;
          setText(value);
          if (timer.current) clearTimeout(timer.current);
          timer.current = setTimeout(() => commit(value), 800);
        }}
        onBlur={(e) => commit(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit(e.currentTarget.value);
        }}
      />
    </label>
  );
}

export function ParameterControls() {
  const client = useLabClient();
  const experiment = useLab((s) => s.experiment);
  const backendChoice = useLab((s) => s.backendChoice);

  return (
    <form className="controls" aria-label="Parameters" onSubmit={(e) => e.preventDefault()}>
      <fieldset>
        <legend>Experiment</legend>
        <label className="control">
          <span className="control-label">Model</span>
          <select
            value={experiment.model}
            onChange={(e) => client.setExperiment(experimentFor(e.target.value as ModelKind, client.store.getState().experiment))}
          >
            {MODEL_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {descriptorOf(kind).label}
              </option>
            ))}
          </select>
        </label>
        <label className="control">
          <span className="control-label">Task</span>
          <select
            value={experiment.task}
            onChange={(e) => client.setExperiment({ ...client.store.getState().experiment, task: e.target.value } as Experiment)}
          >
            {tasksFor(experiment.model).map((t) => (
              <option key={t.id} value={t.id} title={t.description}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <OwnDataUpload />
        <SeedField seed={experiment.seed} onCommit={(seed) => client.setExperiment({ ...client.store.getState().experiment, seed })} />
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

      {/* Keyed by model, so a pending slider of one model unmounts (and its timer clears) when the model changes. */}
      <ModelControls key={experiment.model} experiment={experiment} />
    </form>
  );
}

type Params = Readonly<Record<string, unknown>>;

/** The model's controls in two groups, live and restarting, as its descriptor lists them. */
function ModelControls({ experiment }: { experiment: Experiment }) {
  const client = useLabClient();
  const d = descriptorOf(experiment.model);
  const p = experiment.params as Params;
  const live = new Set<string>(d.liveKeys);
  const controls = (d.controls.controls as readonly ControlDescriptor<Params>[]).filter((c) => c.visible?.(p) ?? true);
  const set = (next: Params) => {
    const e = client.store.getState().experiment;
    if (e.model === experiment.model) client.setExperiment({ ...e, params: next } as Experiment);
  };
  // Written against the store's params, not the render's, so two quick changes do not undo each other.
  const current = (): Params => client.store.getState().experiment.params;
  const groups = [
    { legend: `${d.controls.liveLegend} (live)`, items: controls.filter((c) => live.has(c.key)) },
    { legend: `${d.controls.restartLegend} (restarts)`, items: controls.filter((c) => !live.has(c.key)) },
  ].filter((g) => g.items.length > 0);
  return (
    <>
      {groups.map((g) => (
        <fieldset key={g.legend}>
          <legend>{g.legend}</legend>
          {g.items.map((c) => (
            <Control key={c.key + c.label} control={c} params={p} live={live.has(c.key)} current={current} onChange={set} />
          ))}
        </fieldset>
      ))}
    </>
  );
}

interface ControlProps<C> {
  control: C;
  params: Params;
  live: boolean;
  current(): Params;
  onChange(next: Params): void;
}

function helpOf(c: ControlDescriptor<Params>, p: Params): string {
  return typeof c.help === 'function' ? c.help(p) : c.help;
}

function Control({ control: c, ...rest }: ControlProps<ControlDescriptor<Params>>) {
  switch (c.type) {
    case 'slider':
      return <SliderControlView control={c} {...rest} />;
    case 'select':
      return <SelectControlView control={c} {...rest} />;
    case 'checkbox':
      return <CheckboxControlView control={c} {...rest} />;
  }
}

/** The value shown beside a slider: its format, or its digits and unit. */
function display(c: SliderControl<Params>, value: number): string {
  if (c.format) return c.format(value);
  const text = c.scale === 'log' ? value.toPrecision(c.digits ?? 2) : c.digits !== undefined ? value.toFixed(c.digits) : String(value);
  return `${text}${c.unit ?? ''}`;
}

function SliderControlView({ control: c, params, live, current, onChange }: ControlProps<SliderControl<Params>>) {
  const value = c.get ? c.get(params) : (params[c.key] as number);
  const log = c.scale === 'log';
  // A warning sees the worker's backend and this run's measured step time, when it was taken there with this model kind.
  const backend = useLab((s) => s.backend);
  const measuredStep = useLab((s) => s.measuredStep);
  const model = useLab((s) => s.experiment.model);
  const measured = measuredStep && measuredStep.backend === backend && measuredStep.experiment.model === model ? { stepMs: measuredStep.ms, params: measuredStep.experiment.params as Params } : null;
  return (
    <Slider
      label={c.label}
      min={c.min}
      max={c.max}
      step={c.step}
      value={log ? Math.log10(value) : value}
      display={display(c, value)}
      settle={!live}
      hint={helpOf(c, params)}
      warning={c.warning?.(params, measured ? { backend, measured } : { backend })}
      onCommit={(v) => {
        const next = log ? Number((10 ** v).toPrecision(3)) : v;
        const p = current();
        onChange(c.set ? c.set(p, next) : { ...p, [c.key]: next });
      }}
    />
  );
}

function SelectControlView({ control: c, params, current, onChange }: ControlProps<SelectControl<Params>>) {
  return (
    <label className="control" title={helpOf(c, params)}>
      <span className="control-label">{c.label}</span>
      <select value={String(params[c.key])} onChange={(e) => onChange({ ...current(), [c.key]: e.target.value })}>
        {c.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

function CheckboxControlView({ control: c, params, current, onChange }: ControlProps<CheckboxControl<Params>>) {
  const checked = c.get ? c.get(params) : params[c.key] === true;
  return (
    <label className="control checkbox" title={helpOf(c, params)}>
      <input
        type="checkbox"
        checked={checked}
        onChange={(e) => {
          const p = current();
          onChange(c.set ? c.set(p, e.target.checked) : { ...p, [c.key]: e.target.checked });
        }}
      />
      {c.label}
    </label>
  );
}
