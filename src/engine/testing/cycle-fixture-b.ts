/** The other half of import-cycles.test.ts's fixture cycle. */
import { A } from './cycle-fixture-a';

export const B = ['b', A] as const;
