/** The routing view's side panel: the λs sweep of layer executions skipped against accuracy lost for two router kinds, run in the study worker. */
import type { RouterKind } from '../protocol/study-messages';
import { RoutingSweepChart } from './RoutingSweepChart';
import { useLab, useStudy, useStudyClient } from './lab-context';

/** λs values of the compute-saved vs accuracy-lost sweep, and train steps per stack. */
const SWEEP_LAMBDAS = [0, 0.01, 0.05, 0.1, 0.2, 0.5];
const SWEEP_STEPS = 400;

export function RoutingSweep() {
  const study = useStudyClient();
  const state = useStudy();
  const experiment = useLab((s) => s.experiment);
  const mine = state.kind === 'routing-sweep';
  const running = mine && state.running;
  // The seed's soft router against the experiment's other kind (straight-through when the experiment is soft).
  const routers: RouterKind[] = experiment.model === 'routing' && experiment.params.router !== 'soft' ? ['soft', experiment.params.router] : ['soft', 'straight-through'];
  const progress = mine ? (state.message ?? (running ? `${Math.round(state.progress * 100)}% of ${SWEEP_LAMBDAS.length * routers.length + 1} stacks` : undefined)) : undefined;
  return (
    <RoutingSweepChart
      rows={mine ? state.sweepPoints : []}
      running={running}
      onRun={() => {
        // This panel sits beside the routing view only, which only routing stacks use.
        if (experiment.model === 'routing') study.start({ kind: 'routing-sweep', experiment, lambdas: SWEEP_LAMBDAS, routers, steps: SWEEP_STEPS });
      }}
      {...(progress ? { progress } : {})}
    />
  );
}
