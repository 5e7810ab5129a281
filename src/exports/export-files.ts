/**
 * Every export format of one moment, as file names and contents: what the
 * Export menu downloads one by one and what the .zip bundle holds. Pure
 * functions of protocol values (the page passes the document, the latest
 * frame, the birth log, the metrics and the view's picture).
 */
import type { FrameTrace } from '../protocol/messages';
import type { ModelDocument } from '../protocol/model-document';
import type { RunEvent, RunMetrics } from '../runs/run-metrics';
import { zipBundle } from './bundle';
import { exportFileName } from './file-names';
import { writeGexf } from './gexf';
import { EXPORT_ATTRIBUTE_TYPES, exportGraph } from './graph-export';
import { writeGraphml } from './graphml';
import { metricsCsv, metricsJson } from './metrics-export';
import { writeSafetensors } from './safetensors';

export interface ExportFile {
  readonly name: string;
  readonly type: string;
  readonly content: string | Uint8Array;
}

export interface RunMetricsSnapshot {
  readonly metrics: RunMetrics;
  readonly events: readonly RunEvent[];
}

export interface ViewPictureFiles {
  /** Which view drew it ("graph", "dna", "routing"). */
  readonly view: string;
  readonly png: Uint8Array;
  /** Null for a view without a vector form. */
  readonly svg: string | null;
}

export interface ExportSources {
  readonly document: ModelDocument;
  readonly frame: FrameTrace | null;
  readonly births: ReadonlyMap<number, number>;
}

const name = (doc: ModelDocument, ext: string, part = ''): string => exportFileName(doc.experiment.model, doc.step, ext, part);

/** The existing JSON export, byte for byte what the Export button always wrote. */
export function modelJsonFile(doc: ModelDocument): ExportFile {
  return { name: name(doc, 'json'), type: 'application/json', content: JSON.stringify(doc) };
}

export function graphmlFile(s: ExportSources): ExportFile {
  return { name: name(s.document, 'graphml'), type: 'application/graphml+xml', content: writeGraphml(exportGraph(s), EXPORT_ATTRIBUTE_TYPES) };
}

export function gexfFile(s: ExportSources): ExportFile {
  return { name: name(s.document, 'gexf'), type: 'application/gexf+xml', content: writeGexf(exportGraph(s)) };
}

export function safetensorsFile(doc: ModelDocument): ExportFile {
  return { name: name(doc, 'safetensors'), type: 'application/octet-stream', content: writeSafetensors(doc) };
}

export function metricsCsvFile(doc: ModelDocument, m: RunMetricsSnapshot): ExportFile {
  return { name: name(doc, 'csv', 'metrics'), type: 'text/csv', content: metricsCsv(m.metrics) };
}

export function metricsJsonFile(doc: ModelDocument, m: RunMetricsSnapshot): ExportFile {
  const e = doc.experiment;
  const meta = { model: e.model, task: e.task, seed: e.seed, step: doc.step, createdAt: doc.createdAt, experiment: e };
  return { name: name(doc, 'json', 'metrics'), type: 'application/json', content: metricsJson(m.metrics, m.events, meta) };
}

export function pictureFiles(doc: ModelDocument, p: ViewPictureFiles): ExportFile[] {
  const files: ExportFile[] = [{ name: name(doc, 'png', 'view'), type: 'image/png', content: p.png }];
  if (p.svg !== null) files.push({ name: name(doc, 'svg', 'view'), type: 'image/svg+xml', content: p.svg });
  return files;
}

/** Everything that applies: model JSON, graph files, weights, the picture (when a view is mounted), metrics (when recorded). */
export function allFiles(s: ExportSources, picture: ViewPictureFiles | null, metrics: RunMetricsSnapshot | null): ExportFile[] {
  const doc = s.document;
  return [
    modelJsonFile(doc),
    graphmlFile(s),
    gexfFile(s),
    safetensorsFile(doc),
    ...(picture ? pictureFiles(doc, picture) : []),
    ...(metrics ? [metricsCsvFile(doc, metrics), metricsJsonFile(doc, metrics)] : []),
  ];
}

/** The .zip of `files`. */
export function bundleFile(doc: ModelDocument, files: readonly ExportFile[]): ExportFile {
  const zip = zipBundle(Object.fromEntries(files.map((f) => [f.name, f.content])));
  return { name: name(doc, 'zip'), type: 'application/zip', content: zip };
}
