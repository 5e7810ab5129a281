/** How the battery table prints, compares and exports scores (pure, so it is unit-tested). */
import { BATTERY, type BatteryTestId } from '../protocol/battery-messages';
import type { BatteryRow, BatteryState } from '../store/lab-store';

/** Where a row's model diverged ("circuit, train step 37"), or null. */
export function divergedWhere(row: BatteryRow | undefined): string | null {
  const d = row?.diverged;
  if (!d) return null;
  return d.step > 0 ? `${d.phase}, train step ${d.step}` : d.phase;
}

/** Counts (symbols, steps) print as integers; fractions with three digits, large values with none; a diverged model has no score. */
export function formatScore(row: BatteryRow | undefined): string {
  if (!row) return '…';
  if (row.diverged) return 'diverged';
  if (!Number.isFinite(row.score)) return 'n/a';
  if (Number.isInteger(row.score) || Math.abs(row.score) >= 10) return row.score.toFixed(0);
  return row.score.toFixed(3);
}

/** How a baseline's score compares with this experiment's (the table's first column), in the test's direction. */
export function comparedWith(test: BatteryTestId, score: number | undefined, reference: number | undefined): 'better' | 'worse' | 'same' | null {
  if (score === undefined || reference === undefined || !Number.isFinite(score) || !Number.isFinite(reference)) return null;
  const tolerance = 1e-9 * Math.max(1, Math.abs(reference));
  if (Math.abs(score - reference) <= tolerance) return 'same';
  const higher = score > reference;
  return higher === (BATTERY[test].better === 'higher') ? 'better' : 'worse';
}


/** The table as CSV: one line per result; `diverged` names where the model diverged (its score is then empty). */
export function batteryCsv(state: Pick<BatteryState, 'rows' | 'jobs'>): string {
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const lines = ['test,model,params,score,unit,steps,ms,diverged'];
  for (const r of state.rows) {
    const job = state.jobs[r.job];
    const where = divergedWhere(r);
    const score = !where && Number.isFinite(r.score) ? r.score : '';
    lines.push([r.test, quote(job?.model ?? r.model), quote(JSON.stringify(job?.params ?? {})), score, quote(r.unit), r.steps, r.ms, where ? quote(where) : ''].join(','));
  }
  return `${lines.join('\n')}\n`;
}
