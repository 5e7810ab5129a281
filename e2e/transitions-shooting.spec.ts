/**
 * Multiple shooting and re-anchoring in the Transitions panel, as a person
 * uses them: set the sequence length, the segment length and the re-anchor
 * source, run beside BPTT, see both curves and each mode's sequential depth.
 */
import { expect, test } from './fixtures';
import type { Page } from '@playwright/test';

async function openPanel(page: Page) {
  await page.getByRole('button', { name: 'Transitions' }).click();
  const panel = page.getByRole('complementary', { name: 'Transition representations' });
  await panel.getByRole('combobox', { name: 'Cell' }).selectOption('gru');
  return panel;
}

test('segment length: S = 8 of T = 32 trains beside BPTT, both curves drawn, depth 8 against 32', async ({ lab, page }, testInfo) => {
  await lab.open();
  const panel = await openPanel(page);
  await panel.getByRole('combobox', { name: 'Sequence length T' }).selectOption('32');
  const slider = panel.getByRole('slider', { name: /Segment length/ });
  await slider.fill('8');
  await expect(panel.getByText('Segment length 8')).toBeVisible();
  await panel.getByLabel('Train steps').fill('20');
  await panel.getByRole('button', { name: 'Compare' }).click();
  // Fixed while it runs: the segments set the embeddings' layout.
  await expect(slider).toBeDisabled();
  const table = panel.getByRole('table', { name: 'Transitions summary' });
  await expect(table.locator('tr[data-mode="bptt"] td[data-test="steps"]')).toHaveText('20', { timeout: 240_000 });
  await expect(panel.getByRole('button', { name: 'Compare' })).toBeVisible();
  await expect(table.locator('tr[data-mode="transitions"] td[data-test="depth"]')).toHaveText('8');
  await expect(table.locator('tr[data-mode="bptt"] td[data-test="depth"]')).toHaveText('32');
  const chart = panel.getByRole('region', { name: 'Loss over steps' }).locator('.chart');
  await expect(chart).toHaveAttribute('data-points-transitions', '20');
  await expect(chart).toHaveAttribute('data-points-bptt', '20');
  for (const mode of ['transitions', 'bptt']) {
    const acc = Number(await table.locator(`tr[data-mode="${mode}"] td[data-test="rollout-accuracy"]`).innerText());
    expect(acc).toBeGreaterThan(0);
    expect(acc).toBeLessThanOrEqual(1);
  }
  await expect(slider).toBeEnabled();
  await page.screenshot({ path: testInfo.outputPath('transitions-shooting.png'), fullPage: true });
});

test('re-anchor: the target from a roll-out every K steps adds T/K to the depth; refreshes still counted', async ({ lab, page }) => {
  await lab.open();
  const panel = await openPanel(page);
  await panel.getByRole('combobox', { name: 'Re-anchor' }).selectOption('states');
  await panel.getByRole('slider', { name: /Segment length/ }).fill('4');
  await panel.getByLabel('Train steps').fill('20');
  await panel.getByRole('button', { name: 'Compare' }).click();
  await expect(panel.getByRole('combobox', { name: 'Re-anchor' })).toBeDisabled();
  const table = panel.getByRole('table', { name: 'Transitions summary' });
  await expect(table.locator('tr[data-mode="bptt"] td[data-test="steps"]')).toHaveText('20', { timeout: 240_000 });
  // T = 16, S = 4, K = 5: 4 + 16/5.
  await expect(table.locator('tr[data-mode="transitions"] td[data-test="depth"]')).toHaveText('7.2');
  await expect(table.locator('tr[data-mode="bptt"] td[data-test="depth"]')).toHaveText('16');
  await expect(table.locator('tr[data-mode="transitions"] td[data-test="refreshes"]')).toHaveText('4');
  await expect(panel.getByText('About these options (sources, and what is ours)')).toBeVisible();
});
