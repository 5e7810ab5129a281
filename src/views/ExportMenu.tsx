/**
 * The Export menu: the model as the lab's JSON (as the Export button always
 * wrote it), the graph as GraphML and GEXF, the weights as safetensors, the
 * centre view as PNG and SVG, the run's metrics as CSV and JSON, or all of
 * them in one .zip. A menu button (ARIA menu pattern): Enter, Space or a
 * click opens it on its first item, arrows move, Escape closes and gives focus
 * back. The writers load on first use, so the page chunk does not carry them.
 */
import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { ExportFile, RunMetricsSnapshot, ViewPictureFiles } from '../exports/export-files';
import { BirthLog } from '../exports/birth-log';
import type { ModelDocument } from '../protocol/model-document';
import { downloadBlob } from './download';
import { currentViewPicture } from './graph/view-picture';
import { useLab, useLabClient } from './lab-context';
import './export-menu.css';

export interface ExportMenuProps {
  /** The recorded run's metrics and events, or null when none is recorded (the metrics items are then disabled). */
  readonly runMetrics: () => RunMetricsSnapshot | null;
}

type Format = 'json' | 'graphml' | 'gexf' | 'safetensors' | 'png' | 'svg' | 'csv' | 'metricsJson' | 'zip';

const ITEMS: readonly { readonly format: Format; readonly label: string; readonly hint: string }[] = [
  { format: 'json', label: 'Model (JSON)', hint: 'the lab’s own file; Import reads it back' },
  { format: 'graphml', label: 'Graph (GraphML)', hint: 'networkx, Cytoscape, Gephi, yEd' },
  { format: 'gexf', label: 'Graph (GEXF)', hint: 'Gephi, networkx' },
  { format: 'safetensors', label: 'Weights (safetensors)', hint: 'Python safetensors, numpy' },
  { format: 'png', label: 'View (PNG)', hint: 'the view as on screen' },
  { format: 'svg', label: 'View (SVG)', hint: 'vector, for papers and slides' },
  { format: 'csv', label: 'Metrics (CSV)', hint: 'pandas, R, spreadsheets' },
  { format: 'metricsJson', label: 'Metrics (JSON)', hint: 'series and events' },
  { format: 'zip', label: 'Everything (.zip)', hint: 'all of the above' },
];

const loadWriters = () => import('../exports/export-files');

async function pictureOf(): Promise<ViewPictureFiles | null> {
  const p = currentViewPicture();
  if (!p) return null;
  const png = new Uint8Array(await (await p.png()).arrayBuffer());
  return { view: p.view, png, svg: p.svg ? p.svg() : null };
}

export function ExportMenu({ runMetrics }: ExportMenuProps) {
  const client = useLabClient();
  const step = useLab((s) => s.step);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [disabled, setDisabled] = useState<ReadonlyMap<Format, string>>(new Map());
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const births = useRef(new BirthLog());
  const menuId = useId();
  const reasonId = useId();

  // Births are only told once, as they happen: the log listens from mount.
  useEffect(() => client.onTopology((u) => births.current.apply(u)), [client]);

  // A click anywhere else closes the menu.
  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent): void => {
      const t = e.target as Node;
      if (!menuRef.current?.contains(t) && !buttonRef.current?.contains(t)) setOpen(false);
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [open]);

  // The popup hangs from the button's right edge; where that would run off the left of a narrow screen it shifts right to fit.
  const popupRef = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = popupRef.current;
    if (!open || !el) return;
    el.style.transform = '';
    const left = el.getBoundingClientRect().left;
    if (left < 8) el.style.transform = `translateX(${Math.ceil(8 - left)}px)`;
  }, [open]);

  // Opening focuses the first item, as the menu button pattern asks.
  useEffect(() => {
    if (open) menuRef.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
  }, [open]);

  const openMenu = (): void => {
    // What applies is decided as the menu opens: the mounted view and whether a run is recorded change under it.
    const off = new Map<Format, string>();
    const picture = currentViewPicture();
    if (!picture) {
      off.set('png', 'no view is showing');
      off.set('svg', 'no view is showing');
    } else if (!picture.svg) off.set('svg', picture.why ?? 'this view has no vector form');
    if (!runMetrics()) {
      off.set('csv', 'no run is recorded yet');
      off.set('metricsJson', 'no run is recorded yet');
    }
    setDisabled(off);
    setOpen(true);
  };

  const close = (focusButton: boolean): void => {
    setOpen(false);
    if (focusButton) buttonRef.current?.focus();
  };

  const run = async (format: Format, label: string): Promise<void> => {
    close(true);
    setBusy(label);
    try {
      const doc: ModelDocument = await client.exportModel();
      const w = await loadWriters();
      const sources = { document: doc, frame: client.frame, births: births.current.births };
      const metrics = runMetrics();
      const files: ExportFile[] = [];
      switch (format) {
        case 'json':
          files.push(w.modelJsonFile(doc));
          break;
        case 'graphml':
          files.push(w.graphmlFile(sources));
          break;
        case 'gexf':
          files.push(w.gexfFile(sources));
          break;
        case 'safetensors':
          files.push(w.safetensorsFile(doc));
          break;
        case 'png':
        case 'svg': {
          const picture = await pictureOf();
          if (!picture) throw new Error('no view is showing');
          const [png, svg] = w.pictureFiles(doc, picture);
          const file = format === 'png' ? png : svg;
          if (!file) throw new Error('this view has no SVG');
          files.push(file);
          break;
        }
        case 'csv':
        case 'metricsJson':
          if (!metrics) throw new Error('no run is recorded yet');
          files.push(format === 'csv' ? w.metricsCsvFile(doc, metrics) : w.metricsJsonFile(doc, metrics));
          break;
        case 'zip':
          files.push(w.bundleFile(doc, w.allFiles(sources, await pictureOf(), metrics)));
          break;
      }
      for (const f of files) downloadBlob(f.name, f.content, f.type);
    } catch (e) {
      client.store.getState().setAlert(`Export failed (${label}): ${(e as Error).message}`);
    } finally {
      setBusy(null);
    }
  };

  const onMenuKey = (e: KeyboardEvent<HTMLDivElement>): void => {
    const items = Array.from(menuRef.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? []);
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    const focus = (i: number): void => items[(i + items.length) % items.length]?.focus();
    switch (e.key) {
      case 'Escape':
        e.preventDefault();
        // The page's Escape closes side panels; this one is the menu's.
        e.stopPropagation();
        close(true);
        break;
      case 'ArrowDown':
        e.preventDefault();
        focus(at + 1);
        break;
      case 'ArrowUp':
        e.preventDefault();
        focus(at - 1);
        break;
      case 'Home':
        e.preventDefault();
        focus(0);
        break;
      case 'End':
        e.preventDefault();
        focus(items.length - 1);
        break;
      case 'Tab':
        close(false);
        break;
    }
  };

  const reasons = [...new Set(disabled.values())];
  return (
    <div className="em-root">
      <button
        ref={buttonRef}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        disabled={step < 0}
        onClick={() => (open ? close(false) : openMenu())}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && !open) {
            e.preventDefault();
            openMenu();
          }
        }}
      >
        Export
      </button>
      {busy && (
        <span className="em-busy" role="status">
          Exporting {busy}…
        </span>
      )}
      {open && (
        // The reason sits under the menu, outside role="menu" (whose children are menu items only).
        <div ref={popupRef} className="em-popup">
          <div ref={menuRef} id={menuId} className="em-menu" role="menu" aria-label="Export formats" onKeyDown={onMenuKey}>
            {ITEMS.map((it) => {
              const off = disabled.get(it.format);
              return (
                <button
                  key={it.format}
                  type="button"
                  role="menuitem"
                  className="em-item"
                  aria-disabled={off ? true : undefined}
                  aria-describedby={off ? reasonId : undefined}
                  title={off ? `Not available: ${off}` : it.hint}
                  onClick={() => {
                    if (!off) void run(it.format, it.label);
                  }}
                >
                  <span className="em-label">{it.label}</span>
                  <span className="em-hint" aria-hidden="true">
                    {off ? 'not available' : it.hint}
                  </span>
                </button>
              );
            })}
          </div>
          {reasons.length > 0 && (
            <p id={reasonId} className="em-reason">
              Not available: {reasons.join('; ')}.
            </p>
          )}
        </div>
      )}
    </div>
  );
}
