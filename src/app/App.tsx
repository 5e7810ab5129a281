import { useState } from 'react';
import { ActivityGraph } from '../views/ActivityGraph';
import { AlertRegion } from '../views/AlertRegion';
import { BatteryPanel } from '../views/BatteryPanel';
import { ParameterControls, TransportControls } from '../views/Controls';
import { DnaView } from '../views/DnaView';
import { HelpPanel } from '../views/HelpPanel';
import { useLab, useStudy, useStudyClient } from '../views/lab-context';
import { LossChart } from '../views/LossChart';
import { NodeInspector } from '../views/NodeInspector';
import { RoutingSweepChart } from '../views/RoutingSweepChart';
import { RoutingView } from '../views/RoutingView';
import { StatusBar } from '../views/StatusBar';
import { TransitionsPanel } from '../views/TransitionsPanel';

type Panel = 'help' | 'battery' | 'transitions';

/** λs values of the compute-saved vs accuracy-lost sweep, and train steps per stack. */
const SWEEP_LAMBDAS = [0, 0.01, 0.05, 0.1, 0.2, 0.5];
const SWEEP_STEPS = 400;

function RoutingSweep() {
  const study = useStudyClient();
  const state = useStudy();
  const experiment = useLab((s) => s.experiment);
  const mine = state.kind === 'routing-sweep';
  const running = mine && state.running;
  const progress = mine ? (state.message ?? (running ? `${Math.round(state.progress * 100)}% of ${SWEEP_LAMBDAS.length + 1} stacks` : undefined)) : undefined;
  return (
    <RoutingSweepChart
      rows={mine ? state.sweepPoints : []}
      running={running}
      onRun={() => {
        if (experiment.model === 'routing') study.start({ kind: 'routing-sweep', experiment, lambdas: SWEEP_LAMBDAS, steps: SWEEP_STEPS });
      }}
      {...(progress ? { progress } : {})}
    />
  );
}

export function App() {
  const [panel, setPanel] = useState<Panel | null>(null);
  const model = useLab((s) => s.experiment.model);
  const toggle = (p: Panel) => setPanel((open) => (open === p ? null : p));
  const graphModel = model === 'lara' || model === 'loopy';
  return (
    <div className="lab">
      <header className="lab-header">
        <h1>
          Loopy Lab <span className="subtitle">networks that route their own activity</span>
        </h1>
        <TransportControls />
        <button type="button" aria-expanded={panel === 'battery'} onClick={() => toggle('battery')}>
          Battery
        </button>
        <button type="button" aria-expanded={panel === 'transitions'} onClick={() => toggle('transitions')}>
          Transitions
        </button>
        <button type="button" className="help-button" aria-expanded={panel === 'help'} onClick={() => toggle('help')}>
          Help
        </button>
      </header>
      <AlertRegion />
      <main className="lab-main">
        <aside className="lab-left">
          <ParameterControls />
        </aside>
        <section className="lab-center" aria-label="Network">
          {graphModel && <ActivityGraph />}
          {model === 'dna' && <DnaView />}
          {model === 'routing' && <RoutingView />}
        </section>
        <aside className="lab-right">
          <LossChart />
          {graphModel && <NodeInspector />}
          {model === 'routing' && <RoutingSweep />}
        </aside>
        {panel === 'help' && <HelpPanel onClose={() => setPanel(null)} />}
        {panel === 'battery' && <BatteryPanel onClose={() => setPanel(null)} />}
        {panel === 'transitions' && <TransitionsPanel onClose={() => setPanel(null)} />}
      </main>
      <StatusBar />
    </div>
  );
}
