/**
 * Every control of the lab, with the accessible names the README lists
 * (keyboards, screen readers and e2e tests drive the lab by them). Live
 * parameters apply to the running experiment; structural ones restart it.
 */
import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import {
  BACKEND_CHOICES,
  EXPLORATION_KINDS,
  experimentFor,
  GATE_KINDS,
  GRAPH_GENERATORS,
  LOOPY_PACINGS,
  LOOPY_RULES,
  EXTINCTION_MODES,
  MODEL_KINDS,
  MODEL_LABELS,
  ROUTING_ACTIVATIONS,
  tasksFor,
  type BackendChoice,
  type DnaParams,
  type ExtinctionMode,
  type RoutingParams,
  type Experiment,
  type GraphGenerator,
  type LaraParams,
  type LoopyPacing,
  type LoopyParams,
  type LoopyRule,
  type ModelKind,
} from '../protocol/experiment';
import { useLab, useLabClient } from './lab-context';
import { downloadJson } from './download';

const LR_MIN_EXP = -4;
const LR_MAX_EXP = -0.5;

const GRAPH_LABELS: Record<GraphGenerator, string> = {
  'erdos-renyi': 'Erdős–Rényi',
  'watts-strogatz': 'Watts–Strogatz',
  'barabasi-albert': 'Barabási–Albert',
  waxman: 'Waxman (spatial)',
  lattice: 'Ring lattice',
  'feed-forward': 'Feed-forward (no loops)',
};

const RULE_LABELS: Record<LoopyRule, string> = {
  bptt: 'BPTT',
  tbptt: 'Truncated BPTT',
  reservoir: 'Reservoir (read-out only)',
  hebbian: 'Three-factor Hebbian',
  perturbation: 'Node perturbation',
};

const PACING_LABELS: Record<LoopyPacing, string> = { fixed: 'Fixed think ticks', 'read-node': 'Read node' };

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
                {MODEL_LABELS[kind]}
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

      {/* Separate components, so a pending slider of one model unmounts (and its timer clears) when the model changes. */}
      {experiment.model === 'lara' && <LaraControls p={experiment.params} />}
      {experiment.model === 'loopy' && <LoopyControls p={experiment.params} />}
      {experiment.model === 'dna' && <DnaControls p={experiment.params} />}
      {experiment.model === 'routing' && <RoutingControls p={experiment.params} />}
    </form>
  );
}

/** Learning rate on a log scale, shared by both models. */
function LearningRateSlider({ value, hint, onCommit }: { value: number; hint: string; onCommit(learningRate: number): void }) {
  return (
    <Slider
      label="Learning rate"
      min={LR_MIN_EXP}
      max={LR_MAX_EXP}
      step={0.05}
      value={Math.log10(value)}
      display={value.toPrecision(2)}
      onCommit={(v) => onCommit(Number((10 ** v).toPrecision(3)))}
      hint={hint}
    />
  );
}

function LaraControls({ p }: { p: LaraParams }) {
  const client = useLabClient();
  const set = (patch: Partial<LaraParams>) => {
    const e = client.store.getState().experiment;
    if (e.model === 'lara') client.setExperiment({ ...e, params: { ...e.params, ...patch } });
  };

  return (
    <>
      <fieldset>
        <legend>Training (live)</legend>
        <LearningRateSlider value={p.learningRate} onCommit={(learningRate) => set({ learningRate })} hint="Adam step size (log scale)" />
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
    </>
  );
}

const LOCAL_RULES: readonly LoopyRule[] = ['hebbian', 'perturbation'];

function LoopyControls({ p }: { p: LoopyParams }) {
  const client = useLabClient();
  const set = (patch: Partial<LoopyParams>) => {
    const e = client.store.getState().experiment;
    if (e.model === 'loopy') client.setExperiment({ ...e, params: { ...e.params, ...patch } });
  };
  const readNode = p.pacing === 'read-node';

  return (
    <>
      <fieldset>
        <legend>Training (live)</legend>
        <LearningRateSlider
          value={p.learningRate}
          onCommit={(learningRate) => set({ learningRate })}
          hint={
            LOCAL_RULES.includes(p.rule)
              ? 'Plain SGD step of the recurrent weights; Adam step of the read-out (log scale)'
              : 'Adam step size (log scale)'
          }
        />
        <Slider
          label="Think ticks"
          min={1}
          max={16}
          step={1}
          value={p.thinkTicks}
          display={String(p.thinkTicks)}
          onCommit={(v) => set({ thinkTicks: v })}
          hint={readNode ? 'Most ticks per symbol before a read is forced' : 'Ticks per input symbol; the output is read on the last'}
        />
        {LOCAL_RULES.includes(p.rule) && (
          <Slider
            label="Noise"
            min={0.005}
            max={0.5}
            step={0.005}
            value={p.noise}
            display={p.noise.toFixed(3)}
            onCommit={(v) => set({ noise: v })}
            hint="Exploration noise of the local rules: std of the kick added to every node's pre-activation each tick"
          />
        )}
      </fieldset>

      <fieldset>
        <legend>Network (restarts)</legend>
        <label className="control">
          <span className="control-label">Graph</span>
          <select value={p.generator} onChange={(e) => set({ generator: e.target.value as GraphGenerator })}>
            {GRAPH_GENERATORS.map((g) => (
              <option key={g} value={g}>
                {GRAPH_LABELS[g]}
              </option>
            ))}
          </select>
        </label>
        <label className="control">
          <span className="control-label">Learning rule</span>
          <select value={p.rule} onChange={(e) => set({ rule: e.target.value as LoopyRule })}>
            {LOOPY_RULES.map((r) => (
              <option key={r} value={r}>
                {RULE_LABELS[r]}
              </option>
            ))}
          </select>
        </label>
        <label className="control" title="Fixed: think ticks per symbol. Read node: the output is read when the read node switches low to high">
          <span className="control-label">Pacing</span>
          <select value={p.pacing} onChange={(e) => set({ pacing: e.target.value as LoopyPacing })}>
            {LOOPY_PACINGS.map((m) => (
              <option key={m} value={m}>
                {PACING_LABELS[m]}
              </option>
            ))}
          </select>
        </label>
        <Slider
          label="Nodes"
          min={8}
          max={1200}
          step={1}
          value={p.hidden}
          display={String(p.hidden)}
          settle
          onCommit={(v) => set({ hidden: v })}
          hint="Hidden nodes (single neurons); input and output nodes come on top"
        />
        <Slider
          label="Density"
          min={1}
          max={16}
          step={0.5}
          value={p.degree}
          display={p.degree.toFixed(1)}
          settle
          onCommit={(v) => set({ degree: v })}
          hint="Mean in-degree of a hidden node (Watts–Strogatz, Barabási–Albert and the lattice round it to even)"
        />
        <Slider
          label="Spectral radius"
          min={0}
          max={2}
          step={0.05}
          value={p.spectralRadius}
          display={p.spectralRadius.toFixed(2)}
          settle
          onCommit={(v) => set({ spectralRadius: v })}
          hint="The initial recurrent weights are scaled to this spectral radius"
        />
        <Slider
          label="Width"
          min={1}
          max={8}
          step={1}
          value={p.width}
          display={String(p.width)}
          settle
          onCommit={(v) => set({ width: v })}
          hint="Units per node: 1 = single neurons; more makes each node a small layer"
        />
      </fieldset>
    </>
  );
}

const EXTINCTION_LABELS: Record<ExtinctionMode, string> = { percent: 'Top/bottom percent at a plateau', threshold: 'Weight thresholds (2·w0, w0/2)' };

function DnaControls({ p }: { p: DnaParams }) {
  const client = useLabClient();
  const set = (patch: Partial<DnaParams>) => {
    const e = client.store.getState().experiment;
    if (e.model === 'dna') client.setExperiment({ ...e, params: { ...e.params, ...patch } });
  };
  const percent = p.extinction === 'percent';

  return (
    <>
      <fieldset>
        <legend>Extinction (live)</legend>
        <label className="control" title="When cells split and die">
          <span className="control-label">Extinction mode</span>
          <select value={p.extinction} onChange={(e) => set({ extinction: e.target.value as ExtinctionMode })}>
            {EXTINCTION_MODES.map((m) => (
              <option key={m} value={m}>
                {EXTINCTION_LABELS[m]}
              </option>
            ))}
          </select>
        </label>
        <Slider
          label="Split percent"
          min={0}
          max={50}
          step={1}
          value={p.splitPercent}
          display={`${p.splitPercent}%`}
          onCommit={(v) => set({ splitPercent: v })}
          hint={percent ? 'Share of cells with the most passthrough that split in two at each extinction event' : 'Used in percent mode only'}
        />
        <Slider
          label="Delete percent"
          min={0}
          max={50}
          step={1}
          value={p.deletePercent}
          display={`${p.deletePercent}%`}
          onCommit={(v) => set({ deletePercent: v })}
          hint={percent ? 'Share of cells with the least passthrough that die at each extinction event' : 'Used in percent mode only'}
        />
        <Slider
          label="Patience"
          min={1}
          max={10}
          step={1}
          value={p.patience}
          display={`${p.patience} epoch${p.patience === 1 ? '' : 's'}`}
          onCommit={(v) => set({ patience: v })}
          hint="Epochs without a better loss before an extinction event"
        />
        <LearningRateSlider value={p.learningRate} onCommit={(learningRate) => set({ learningRate })} hint="Adam step size (log scale)" />
      </fieldset>
      <fieldset>
        <legend>Layer (restarts)</legend>
        <Slider
          label="Initial weight"
          min={0.01}
          max={1}
          step={0.01}
          value={p.initialWeight}
          display={p.initialWeight.toFixed(2)}
          settle
          onCommit={(v) => set({ initialWeight: v })}
          hint="w0 of every initial cell: 1 in the seed's text, 1/outputs (0.1 for ten digits) in the seed's code"
        />
      </fieldset>
    </>
  );
}

function RoutingControls({ p }: { p: RoutingParams }) {
  const client = useLabClient();
  const set = (patch: Partial<RoutingParams>) => {
    const e = client.store.getState().experiment;
    if (e.model === 'routing') client.setExperiment({ ...e, params: { ...e.params, ...patch } });
  };

  return (
    <>
      <fieldset>
        <legend>Training (live)</legend>
        <Slider
          label="Sparsity λs"
          min={0}
          max={0.5}
          step={0.005}
          value={p.lambdaS}
          display={p.lambdaS.toFixed(3)}
          onCommit={(v) => set({ lambdaS: v })}
          hint="Weight of mean(p_exec) in the loss: higher skips more layers"
        />
        <Slider
          label="Skip L1 λ1"
          min={0}
          max={0.01}
          step={0.0001}
          value={p.lambda1}
          display={p.lambda1.toFixed(4)}
          onCommit={(v) => set({ lambda1: v })}
          hint="Weight of |S|₁ over the skip matrices"
        />
        <LearningRateSlider value={p.learningRate} onCommit={(learningRate) => set({ learningRate })} hint="Adam step size (log scale)" />
      </fieldset>
      <fieldset>
        <legend>Stack (restarts)</legend>
        <label className="control checkbox" title="Off: the same stack with every layer always executed (the baseline)">
          <input type="checkbox" checked={p.routing} onChange={(e) => set({ routing: e.target.checked })} />
          Routing modules
        </label>
        <Slider
          label="Layers"
          min={1}
          max={12}
          step={1}
          value={p.layers}
          display={String(p.layers)}
          settle
          onCommit={(v) => set({ layers: v })}
          hint="Routed layers between the input projection and the read-out"
        />
        <Slider
          label="Width"
          min={2}
          max={128}
          step={1}
          value={p.width}
          display={String(p.width)}
          settle
          onCommit={(v) => set({ width: v })}
          hint="Units per layer"
        />
        <label className="control">
          <span className="control-label">Activation</span>
          <select value={p.activation} onChange={(e) => set({ activation: e.target.value as RoutingParams['activation'] })}>
            {ROUTING_ACTIVATIONS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <Slider
          label="Noise"
          min={0}
          max={0.5}
          step={0.05}
          value={p.noise}
          display={p.noise.toFixed(2)}
          settle
          onCommit={(v) => set({ noise: v })}
          hint="Playground's label noise of the 2-D datasets"
        />
      </fieldset>
    </>
  );
}
