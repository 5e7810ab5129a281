/**
 * DNA regrowth as a person uses it: pick gradient regrowth (RigL) and a
 * density, play, see cells die and regrow with the pair count kept, export
 * and import; the same for random regrowth (SET) with per-cell biases set
 * from a link. A 2-D set has 4 input-output pairs, so density 75% (3 pairs)
 * is the lowest at which a cell can die: at 50% each output's only cell is
 * protected.
 */
import { readFile } from 'node:fs/promises';
import type { Page, TestInfo } from '@playwright/test';
import { expect, test, type Lab } from './fixtures';

/** Export the running layer, reset, import it back: the same predictions and parameters. */
async function roundTrip(lab: Lab, page: Page, testInfo: TestInfo, want: Record<string, unknown>): Promise<void> {
  await page.getByRole('button', { name: 'Pause' }).click();
  const trained = await lab.waitFor((s) => !s.playing, 'pause');
  const before = await lab.predict();
  const downloadPromise = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export' }).click();
  await page.getByRole('menuitem', { name: 'Model (JSON)' }).click();
  const file = testInfo.outputPath('dna.json');
  await (await downloadPromise).saveAs(file);
  const doc = JSON.parse(await readFile(file, 'utf8')) as { experiment: { model: string; params: Record<string, unknown> }; graph: { edges: { source: number; target: number }[] } };
  expect(doc.experiment.model).toBe('dna');
  expect(doc.experiment.params).toMatchObject(want);
  // SET and RigL regrow as many pairs as died and never put a second cell on a pair: 3 cells on 3 pairs.
  expect(doc.graph.edges.length).toBe(3);
  expect(new Set(doc.graph.edges.map((e) => `${e.source}>${e.target}`)).size).toBe(3);
  await page.getByRole('button', { name: 'Reset' }).click();
  await lab.waitFor((s) => s.step === 0, 'reset');
  expect(await lab.predict()).not.toEqual(before);
  await page.getByLabel('Import').setInputFiles(file);
  await lab.waitFor((s) => s.step === trained.step, 'the imported step');
  expect(await lab.predict()).toEqual(before);
  expect((await lab.snapshot()).edges).toBe(trained.edges);
  await expect(page.getByRole('alert')).toHaveText('');
}

test('DNA gradient regrowth (RigL) at 75% density: pick it, play, cells die and regrow on 3 pairs, export and import', async ({ lab, page }, testInfo) => {
  // A short plateau window, so extinction events come within the test.
  await lab.open('#model=dna&task=xor&patience=1&warmup=0&delete=25');
  await lab.waitFor((s) => s.detail?.kind === 'dna' && s.edges === 4, 'the fully connected layer');
  await page.getByRole('combobox', { name: 'Regrowth' }).selectOption('rigl');
  // The control's help line (its title) names the paper.
  await expect(page.locator('label[title*="Evci et al. 2020"]')).toHaveCount(1);
  await page.getByRole('slider', { name: /Density/ }).fill('75');
  await lab.waitFor((s) => s.detail?.kind === 'dna' && s.edges === 3 && s.step === 0, 'the layer at 75% density');
  await expect(page).toHaveURL(/regrowth=rigl/);
  await expect(page).toHaveURL(/density=0\.75/);
  await page.getByRole('button', { name: 'Play' }).click();
  const later = await lab.waitFor((s) => s.births > 0 && s.deaths > 0 && s.step >= 30, 'deaths and regrowth', 180_000);
  expect(later.edges).toBe(3);
  await page.screenshot({ path: testInfo.outputPath('dna-rigl.png') });
  await roundTrip(lab, page, testInfo, { regrowth: 'rigl', density: 0.75, bias: 'per-output' });
});

test('DNA random regrowth (SET) with per-cell biases from a link: cells die and regrow, export and import', async ({ lab, page }, testInfo) => {
  await lab.open('#model=dna&task=xor&regrowth=set&density=0.75&bias=per-cell&patience=1&warmup=0&delete=25');
  await expect(page.getByRole('combobox', { name: 'Regrowth' })).toHaveValue('set');
  await expect(page.getByRole('combobox', { name: 'Bias' })).toHaveValue('per-cell');
  await lab.waitFor((s) => s.detail?.kind === 'dna' && s.edges === 3, 'the layer at 75% density');
  await page.getByRole('button', { name: 'Play' }).click();
  const later = await lab.waitFor((s) => s.births > 0 && s.deaths > 0 && s.step >= 30, 'deaths and regrowth', 180_000);
  expect(later.edges).toBe(3);
  await roundTrip(lab, page, testInfo, { regrowth: 'set', density: 0.75, bias: 'per-cell' });
});
