/** Waxman above the pairwise cap (drawn by cells) against the pairwise draw just below it: the same distribution. */
import { expect, it } from 'vitest';
import { generateGraph, generatorLayoutHint, type GeneratorOptions } from './graph-generators';

function stats(hidden: number): { degree: number; length: number } {
  const opts: GeneratorOptions = { generator: 'waxman', hidden, inputs: 2, outputs: 2, readNode: false, degree: 6, selfLoops: false, seed: 3 };
  const g = generateGraph(opts);
  const hint = generatorLayoutHint(opts);
  const pos = new Map((hint?.kind === 'plane' ? hint.positions : []).map((p) => [p.id, p] as const));
  let n = 0;
  let sum = 0;
  for (const e of g.edges) {
    const [a, b] = [pos.get(e.source), pos.get(e.target)];
    if (!a || !b) continue;
    n++;
    sum += Math.hypot(a.x - b.x, a.y - b.y);
  }
  return { degree: n / hidden, length: sum / n };
}

it('waxman by cells keeps the mean in-degree and the mean edge length of the pairwise draw', () => {
  const pairwise = stats(4096);
  const cells = stats(4097);
  expect(Math.abs(cells.degree / pairwise.degree - 1)).toBeLessThan(0.03);
  expect(Math.abs(cells.length / pairwise.length - 1)).toBeLessThan(0.03);
});
