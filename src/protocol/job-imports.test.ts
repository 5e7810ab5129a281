/**
 * The page imports the job protocols and clients, so nothing they load may
 * import tfjs. Walks the value imports from source (type-only imports are
 * erased) and names the chain to the first tfjs import it finds.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '..');

/** The value imports and re-exports of a file (`import type` and `export type` are erased). */
function valueImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
  const out: string[] = [];
  for (const s of source.statements) {
    if (ts.isImportDeclaration(s) && !s.importClause?.isTypeOnly && ts.isStringLiteral(s.moduleSpecifier)) out.push(s.moduleSpecifier.text);
    if (ts.isExportDeclaration(s) && !s.isTypeOnly && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier)) out.push(s.moduleSpecifier.text);
  }
  return out;
}

function resolveLocal(from: string, spec: string): string {
  const base = resolve(dirname(from), spec);
  const found = [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find(existsSync);
  if (!found) throw new Error(`cannot resolve ${spec} from ${from}`);
  return found;
}

/** The import chain from `entry` to a tfjs package, or null when there is none. */
function chainToTfjs(entry: string): string[] | null {
  const parent = new Map<string, string | null>([[entry, null]]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    for (const spec of valueImports(file)) {
      if (spec.startsWith('@tensorflow/')) {
        const chain = [spec];
        for (let f: string | null = file; f; f = parent.get(f) ?? null) chain.unshift(relative(SRC, f));
        return chain;
      }
      if (!spec.startsWith('.')) continue; // other packages (zod, zustand) are not walked
      const next = resolveLocal(file, spec);
      if (!parent.has(next)) {
        parent.set(next, file);
        queue.push(next);
      }
    }
  }
  return null;
}

const PAGE_SIDE = [
  'protocol/job-messages.ts',
  'protocol/battery-messages.ts',
  'protocol/study-messages.ts',
  'client/job-client.ts',
  'client/battery-client.ts',
  'client/study-client.ts',
];

describe('the job protocols import no tfjs', () => {
  for (const file of PAGE_SIDE) {
    it(file, () => {
      expect(chainToTfjs(resolve(SRC, file))).toBeNull();
    });
  }

  it('the walk does find tfjs where it is (the worker side)', () => {
    expect(chainToTfjs(resolve(SRC, 'worker/battery-job.ts'))).toEqual(expect.arrayContaining([expect.stringMatching(/^@tensorflow\//)]));
  });
});
