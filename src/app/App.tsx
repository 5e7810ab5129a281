import { lazy, Suspense, useState } from 'react';
import { AlertRegion } from '../views/AlertRegion';
import { BatteryPanel } from '../views/BatteryPanel';
import { ParameterControls, TransportControls } from '../views/Controls';
import { useLab } from '../views/lab-context';
import { MODEL_VIEWS } from '../views/model-views';
import { StatusBar } from '../views/StatusBar';
import { descriptorOf } from '../protocol/experiment';

type Panel = 'help' | 'battery' | 'transitions';

// Help and Transitions (uPlot) load when first opened, so the page's own chunk holds little more than the first screen.
const HelpPanel = lazy(async () => ({ default: (await import('../views/HelpPanel')).HelpPanel }));
// The loss chart (uPlot) is empty until training starts: it loads beside the first screen, not inside it.
const LossChart = lazy(async () => ({ default: (await import('../views/LossChart')).LossChart }));
const TransitionsPanel = lazy(async () => ({ default: (await import('../views/TransitionsPanel')).TransitionsPanel }));

export function App() {
  const [panel, setPanel] = useState<Panel | null>(null);
  const view = useLab((s) => descriptorOf(s.experiment.model).view);
  const toggle = (p: Panel) => setPanel((open) => (open === p ? null : p));
  const { Center, Side } = MODEL_VIEWS[view];
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
          <Suspense fallback={<p className="view-loading">Loading the view…</p>}>
            <Center />
          </Suspense>
        </section>
        <aside className="lab-right">
          <Suspense fallback={null}>
            <LossChart />
          </Suspense>
          <Suspense fallback={null}>{Side && <Side />}</Suspense>
        </aside>
        <Suspense fallback={null}>
          {panel === 'help' && <HelpPanel onClose={() => setPanel(null)} />}
          {panel === 'battery' && <BatteryPanel onClose={() => setPanel(null)} />}
          {panel === 'transitions' && <TransitionsPanel onClose={() => setPanel(null)} />}
        </Suspense>
      </main>
      <StatusBar />
    </div>
  );
}
