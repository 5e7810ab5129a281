/**
 * A first run worth watching: growth stops once a task is solved, and Random
 * circuit leaves chance within what a minute of training gives. Everything is
 * counted in train steps, never seconds. A minute's steps on wasm in headless
 * Chromium: the default LARA runs at about 15 steps/s (900 a minute); the
 * default loopy network (200 neurons, 3 ticks a symbol) ran at 2.8 steps/s here
 * (91 steps in 32 s, a loaded 2-core machine), so 170 a minute. Node step
 * counts for the same runs: src/bench/first-run.ts.
 */
import type { LabSnapshot } from '../src/app/test-api';
import { expect, test, type Lab } from './fixtures';

const LARA_STEPS_PER_MINUTE = 900;
const LOOPY_STEPS_PER_MINUTE = 170;
/** Random circuit has 3 outputs: chance is 1/3 accuracy and ln 3 nats. */
const CIRCUIT_CHANCE = { accuracy: 1 / 3, loss: Math.log(3) };
/** "Left chance": accuracy 0.1 above chance and loss 0.05 nats below ln 3, on the same step. */
const MARGIN = { accuracy: 0.1, loss: 0.05 };

test.setTimeout(360_000);

/** Polls snapshots until `done` holds, keeping the first snapshot where `mark` held. */
async function watch(lab: Lab, mark: (s: LabSnapshot) => boolean, done: (s: LabSnapshot, marked: LabSnapshot | null) => boolean, what: string): Promise<{ marked: LabSnapshot | null; last: LabSnapshot }> {
  let marked: LabSnapshot | null = null;
  const last = await lab.waitFor(
    (s) => {
      if (marked === null && mark(s)) marked = s;
      return done(s, marked);
    },
    what,
    300_000,
  );
  return { marked, last };
}

test('with growth on, a solved task stops adding nodes once its loss is low', async ({ lab, page }) => {
  await lab.open('#task=recall&seed=1&growth=1');
  await expect(page.getByRole('checkbox', { name: 'Growth' })).toBeChecked();
  await page.getByRole('button', { name: 'Play' }).click();
  const after = 300;
  const { marked: low, last } = await watch(
    lab,
    (s) => s.loss !== null && s.loss < 0.05,
    (s, m) => m !== null && s.step >= m.step + after,
    `a low loss, then ${after} more steps`,
  );
  await page.getByRole('button', { name: 'Pause' }).click();
  const solved = low as LabSnapshot;
  // The visits-only rule (the build before the plateau trigger) had 4 births in these 300 steps.
  console.log(`growth on a solved task: loss < 0.05 at step ${solved.step}; births ${solved.births} before, ${last.births - solved.births} in the ${last.step - solved.step} steps after; deaths ${last.deaths}`);
  expect(last.births - solved.births, `births in the ${last.step - solved.step} steps after the loss fell below 0.05 at step ${solved.step}`).toBeLessThanOrEqual(1);
  expect(last.nodes).toBe(24 + last.births - last.deaths);
  expect(last.nodes).toBeLessThanOrEqual(25);
});

for (const [model, hash, stepsPerMinute] of [
  ['LARA', '#task=circuit&seed=1', LARA_STEPS_PER_MINUTE],
  ['loopy network', '#model=loopy&task=circuit&seed=1', LOOPY_STEPS_PER_MINUTE],
] as const) {
  test(`${model}: Random circuit at its defaults leaves chance within a minute's steps (${stepsPerMinute})`, async ({ lab, page }) => {
    await lab.open(hash);
    await page.getByRole('button', { name: 'Play' }).click();
    const t0 = Date.now();
    const left = (s: LabSnapshot): boolean =>
      s.accuracy !== null && s.loss !== null && s.accuracy > CIRCUIT_CHANCE.accuracy + MARGIN.accuracy && s.loss < CIRCUIT_CHANCE.loss - MARGIN.loss;
    const { marked, last } = await watch(lab, left, (s, m) => m !== null || s.step >= stepsPerMinute, `accuracy above chance or ${stepsPerMinute} steps`);
    await page.getByRole('button', { name: 'Pause' }).click();
    // The rate this run trained at, for the record (not asserted: the machine's load varies).
    console.log(`${model} circuit: ${last.step} steps in ${((Date.now() - t0) / 1000).toFixed(1)} s; left chance at step ${marked?.step ?? 'never'}`);
    expect(marked, `accuracy ${last.accuracy} and loss ${last.loss} at step ${last.step}`).not.toBeNull();
    expect((marked as LabSnapshot).step).toBeLessThanOrEqual(stepsPerMinute);
  });
}
