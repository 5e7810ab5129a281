/**
 * The offer a reload (or a crashed tab) gets: resume the last run from its
 * checkpoint, or start fresh. A region of the page, not a dialog, so the lab
 * is usable while it stands; it goes once answered.
 */
import { useEffect, useState } from 'react';
import { resumeOffered, type RunRecord } from '../../runs/run-store';
import { useRecorder } from './runs-context';
import './runs-panel.css';

export function ResumeOffer() {
  const recorder = useRecorder();
  const [run, setRun] = useState<RunRecord | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    recorder.runs
      .latest()
      .then((last) => {
        if (live && resumeOffered(last, recorder.current()?.run?.id ?? null)) setRun(last);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [recorder]);
  if (!run?.checkpoint) return null;
  const resume = async () => {
    const refused = await recorder.resume(run.id);
    if (refused) setProblem(`Could not resume: ${refused}`);
    else setRun(null);
  };
  return (
    <section className="resume-offer" role="region" aria-label="Resume">
      <p>
        Resume <strong>{run.name}</strong> from step {run.checkpoint.step}?
      </p>
      <button type="button" className="primary" onClick={() => void resume()}>
        Resume
      </button>
      <button
        type="button"
        onClick={() => {
          const savedAt = run.checkpoint?.savedAt;
          if (savedAt !== undefined) void recorder.runs.declineResume(run.id, savedAt).catch(() => undefined);
          setRun(null);
        }}
      >
        Start fresh
      </button>
      {problem && <p className="resume-problem">{problem}</p>}
    </section>
  );
}
