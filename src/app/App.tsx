import { useState } from 'react';
import { ActivityGraph } from '../views/ActivityGraph';
import { AlertRegion } from '../views/AlertRegion';
import { BatteryPanel } from '../views/BatteryPanel';
import { ParameterControls, TransportControls } from '../views/Controls';
import { HelpPanel } from '../views/HelpPanel';
import { LossChart } from '../views/LossChart';
import { NodeInspector } from '../views/NodeInspector';
import { StatusBar } from '../views/StatusBar';

export function App() {
  const [panel, setPanel] = useState<'help' | 'battery' | null>(null);
  const toggle = (p: 'help' | 'battery') => setPanel((open) => (open === p ? null : p));
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
          <ActivityGraph />
        </section>
        <aside className="lab-right">
          <LossChart />
          <NodeInspector />
        </aside>
        {panel === 'help' && <HelpPanel onClose={() => setPanel(null)} />}
        {panel === 'battery' && <BatteryPanel onClose={() => setPanel(null)} />}
      </main>
      <StatusBar />
    </div>
  );
}
