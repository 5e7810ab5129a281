/** How the battery table prints and compares scores (pure, so it is unit-tested). */
import { BATTERY, type BatteryTestId } from '../protocol/battery-messages';
import type { BatteryRow } from '../store/lab-store';

/** Counts (symbols, steps) print as integers; fractions with three digits, large values with none. */
export function formatScore(row: BatteryRow | undefined): string {
  if (!row) return '…';
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

