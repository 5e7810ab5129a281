/**
 * The models beside LARA and loopy networks, as a person uses them: pick the
 * model, play, see it learn and see its own view; export and import it; the
 * transitions study against BPTT.
 */
import { readFile } from 'node:fs/promises';
import type { Page, TestInfo } from '@playwright/test';
import { expect, test, type Lab } from './fixtures';

/** Export the running network, reset, import it back: the same predictions. */
async function roundTrip(lab: Lab, page: Page, testInfo: TestInfo, model: string): Promise<void> {
  await page.getByRole('button', { name: 'Pause' }).click();
  const trained = await lab.waitFor((s) => !s.playing, 'pause');
  const before = await lab.predict();
  const downloadPromise = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export' }).click();
  await page.getByRole('menuitem', { name: 'Model (JSON)' }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toBe(`loopy-lab-${model}-step${trained.step}.json`);
  const file = testInfo.outputPath(`${model}.json`);
  await download.saveAs(file);
  const doc = JSON.parse(await readFile(file, 'utf8')) as { format: string; version: number; experiment: { model: string } };
  expect(doc).toMatchObject({ format: 'loopy-lab', version: 1, experiment: { model } });
  await page.getByRole('button', { name: 'Reset' }).click();
  await lab.waitFor((s) => s.step === 0, 'reset');
  expect(await lab.predict()).not.toEqual(before);
  await page.getByLabel('Import').setInputFiles(file);
  await lab.waitFor((s) => s.step === trained.step, 'the imported step');
  expect(await lab.predict()).toEqual(before);
  await expect(page.getByRole('alert')).toHaveText('');
}

test('routing modules: pick them, play, watch layers get skipped, sweep λs, export and import', async ({ lab, page }, testInfo) => {
  await lab.open();
  await page.getByRole('combobox', { name: 'Model' }).selectOption('routing');
  await expect(page.getByRole('combobox', { name: 'Task' })).toHaveValue('circle');
  const start = await lab.waitFor((s) => s.model === 'routing' && s.detail?.kind === 'routing', 'the routing stack');
  expect(start.nodes).toBe(6); // input, four routed layers, output
  await page.getByRole('button', { name: 'Play' }).click();
  // Batch losses are sampled at frame rate and noisy: judge learning on the test split.
  const later = await lab.waitFor((s) => s.step >= 300, '300 steps', 180_000);
  // The chain shows each layer's execute probability for the current batch.
  const stack = page.getByRole('list', { name: 'Routing stack' });
  await expect(stack.getByText(/Layer 1: execute \d\.\d\d/)).toBeVisible();
  const detail = later.detail;
  if (detail?.kind !== 'routing') throw new Error('no routing detail');
  expect(detail.softAccuracy).toBeGreaterThan(0.85); // chance is 0.5
  expect(detail.hardAccuracy).toBeGreaterThan(0.6);
  expect(detail.skippedFraction).toBeGreaterThan(0); // λs = 0.05 pushes some layers to skip
  expect(detail.batchPExec).toHaveLength(4);
  for (const p of detail.batchPExec) expect(p).toBeGreaterThanOrEqual(0);
  await page.screenshot({ path: testInfo.outputPath('routing-modules.png') });

  await page.getByRole('button', { name: 'Sweep λs' }).click();
  await expect(page.getByRole('table', { name: /sweep/i }).locator('tbody tr')).toHaveCount(7, { timeout: 240_000 });
  await page.screenshot({ path: testInfo.outputPath('routing-sweep.png') });
  await roundTrip(lab, page, testInfo, 'routing');
});

test('DNA cells: pick them, play, see cells split and die, export and import', async ({ lab, page }, testInfo) => {
  // A short plateau window, so extinction events come within the test.
  await lab.open('#model=dna&task=gaussian&patience=1&warmup=0&split=10&delete=10');
  await expect(page.getByRole('img', { name: 'DNA cells' })).toBeVisible();
  const start = await lab.waitFor((s) => s.detail?.kind === 'dna', 'the DNA layer');
  expect(start.edges).toBe(4); // 2 inputs x 2 classes, one cell each
  await page.getByRole('button', { name: 'Play' }).click();
  const later = await lab.waitFor((s) => s.births > 0 && s.deaths > 0 && s.step >= 30, 'births and deaths', 180_000);
  if (later.detail?.kind !== 'dna') throw new Error('no DNA detail');
  expect(later.detail.testAccuracy).toBeGreaterThan(0.8); // chance is 0.5
  await page.screenshot({ path: testInfo.outputPath('dna-cells.png') });
  await roundTrip(lab, page, testInfo, 'dna');
});

test('DNA cells on MNIST: the digits load from the bundle and the layer learns', async ({ lab, page }, testInfo) => {
  await lab.open();
  await page.getByRole('combobox', { name: 'Model' }).selectOption('dna');
  await expect(page.getByRole('combobox', { name: 'Task' })).toHaveValue('mnist');
  const start = await lab.waitFor((s) => s.detail?.kind === 'dna' && s.edges === 7840, 'the 784 x 10 cells', 120_000);
  await page.getByRole('button', { name: 'Play' }).click();
  // Steps run faster than frames, so batch losses are sampled late and noisy: judge learning on the test split instead.
  const later = await lab.waitFor((s) => s.detail?.kind === 'dna' && s.detail.epoch >= 1 && s.step >= start.step + 150, 'an epoch', 180_000);
  await page.getByRole('button', { name: 'Pause' }).click();
  if (later.detail?.kind !== 'dna') throw new Error('no DNA detail');
  expect(later.detail.testAccuracy).toBeGreaterThan(0.7); // chance is 0.1
  expect(later.loss as number).toBeLessThan(Math.log(10) / 2);
  await page.screenshot({ path: testInfo.outputPath('dna-mnist.png') });
});

test('transition representations against BPTT: both train side by side, refreshes counted, roll-outs scored', async ({ lab, page }, testInfo) => {
  await lab.open();
  await page.getByRole('button', { name: 'Transitions' }).click();
  const panel = page.getByRole('complementary', { name: 'Transition representations' });
  await panel.getByRole('combobox', { name: 'Cell' }).selectOption('gru');
  await expect(panel.getByRole('checkbox', { name: 'Transition representations' })).toBeChecked();
  await panel.getByLabel('Train steps').fill('40');
  await panel.getByRole('button', { name: 'Compare' }).click();
  await expect(panel.getByRole('button', { name: 'Stop' })).toBeVisible();
  const table = panel.getByRole('table', { name: 'Transitions summary' });
  await expect(table.locator('tr[data-mode="bptt"] td[data-test="steps"]')).toHaveText('40', { timeout: 240_000 });
  await expect(panel.getByRole('button', { name: 'Compare' })).toBeVisible();
  const rows = table.locator('tbody tr');
  await expect(rows).toHaveCount(2);
  const refreshes = Number(await table.locator('tr[data-mode="transitions"] td[data-test="refreshes"]').innerText());
  expect(refreshes).toBe(8); // 40 steps, refreshed every 5
  for (const mode of ['transitions', 'bptt']) {
    const acc = Number(await table.locator(`tr[data-mode="${mode}"] td[data-test="rollout-accuracy"]`).innerText());
    expect(acc).toBeGreaterThan(0);
    expect(acc).toBeLessThanOrEqual(1);
  }
  await page.screenshot({ path: testInfo.outputPath('transitions.png') });
});

for (const [kind, label] of [
  ['gru', 'GRU'],
  ['lstm', 'LSTM'],
] as const) {
  test(`${label}: pick it, play, watch its units light up while the loss falls, change the rate live, export and import`, async ({ lab, page }, testInfo) => {
    await lab.open();
    await page.getByRole('combobox', { name: 'Model' }).selectOption(kind);
    await expect(page.getByRole('combobox', { name: 'Task' })).toHaveValue('recall');
    await expect(page).toHaveURL(new RegExp(`model=${kind}`));
    // Recall-2: 4 input symbols, 16 units, 4 classes; every weight an edge.
    // (LARA's default graph has 24 nodes too: the edge count tells the new network has arrived.)
    const start = await lab.waitFor((s) => s.model === kind && s.edges === 4 * 16 + 16 * 16 + 16 * 4, `the ${label}`);
    expect(start.nodes).toBe(4 + 16 + 4);
    await expect(page.getByRole('img', { name: /Activity graph/ })).toBeVisible();
    await page.getByRole('button', { name: 'Play' }).click();
    const early = await lab.waitFor((s) => s.step >= 5 && s.loss !== null, 'the first steps');
    const later = await lab.waitFor((s) => s.step >= 200, '200 steps', 150_000);
    expect(later.loss as number).toBeLessThan((early.loss as number) * 0.6);
    expect(later.frames).toBeGreaterThan(early.frames);
    expect(later.graphPaints).toBeGreaterThan(early.graphPaints);
    const lr = page.getByRole('slider', { name: /Learning rate/ });
    await lr.focus();
    await page.keyboard.press('ArrowLeft');
    await expect(page).toHaveURL(/lr=0\.00\d+/);
    const afterSlider = await lab.snapshot();
    await lab.waitFor((s) => s.step > afterSlider.step + 5, 'training to continue after the live change');
    expect((await lab.snapshot()).nodes).toBe(24);
    await page.screenshot({ path: testInfo.outputPath(`${kind}.png`) });
    await roundTrip(lab, page, testInfo, kind);
  });
}
