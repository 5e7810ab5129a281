/**
 * The static import graph of the sources, for tests that guard the bundle's
 * shape: value imports and re-exports only (`import type` is erased, a
 * dynamic `import()` is a separate chunk), local files resolved, packages
 * kept as their names. Node-only (reads files); never imported by the lab.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';

export const SRC = resolve(__dirname, '../..');

/** The value imports and re-exports of a file, as written. */
export function valueImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
  const out: string[] = [];
  for (const s of source.statements) {
    if (ts.isImportDeclaration(s) && !s.importClause?.isTypeOnly && ts.isStringLiteral(s.moduleSpecifier)) out.push(s.moduleSpecifier.text);
    if (ts.isExportDeclaration(s) && !s.isTypeOnly && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier)) out.push(s.moduleSpecifier.text);
  }
  return out;
}

export function resolveLocal(from: string, spec: string): string {
  const base = resolve(dirname(from), spec);
  const found = [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find(existsSync);
  if (!found) throw new Error(`cannot resolve ${spec} from ${from}`);
  return found;
}

/** The import chain (paths relative to src/) from `entry` to the first package matching `target`, or null. */
export function chainTo(entry: string, target: RegExp): string[] | null {
  const parent = new Map<string, string | null>([[entry, null]]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    for (const spec of valueImports(file)) {
      if (target.test(spec)) {
        const chain = [spec];
        for (let f: string | null = file; f; f = parent.get(f) ?? null) chain.unshift(relative(SRC, f));
        return chain;
      }
      if (!spec.startsWith('.') || spec.endsWith('.css')) continue; // other packages (zod, react) are not walked
      const next = resolveLocal(file, spec);
      if (!parent.has(next)) {
        parent.set(next, file);
        queue.push(next);
      }
    }
  }
  return null;
}

/** One import cycle among `files` (as a closed path relative to src/), or null. */
export function findCycle(files: readonly string[]): string[] | null {
  const inSet = new Set(files);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): string[] | null => {
    state.set(file, 'open');
    stack.push(file);
    for (const spec of valueImports(file)) {
      if (!spec.startsWith('.') || spec.endsWith('.css')) continue;
      const next = resolveLocal(file, spec);
      if (!inSet.has(next)) continue;
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next].map((f) => relative(SRC, f));
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(file, 'done');
    return null;
  };
  for (const f of files) {
    if (state.has(f)) continue;
    const found = visit(f);
    if (found) return found;
  }
  return null;
}
