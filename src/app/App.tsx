import { useState } from 'react';
import { ActivityGraph } from '../views/ActivityGraph';
import { AlertRegion } from '../views/AlertRegion';
import { ParameterControls, TransportControls } from '../views/Controls';
import { HelpPanel } from '../views/HelpPanel';
import { LossChart } from '../views/LossChart';
import { NodeInspector } from '../views/NodeInspector';
import { StatusBar } from '../views/StatusBar';

export function App() {
  const [helpOpen, setHelpOpen] = useState(false);
  return (
    <div className="lab">
      <header className="lab-header">
        <h1>
          Loopy Lab <span className="subtitle">networks that route their own activity</span>
        </h1>
        <TransportControls />
        <button type="button" className="help-button" aria-expanded={helpOpen} onClick={() => setHelpOpen((o) => !o)}>
          Help
        </button>
      </header>
      <AlertRegion />
      <main className="lab-main">
        <aside className="lab-left">
          <ParameterControls />
        </aside>
        <section className="lab-center" aria-label="Network">
          <ActivityGraph />
        </section>
        <aside className="lab-right">
          <LossChart />
          <NodeInspector />
        </aside>
        {helpOpen && <HelpPanel onClose={() => setHelpOpen(false)} />}
      </main>
      <StatusBar />
    </div>
  );
}
