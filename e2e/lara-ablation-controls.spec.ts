/** LARA's ablation controls (issue 13): Routing is live, Bias makes a new network; both train and land in the URL. */
import { expect, test } from './fixtures';

test('the Routing select changes the running experiment, the Bias checkbox starts a network with biases', async ({ lab, page }) => {
  await lab.open('#seed=1');
  await page.getByRole('button', { name: 'Play' }).click();
  const early = await lab.waitFor((s) => s.step >= 5 && s.loss !== null, 'the first steps');

  // Live: the same run goes on with random-walk routing.
  await page.getByRole('combobox', { name: /Routing/ }).selectOption('random-walk');
  await expect(page).toHaveURL(/routing=random-walk/);
  const walking = await lab.waitFor((s) => s.step > early.step + 10, 'training to go on under a random walk');
  expect(Number.isFinite(walking.loss as number)).toBe(true);
  await page.getByRole('combobox', { name: /Routing/ }).selectOption('all-active');
  await expect(page).toHaveURL(/routing=all-active/);
  const allActive = await lab.waitFor((s) => s.step > walking.step + 10, 'training to go on with every node active');
  expect(Number.isFinite(allActive.loss as number)).toBe(true);

  // Not live: a network with biases starts afresh (the step count restarts) and trains.
  await page.getByRole('button', { name: 'Pause' }).click();
  await lab.waitFor((s) => !s.playing, 'pause');
  await page.getByRole('checkbox', { name: 'Bias' }).check();
  await expect(page).toHaveURL(/bias=1/);
  await lab.waitFor((s) => s.step < allActive.step, 'a new network');
  await page.getByRole('button', { name: 'Play' }).click();
  const biased = await lab.waitFor((s) => s.step >= 10 && s.loss !== null, 'a network with biases to train');
  expect(Number.isFinite(biased.loss as number)).toBe(true);
  expect((await lab.predict()).every(Number.isFinite)).toBe(true);
});
