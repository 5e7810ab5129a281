/** A probe's gates: one [L, K] row per tick, or one row shared by every tick. */
import { expect, it } from 'vitest';
import { gateRowOffset } from './probe-trace';

const trace = (ticks: number, rows: number) => ({ ticks, K: 3, nodeIds: Int32Array.from([7, 8]), gates: new Float32Array(rows * 2 * 3) });

it('per-tick gates start at tick x L x K; a single shared row serves every tick', () => {
  expect([0, 1, 4].map((t) => gateRowOffset(trace(5, 5), t))).toEqual([0, 6, 24]);
  expect([0, 1, 4].map((t) => gateRowOffset(trace(5, 1), t))).toEqual([0, 0, 0]);
  expect(gateRowOffset(trace(1, 1), 0)).toBe(0);
});
