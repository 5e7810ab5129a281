/**
 * Sections of docs/RESULTS.md that a study command writes on its own
 * (`npm run study -- NAME --write`), kept between markers so that
 * `npm run results`, which rewrites the rest of the file, carries them over
 * and a study rerun replaces only its own section.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export const RESULTS_FILE = 'docs/RESULTS.md';
/** The heading the study sections sit under, after the battery's sections. */
export const STUDIES_HEADING = '## Studies (each from its own command)';

const begin = (name: string): string => `<!-- study:${name} -->`;
const end = (name: string): string => `<!-- /study:${name} -->`;
const SECTION = /<!-- study:([a-z0-9-]+) -->\n[\s\S]*?<!-- \/study:\1 -->/g;

/** Every study section in a document, name → the marked block (markers included), in document order. */
export function studySections(doc: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of doc.matchAll(SECTION)) found.set(m[1] ?? '', m[0]);
  return found;
}

/** The document with the named section set to `markdown`: replaced where it is, else appended under the studies heading. */
export function withStudySection(doc: string, name: string, markdown: string): string {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`study section name "${name}" must be lower-case words joined by dashes`);
  const block = `${begin(name)}\n${markdown.trim()}\n${end(name)}`;
  const old = studySections(doc).get(name);
  if (old !== undefined) return doc.replace(old, () => block);
  const base = doc.includes(STUDIES_HEADING) ? doc.trimEnd() : `${doc.trimEnd()}\n\n${STUDIES_HEADING}`;
  return `${base}\n\n${block}\n`;
}

/** A freshly generated document with the study sections of the previous one carried over. */
export function keepStudySections(fresh: string, previous: string): string {
  let doc = fresh;
  for (const [name, block] of studySections(previous)) {
    const inner = block.slice(begin(name).length + 1, block.length - end(name).length - 1);
    doc = withStudySection(doc, name, inner);
  }
  return doc;
}

/** Writes one study's section into the results file (created if missing). */
export function writeStudySection(name: string, markdown: string, file = RESULTS_FILE): void {
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Battery results\n';
  writeFileSync(file, withStudySection(doc, name, markdown));
}
