/**
 * npm run study -- NAME [flags]: runs one study (src/cli/studies/NAME.ts).
 * Each study is its own file, so adding one touches nothing here.
 * `npm run study -- --help` lists them with their flags.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StudyFlags, type StudyCommand } from './studies/study-command';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'studies');
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'study-command.ts')
  .map((f) => f.slice(0, -3))
  .sort();
const load = async (name: string): Promise<StudyCommand> => ((await import(join(dir, `${name}.ts`))) as { study: StudyCommand }).study;

const [name, ...rest] = process.argv.slice(2);
if (!name || name === '--help' || !names.includes(name)) {
  const lines = await Promise.all(names.map(async (n) => { const s = await load(n); return `  npm run study -- ${n} ${s.usage}\n      ${s.summary}`; }));
  console.error(`usage:\n${lines.join('\n')}\n(--write, where a study has it, puts its section into docs/RESULTS.md)`);
  if (name && name !== '--help') console.error(`study: unknown study "${name}"`);
  process.exit(name === '--help' ? 0 : 2);
}
await (await load(name)).run(new StudyFlags(`study ${name}`, rest));
