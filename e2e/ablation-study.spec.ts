/** LARA's claims by ablation from the Battery panel: the study starts on the current settings, fills its table as runs land, shows progress, and Cancel keeps what finished. */
import { expect, test } from './fixtures';

test('the ablation study runs the variants of the current LARA settings with progress, and Cancel keeps the finished runs', async ({ lab, page }, testInfo) => {
  await lab.open();
  await page.getByRole('button', { name: 'Battery' }).click();
  const panel = page.getByRole('complementary', { name: 'Battery' });
  const study = panel.getByRole('group', { name: 'LARA’s claims by ablation' });
  await expect(study).toContainText('bias on, gate sigmoid, gate softmax, routing random-walk, routing all-active, resting on, growth on');
  await study.getByLabel('Seeds').selectOption('1');
  await study.getByLabel('Study train steps').fill('10');
  await study.getByRole('button', { name: 'Start ablation study' }).click();

  const table = panel.getByRole('table', { name: 'Ablation study' });
  await expect(table.getByRole('row')).toHaveCount(9); // header + 8 variants
  await expect(table.getByRole('rowheader').first()).toHaveText('base (bias off, gate gaussian, routing argmax, resting off, growth off)');
  await expect(panel.getByText(/^Running .* \(learning curve\)… \d+%$/)).toBeVisible();
  // The base runs first: its three tasks land, each with a score and the steps to its criterion.
  const base = table.locator('td[data-variant="base"]');
  await expect(base.filter({ hasText: /^\d\.\d{3}/ })).toHaveCount(3, { timeout: 180_000 });
  await expect(base.first()).toContainText(/steps \(1\/1\)|not reached \(0\/1\)/);
  const progress = Number(await panel.getByRole('progressbar', { name: 'Battery progress' }).getAttribute('value'));
  expect(progress).toBeGreaterThan(0);
  expect(progress).toBeLessThan(1);
  await page.screenshot({ path: testInfo.outputPath('ablation-study.png') });

  await panel.getByRole('button', { name: 'Cancel' }).click();
  await expect(panel.getByText('Cancelled.')).toBeVisible({ timeout: 30_000 });
  await expect(base.filter({ hasText: /^\d\.\d{3}/ })).toHaveCount(3);
  await expect(panel.getByText('The verdicts follow when every run has finished.')).toBeVisible();
  // The experiment itself was left alone.
  expect((await lab.snapshot()).step).toBe(0);
});
