/**
 * The training worker's pacing as a person meets it: Play pressed while a
 * slow dataset loads, and the held-out curve's points.
 */
import { expect, test } from './fixtures';

test('Play pressed while MNIST loads starts training once the trainer is ready, and says what it loads', async ({ lab, page }) => {
  // DNA's default task is MNIST: about 20 MB of digits to load before the first frame.
  await page.goto('/#model=dna');
  await page.waitForFunction(() => window.__loopyLab !== undefined);
  const play = page.getByRole('button', { name: 'Play' });
  await play.click();
  const pressed = await lab.snapshot();
  expect(pressed.frames, 'Play was pressed before the first frame').toBe(0);
  await expect(page.getByTestId('loading')).toHaveText(/Loading MNIST/);
  const running = await lab.waitFor((s) => s.step > 0, 'training to start without a second press', 120_000);
  expect(running.model).toBe('dna');
  await expect(page.getByTestId('loading')).toHaveCount(0);
  // The held-out curve: points on the test split, taken while it trains.
  const evaluated = await lab.waitFor((s) => s.heldOut !== null && s.heldOut.step > 0, 'a held-out point after training began', 60_000);
  const h = evaluated.heldOut;
  if (!h) throw new Error('no held-out point');
  expect(Number.isFinite(h.loss)).toBe(true);
  expect(h.accuracy).toBeGreaterThanOrEqual(0);
  expect(h.accuracy).toBeLessThanOrEqual(1);
});
