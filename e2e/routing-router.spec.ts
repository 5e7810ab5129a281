/**
 * Routing modules' router and skip kinds (issue 14), as a person uses them:
 * the Router and Skip path selects make a new stack and land in the URL, a
 * Gumbel / identity-skip stack trains and exports/imports with its skip
 * tensor, and the λs sweep draws a curve per router kind.
 */
import { readFile } from 'node:fs/promises';
import { expect, test } from './fixtures';

test('the Router and Skip path selects train new stacks, land in the URL and survive export and import', async ({ lab, page }, testInfo) => {
  await lab.open('#model=routing&task=gaussian&layers=2&width=8');
  const router = page.getByRole('combobox', { name: /^Router/ });
  const skip = page.getByRole('combobox', { name: /^Skip path/ });
  await expect(router).toHaveValue('soft');
  await expect(skip).toHaveValue('dense');

  await router.selectOption('straight-through');
  await expect(page).toHaveURL(/router=straight-through/);
  await page.getByRole('button', { name: 'Play' }).click();
  const st = await lab.waitFor((s) => s.model === 'routing' && s.step >= 60 && s.detail?.kind === 'routing', '60 straight-through steps', 120_000);
  if (st.detail?.kind !== 'routing') throw new Error('no routing detail');
  expect(st.detail.hardAccuracy).toBeGreaterThan(0.6); // two gaussian blobs: chance is 0.5
  await page.getByRole('button', { name: 'Pause' }).click();
  await lab.waitFor((s) => !s.playing, 'pause');

  await router.selectOption('gumbel');
  await skip.selectOption('identity-diagonal');
  await expect(page).toHaveURL(/router=gumbel/);
  await expect(page).toHaveURL(/skip=identity-diagonal/);
  await lab.waitFor((s) => s.step === 0, 'a new stack');
  await page.getByRole('button', { name: 'Play' }).click();
  const g = await lab.waitFor((s) => s.step >= 60 && s.detail?.kind === 'routing', '60 Gumbel steps', 120_000);
  if (g.detail?.kind !== 'routing') throw new Error('no routing detail');
  expect(g.detail.skippedFraction).toBeGreaterThanOrEqual(0);
  expect(g.detail.batchPExec).toHaveLength(2);
  await page.getByRole('button', { name: 'Pause' }).click();
  const trained = await lab.waitFor((s) => !s.playing, 'pause');
  const before = await lab.predict();

  const downloadPromise = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export' }).click();
  await page.getByRole('menuitem', { name: 'Model (JSON)' }).click();
  const file = testInfo.outputPath('routing-gumbel.json');
  await (await downloadPromise).saveAs(file);
  const doc = JSON.parse(await readFile(file, 'utf8')) as { experiment: { params: Record<string, unknown> }; weights: Record<string, unknown> };
  expect(doc.experiment.params).toMatchObject({ router: 'gumbel', skip: 'identity-diagonal' });
  expect(Object.keys(doc.weights)).toContain('skipD');
  expect(Object.keys(doc.weights)).not.toContain('skipS');
  await page.getByRole('button', { name: 'Reset' }).click();
  await lab.waitFor((s) => s.step === 0, 'reset');
  await page.getByLabel('Import').setInputFiles(file);
  await lab.waitFor((s) => s.step === trained.step, 'the imported step');
  expect(await lab.predict()).toEqual(before);
  await expect(page.getByRole('alert')).toHaveText('');
  await page.screenshot({ path: testInfo.outputPath('routing-router.png') });
});

test('the λs sweep draws a curve per router kind with a legend', async ({ lab, page }, testInfo) => {
  await lab.open('#model=routing&task=gaussian&layers=2&width=8');
  await lab.waitFor((s) => s.detail?.kind === 'routing', 'the routing stack');
  await page.getByRole('button', { name: 'Sweep λs' }).click();
  const table = page.getByRole('table', { name: /sweep/i });
  // Baseline + 6 λs lines, each with a cell per kind; the last straight-through cell fills when the sweep ends.
  await expect(table.locator('tbody tr')).toHaveCount(7, { timeout: 240_000 });
  await expect(table.locator('thead th')).toHaveText(['λs', 'soft: skipped / hard accuracy / lost', 'straight-through: skipped / hard accuracy / lost']);
  await expect(page.getByRole('button', { name: 'Sweep λs' })).toBeEnabled({ timeout: 240_000 });
  await expect(table.locator('tbody tr').last().locator('td')).toHaveCount(2);
  await expect(table.locator('tbody tr').last().locator('td').last()).not.toHaveText('…');
  await expect(page.getByTestId('sweep-legend')).toHaveText('Curves: soft router, straight-through router.');
  await expect(page.locator('path.sw-line[data-router]')).toHaveCount(2);
  await page.screenshot({ path: testInfo.outputPath('routing-sweep-kinds.png') });
});
