/**
 * "Copy link": the page's address, whose hash already carries the
 * experiment (store/url-state.ts). Written with the Clipboard API; where the
 * browser refuses it (no permission, an insecure origin) a read-only field
 * holds the link, selected, for the reader to copy. What happened is said
 * in a polite live region.
 */
import { useEffect, useRef, useState } from 'react';
import './own-data.css';

/** How long the "Link copied" line stays. */
const STATUS_MS = 4000;

export function CopyLinkButton() {
  const [status, setStatus] = useState('');
  const [fallback, setFallback] = useState<string | null>(null);
  const field = useRef<HTMLInputElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  useEffect(() => {
    if (fallback !== null) field.current?.select();
  }, [fallback]);

  const say = (text: string) => {
    setStatus(text);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => setStatus(''), STATUS_MS);
  };
  const copy = async () => {
    const href = window.location.href;
    try {
      await navigator.clipboard.writeText(href);
      setFallback(null);
      say('Link copied');
    } catch {
      setFallback(href);
      say('The browser refused the clipboard: the link is selected in the field, copy it from there');
    }
  };

  return (
    <span className="copy-link">
      <button type="button" onClick={() => void copy()} title="Copy this page's address: the link opens the same experiment (not your own data set, which a link cannot carry)">
        Copy link
      </button>
      {fallback !== null && <input ref={field} className="copy-link-field" type="text" readOnly value={fallback} aria-label="Link to this experiment" onFocus={(e) => e.currentTarget.select()} />}
      <span className="copy-link-status" aria-live="polite">
        {status}
      </span>
    </span>
  );
}
