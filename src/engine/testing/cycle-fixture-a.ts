/** Half of an import cycle on purpose: the fixture of import-cycles.test.ts (nothing else imports it). */
import { B } from './cycle-fixture-b';

export const A = (): string => `a${B.length}`;
