/**
 * The page must not load tfjs: nothing it imports statically may import it,
 * from main.tsx down (the trainers are dynamic imports, loaded in workers).
 * Walks the value imports from source and names the chain to the first tfjs
 * import it finds.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chainTo, SRC } from '../engine/testing/import-graph';

const TFJS = /^@tensorflow\//;

const PAGE_SIDE = [
  'app/main.tsx',
  'protocol/experiment.ts',
  'protocol/model-document.ts',
  'protocol/job-messages.ts',
  'protocol/battery-messages.ts',
  'protocol/study-messages.ts',
  'client/job-client.ts',
  'client/battery-client.ts',
  'client/study-client.ts',
];

describe('the page imports no tfjs', () => {
  for (const file of PAGE_SIDE) {
    it(file, () => {
      expect(chainTo(resolve(SRC, file), TFJS)).toBeNull();
    });
  }

  it('the walk does find tfjs where it is (the worker side)', () => {
    expect(chainTo(resolve(SRC, 'worker/battery-job.ts'), TFJS)).toEqual(expect.arrayContaining([expect.stringMatching(TFJS)]));
    expect(chainTo(resolve(SRC, 'engine/lara/lara-trainer.ts'), TFJS)).not.toBeNull();
  });
});
