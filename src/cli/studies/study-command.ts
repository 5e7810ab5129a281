/**
 * What a study command is: `npm run study -- NAME [flags]` loads
 * src/cli/studies/NAME.ts and runs its `study`. A study prints JSON lines on
 * stdout (one per run, then its summaries), a readable table on stderr, and
 * with --write puts its markdown section into docs/RESULTS.md
 * (results-sections.ts), where `npm run results` keeps it.
 */
import type { CliFlags } from '../cli-flags';

export { CliFlags as StudyFlags } from '../cli-flags';

export interface StudyCommand {
  /** One line for the usage text. */
  readonly summary: string;
  /** Its own flags, for the usage text ("[--seeds N] [--steps N]"). */
  readonly usage: string;
  run(flags: CliFlags): Promise<void>;
}
