import { lazy, Suspense, useContext, useEffect, useRef, useState } from 'react';
import { AlertRegion } from '../views/AlertRegion';
import { BatteryPanel } from '../views/BatteryPanel';
import { ParameterControls, TransportControls } from '../views/Controls';
import { useLab, useLabClient } from '../views/lab-context';
import { ownsSpaceKey } from '../views/keyboard';
import { MODEL_VIEWS } from '../views/model-views';
import { ResumeOffer } from '../views/runs/ResumeOffer';
import { RunsContext } from '../views/runs/runs-context';
import { StatusBar } from '../views/StatusBar';
import { descriptorOf } from '../protocol/experiment';

type Panel = 'help' | 'battery' | 'transitions' | 'runs';

// Help and Transitions (uPlot) load when first opened, so the page's own chunk holds little more than the first screen.
const HelpPanel = lazy(async () => ({ default: (await import('../views/HelpPanel')).HelpPanel }));
// The loss chart (uPlot) is empty until training starts: it loads beside the first screen, not inside it.
const LossChart = lazy(async () => ({ default: (await import('../views/LossChart')).LossChart }));
const TransitionsPanel = lazy(async () => ({ default: (await import('../views/TransitionsPanel')).TransitionsPanel }));
// The Runs panel overlays runs with uPlot: it loads when first opened.
const RunsPanel = lazy(async () => ({ default: (await import('../views/RunsPanel')).RunsPanel }));

export function App() {
  const client = useLabClient();
  // The run recorder loads beside the first screen (main.tsx): null until then.
  const recorder = useContext(RunsContext);
  const [panel, setPanel] = useState<Panel | null>(null);
  const view = useLab((s) => descriptorOf(s.experiment.model).view);
  // The button that opened the side panel gets focus back when it closes, so a keyboard user is not dropped on the body.
  const opener = useRef<HTMLButtonElement | null>(null);
  const toggle = (p: Panel, button: HTMLButtonElement) => {
    opener.current = button;
    setPanel((open) => (open === p ? null : p));
  };
  const close = () => {
    setPanel(null);
    opener.current?.focus();
  };

  // Space plays or pauses anywhere outside a text field or a control that uses Space itself; Escape closes the side panel.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key === 'Escape') {
        setPanel((open) => {
          if (open !== null) opener.current?.focus();
          return null;
        });
      } else if (e.key === ' ' && !ownsSpaceKey(e.target)) {
        e.preventDefault();
        if (client.store.getState().playing) client.pause();
        else client.play();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [client]);
  const { Center, Side } = MODEL_VIEWS[view];
  return (
    <div className="lab">
      <header className="lab-header">
        <h1>
          Loopy Lab <span className="subtitle">networks that route their own activity</span>
        </h1>
        <TransportControls />
        <button type="button" aria-expanded={panel === 'battery'} onClick={(e) => toggle('battery', e.currentTarget)}>
          Battery
        </button>
        <button type="button" aria-expanded={panel === 'transitions'} onClick={(e) => toggle('transitions', e.currentTarget)}>
          Transitions
        </button>
        <button type="button" aria-expanded={panel === 'runs'} disabled={!recorder} onClick={(e) => toggle('runs', e.currentTarget)}>
          Runs
        </button>
        <button type="button" className="help-button" aria-expanded={panel === 'help'} onClick={(e) => toggle('help', e.currentTarget)}>
          Help
        </button>
      </header>
      <AlertRegion />
      {recorder && <ResumeOffer />}
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
          {panel === 'help' && <HelpPanel onClose={close} />}
          {panel === 'battery' && <BatteryPanel onClose={close} />}
          {panel === 'transitions' && <TransitionsPanel onClose={close} />}
          {panel === 'runs' && recorder && <RunsPanel onClose={close} />}
        </Suspense>
      </main>
      <StatusBar />
    </div>
  );
}
