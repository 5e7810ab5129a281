/** Plain-text descriptions of the routing stack, for the visible labels and screen readers. */
import type { ModelDetail } from '../../protocol/messages';
import { class1Share } from './boundary';
import { layersExecuted, meanLayersExecuted } from './probe-samples';

export type RoutingDetail = Extract<ModelDetail, { kind: 'routing' }>;

/** "38.2%", or an en dash before there is a number. */
export function pct(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : '–';
}

/** "Layer 2: execute 0.83" — the text of one layer box (1-based, as shown). */
export function layerText(layer: number, pExec: number): string {
  return `Layer ${layer + 1}: execute ${execText(pExec)}`;
}

/** "0.83", or an en dash. */
export function execText(pExec: number): string {
  return Number.isFinite(pExec) ? pExec.toFixed(2) : '–';
}

/** What the chain shows now: the train batch's mean, or one probe sample. */
export function sourceText(d: RoutingDetail | null, sample: number | null): string {
  if (!d || sample === null) return 'Current train batch (mean execute probability)';
  const label = d.sampleLabels[sample];
  const runs = layersExecuted(d.samplePExec, d.layers, sample);
  return `Sample #${sample} (class ${label ?? '?'}): executes ${runs} of ${d.layers} ${d.layers === 1 ? 'layer' : 'layers'} under hard routing`;
}

/** The description of the samples canvas (boundary or digits). */
export function describeSamples(d: RoutingDetail): string {
  const n = d.sampleLabels.length;
  const pick = 'Arrow keys pick a sample, Escape goes back to the batch.';
  if (d.gridSize > 0 && d.boundaryClass.length > 0) {
    return `Decision regions under hard routing: each region takes the colour of the class that wins there, among ${d.classes} classes, darker where it is less sure. ${n} test samples are dots in their class's colour. ${pick}`;
  }
  if (d.gridSize > 0) {
    return `Decision boundary under hard routing: class 1 wins on ${pct(class1Share(d.boundary), 0)} of the square [-1, 1]². ${n} test samples are dots, orange class 0, blue class 1. ${pick}`;
  }
  const mean = meanLayersExecuted(d.samplePExec, d.layers, n);
  return `${n} test digits; under hard routing they execute on average ${Number.isFinite(mean) ? mean.toFixed(1) : '–'} of ${d.layers} layers. ${pick}`;
}
