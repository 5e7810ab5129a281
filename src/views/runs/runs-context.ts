/** React access to the run recorder (provided in main.tsx), and the stored runs, refreshed after every write. */
import { createContext, useContext, useEffect, useState } from 'react';
import type { RunRecorder } from '../../runs/run-recorder';
import type { RunRecord } from '../../runs/run-store';

export const RunsContext = createContext<RunRecorder | null>(null);

export function useRecorder(): RunRecorder {
  const recorder = useContext(RunsContext);
  if (!recorder) throw new Error('RunsContext is missing');
  return recorder;
}

/** The stored runs, newest first, and a counter that moves on every change (for effects that reload metrics). */
export function useStoredRuns(): { runs: readonly RunRecord[]; version: number } {
  const recorder = useRecorder();
  const [state, setState] = useState<{ runs: readonly RunRecord[]; version: number }>({ runs: [], version: 0 });
  useEffect(() => {
    let live = true;
    const load = () => {
      recorder.runs
        .list()
        .then((runs) => {
          if (live) setState((s) => ({ runs, version: s.version + 1 }));
        })
        .catch(() => undefined);
    };
    load();
    const off = recorder.onChange(load);
    return () => {
      live = false;
      off();
    };
  }, [recorder]);
  return state;
}
