/**
 * The LARA ablation study as the page knows it: the claims, the runs they
 * need and the statistics and verdicts over their results. Plain data and
 * arithmetic from the engine (no tfjs): the battery job runs the runs.
 */
export {
  ablationRuns,
  claimVerdicts,
  fmt,
  LARA_CLAIMS,
  summariseAblations,
  type AblationResult,
  type AblationRun,
  type ClaimVerdict,
  type LaraClaim,
  type VariantTaskSummary,
} from '../engine/battery/lara-ablations';
export type { StudyTestId } from '../engine/battery/battery-tests';
export type { LaraParams } from '../engine/lara/lara-params';
