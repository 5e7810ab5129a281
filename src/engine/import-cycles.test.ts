/** No engine file reaches itself through static imports (a dynamic import, like a descriptor's trainer, is a separate chunk and does not count). */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { findCycle, SRC } from './testing/import-graph';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.test.ts') && !e.name.startsWith('cycle-fixture') ? [p] : [];
  });
}

it('engine files import each other without cycles', () => {
  expect(findCycle(sources(resolve(SRC, 'engine')))).toBeNull();
});

it('the cycle check finds a cycle when there is one', () => {
  // Its own fixture: two files that import each other.
  expect(findCycle([resolve(__dirname, 'testing/cycle-fixture-a.ts'), resolve(__dirname, 'testing/cycle-fixture-b.ts')])).toEqual([
    'engine/testing/cycle-fixture-a.ts',
    'engine/testing/cycle-fixture-b.ts',
    'engine/testing/cycle-fixture-a.ts',
  ]);
});
