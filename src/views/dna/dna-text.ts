/** Plain-text descriptions of the DNA layer, for the visible numbers and screen readers. */
import type { ModelDetail, TopologyEvent } from '../../protocol/messages';

export type DnaDetail = Extract<ModelDetail, { kind: 'dna' }>;

/** The slow numbers shown beside the cells. */
export interface DnaStats {
  readonly epoch: number;
  readonly cells: number;
  /** Cells born and died since the experiment started (as seen by this view). */
  readonly births: number;
  readonly deaths: number;
  /** Test accuracy at the last epoch end, NaN before the first. */
  readonly testAccuracy: number;
}

/** "91.2%", or an en dash before there is a number. */
export function percent(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : '–';
}

/** Index of the largest value (first on ties), -1 when empty. */
export function argmax(values: Float32Array): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/** "7,840 cells at epoch 3; 12 born and 12 died so far; test accuracy 91.2%. Shown example: label 7, the layer says 7 (p 0.93)." */
export function describeDna(stats: DnaStats, detail: DnaDetail | null): string {
  const parts = [
    `${stats.cells.toLocaleString('en-US')} cells at epoch ${stats.epoch}; ${stats.births} born and ${stats.deaths} died so far; test accuracy ${Number.isFinite(stats.testAccuracy) ? percent(stats.testAccuracy) : 'not measured yet'}.`,
  ];
  if (detail && detail.sampleProbabilities.length > 0) {
    const guess = argmax(detail.sampleProbabilities);
    const p = detail.sampleProbabilities[guess] as number;
    parts.push(`Shown example: label ${detail.sampleLabel}, the layer says ${guess} (p ${p.toFixed(2)}).`);
  }
  return parts.join(' ');
}

/** "Extinction: 392 cells split, 392 died. 7,840 cells now."; SET and RigL births (no parent cell) read "regrew". */
export function describeCellEvents(events: readonly TopologyEvent[], cells: number): string {
  let births = 0;
  let regrown = 0;
  let deaths = 0;
  let threshold = false;
  for (const e of events) {
    if (e.kind === 'birth' && e.parentEdgeId === undefined && e.cause === 'birth') regrown++;
    else if (e.kind === 'birth') births++;
    else deaths++;
    if (e.cause === 'threshold') threshold = true;
  }
  const what = threshold ? 'Threshold check' : 'Extinction';
  const grew = regrown > 0 ? `${regrown} ${regrown === 1 ? 'cell' : 'cells'} regrew` : `${births} ${births === 1 ? 'cell' : 'cells'} split`;
  return `${what}: ${grew}, ${deaths} died. ${cells.toLocaleString('en-US')} cells now.`;
}
