import { describe, expect, it } from 'vitest';
import type { TransitionPoint } from '../../protocol/study-messages';
import { transitionCurves } from './transition-curves';

const point = (mode: TransitionPoint['mode'], step: number, loss: number, ms: number, extra: Partial<TransitionPoint> = {}): TransitionPoint => ({
  mode,
  step,
  loss,
  ms,
  refreshed: false,
  rollout: null,
  ...extra,
});

describe('transitionCurves', () => {
  it('aligns both modes by step, marks refreshes, and orders the seconds axis', () => {
    const c = transitionCurves(
      [point('transitions', 1, 1.4, 10), point('bptt', 1, 1.3, 30), point('transitions', 2, 1.2, 20, { refreshed: true }), point('bptt', 2, 1.0, 60)],
      0.5,
    );
    expect(c.bySteps[0]).toEqual([1, 2]);
    expect(c.bySteps[1]).toEqual([1.4, 1.2]);
    expect(c.bySteps[2]).toEqual([1.3, 1.0]);
    expect(c.bySteps[3]).toEqual([null, 1.2]);
    expect(c.bySeconds[0]).toEqual([0.01, 0.02, 0.03, 0.06]);
    expect(c.bySeconds[1]).toEqual([1.4, 1.2, null, null]);
    expect(c.bySeconds[2]).toEqual([null, null, 1.3, 1.0]);
    expect(c.summaries.find((s) => s.mode === 'transitions')?.refreshes).toBe(1);
    expect(c.summaries.find((s) => s.mode === 'bptt')?.refreshes).toBe(0);
  });

  it('takes steps and seconds to target from the first roll-out at or under it', () => {
    const c = transitionCurves(
      [
        point('bptt', 10, 0.9, 500, { rollout: { loss: 0.8, accuracy: 0.6 } }),
        point('bptt', 20, 0.4, 1000, { rollout: { loss: 0.45, accuracy: 0.9 } }),
        point('bptt', 30, 0.2, 1500, { rollout: { loss: 0.3, accuracy: 0.95 } }),
        point('transitions', 10, 0.5, 200, { rollout: { loss: 1.1, accuracy: 0.3 } }),
      ],
      0.5,
    );
    const bptt = c.summaries.find((s) => s.mode === 'bptt');
    const tr = c.summaries.find((s) => s.mode === 'transitions');
    expect(bptt).toMatchObject({ steps: 30, stepsToTarget: 20, secondsToTarget: 1, lastRollout: { step: 30, accuracy: 0.95 } });
    expect(tr).toMatchObject({ stepsToTarget: null, secondsToTarget: null, lastRollout: { loss: 1.1 } });
  });
});
