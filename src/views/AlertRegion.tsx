import { useLab, useLabClient } from './lab-context';

/** The one place problems are announced (role="alert"); text only, never HTML from outside. */
export function AlertRegion() {
  const alert = useLab((s) => s.alert);
  const client = useLabClient();
  return (
    <div role="alert" className={alert ? 'alert alert-visible' : 'alert'}>
      {alert && (
        <>
          <span>{alert}</span>
          <button type="button" className="alert-close" aria-label="Dismiss message" onClick={() => client.store.getState().setAlert(null)}>
            ×
          </button>
        </>
      )}
    </div>
  );
}
