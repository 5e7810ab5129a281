/** Studies as a job: transition representations against BPTT step by step, or the routing λs sweep stack by stack. */
import { sweepLambda } from '../engine/routing/routing-sweep';
import { TransitionRun } from '../engine/transitions/transition-training';
import { STUDY_JOB, type RoutingSweepStudy, type StudyJobTypes, type TransitionPoint, type TransitionStudy } from '../protocol/study-messages';
import type { JobContext, JobDefinition } from './job-worker';

/** Points are batched so a fast run does not flood the page. */
const POST_EVERY_MS = 100;

/** The modes alternate step by step, so load on the machine hits both alike. */
async function transitions(study: TransitionStudy, ctx: JobContext<StudyJobTypes>): Promise<void> {
  const runs: TransitionRun[] = [];
  try {
    for (const mode of study.modes) runs.push(new TransitionRun({ ...study.options, mode }));
    ctx.onLive((live) => {
      for (const r of runs) if (r.options.mode === 'transitions') r.setLive(live);
    });
    const elapsed = runs.map(() => 0);
    let pending: TransitionPoint[] = [];
    let lastPost = performance.now();
    const evalEvery = Math.max(1, study.evalEvery);
    for (let step = 1; step <= study.steps; step++) {
      for (const [i, run] of runs.entries()) {
        const r = await run.trainStep();
        elapsed[i] = (elapsed[i] as number) + r.ms;
        const rollout = step % evalEvery === 0 || step === study.steps ? await run.rollout() : null;
        pending.push({ mode: run.options.mode, step: r.step, loss: r.loss, ms: elapsed[i], refreshed: r.refreshed, rollout });
      }
      if (performance.now() - lastPost >= POST_EVERY_MS || step === study.steps) {
        ctx.result({ kind: 'transitions', points: pending });
        ctx.progress(step / study.steps);
        pending = [];
        lastPost = performance.now();
      }
      await ctx.yield();
    }
  } finally {
    for (const r of runs) r.dispose();
  }
}

async function sweep(study: RoutingSweepStudy, ctx: JobContext<StudyJobTypes>): Promise<void> {
  await sweepLambda(study.experiment, study.lambdas, study.steps, {
    signal: ctx.signal,
    routers: study.routers,
    onPoint: (point, done, total) => {
      ctx.result({ kind: 'routing-sweep', point });
      ctx.progress(done / total);
    },
  });
}

/** The study job: a transitions comparison or a routing sweep. */
export const studyJob: JobDefinition<StudyJobTypes> = {
  kind: STUDY_JOB,
  run: (study, ctx) => (study.kind === 'transitions' ? transitions(study, ctx) : sweep(study, ctx)),
};
