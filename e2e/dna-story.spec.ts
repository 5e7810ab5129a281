/**
 * The DNA layer's birth-and-death story (issue 11, defect 5): on the 2-D
 * Gaussian set a 4-cell layer splits one cell and kills one at each
 * extinction, so its count never moves; the Cells chart must still show the
 * turnover per extinction, and draw its loss line. Read from the chart's
 * data attributes and aria description (numbers, not pixels).
 */
import { expect, test } from './fixtures';

test('DNA Cells chart: births and deaths per extinction, and a loss line', async ({ lab, page }, testInfo) => {
  await lab.open('#model=dna&task=gaussian&seed=1');
  const start = await lab.waitFor((s) => s.detail?.kind === 'dna', 'the DNA layer');
  if (start.detail?.kind !== 'dna') throw new Error('no DNA detail');
  const cells = start.detail.cells;
  expect(cells).toBe(4); // 2 inputs x 2 classes

  await page.getByRole('button', { name: 'Play' }).click();
  // A few extinctions: with the default warm-up and patience they come every few epochs of 4 steps.
  await lab.waitFor((s) => s.births >= 5 && s.deaths >= 5, 'five births and five deaths');
  await page.getByRole('button', { name: 'Pause' }).click();
  const paused = await lab.waitFor((s) => !s.playing, 'pause');
  if (paused.detail?.kind !== 'dna') throw new Error('no DNA detail');
  // Births equal deaths: the count is flat, which is why the chart needs the bars.
  expect(paused.detail.cells).toBe(cells + paused.births - paused.deaths);

  // The view's Born and Died count every cell, also those born and dead between two frames.
  const stats = page.getByLabel('DNA layer', { exact: true });
  await expect(stats.locator('div', { hasText: 'Born' }).locator('dd')).toHaveText(paused.births.toLocaleString('en-US'));
  await expect(stats.locator('div', { hasText: 'Died' }).locator('dd')).toHaveText(paused.deaths.toLocaleString('en-US'));

  const chart = page.getByRole('region', { name: 'Cells chart' }).locator('.dna-cells-chart');
  // Every extinction the client saw is on the chart, with the same totals.
  await expect(chart).toHaveAttribute('data-births', String(paused.births));
  await expect(chart).toHaveAttribute('data-deaths', String(paused.deaths));
  const extinctions = Number(await chart.getAttribute('data-extinctions'));
  // 5% of 4 cells, rounded up: one split and one death at each.
  expect(extinctions).toBe(paused.births);
  expect(Number(await chart.getAttribute('data-turnover-columns'))).toBeGreaterThan(0);

  // The loss line: points, on a scale fitted to them (the step-0 frame has no steps; its NaN loss used to leave the scale unset, so no line).
  expect(Number(await chart.getAttribute('data-loss-points'))).toBeGreaterThan(5);
  const pair = async (name: string): Promise<[number, number]> => {
    const [a = NaN, b = NaN] = ((await chart.getAttribute(name)) ?? '').split(',').map(Number);
    return [a, b];
  };
  const [dataMin, dataMax] = await pair('data-loss-extent');
  const [scaleMin, scaleMax] = await pair('data-loss-scale');
  expect(dataMax).toBeGreaterThan(dataMin);
  expect(scaleMin).toBeLessThan(dataMin);
  expect(scaleMax).toBeGreaterThan(dataMax);
  expect(scaleMax).toBeLessThan(dataMax + 0.25 * (dataMax - dataMin));

  // Screen readers get the same numbers.
  await expect(page.getByRole('region', { name: 'Cells chart' })).toHaveAccessibleDescription(
    new RegExp(`^${extinctions.toLocaleString('en-US')} extinctions so far: ${paused.births.toLocaleString('en-US')} cells born and ${paused.deaths.toLocaleString('en-US')} died`),
  );
  // Hovering the newest bar names its extinction.
  const box = await chart.locator('.u-over').boundingBox();
  if (!box) throw new Error('no plot');
  await page.mouse.move(box.x + box.width - 2, box.y + box.height * 0.85);
  await expect(chart.locator('.dna-turnover-tip')).toHaveText(/born, \d+ died/);
  await page.screenshot({ path: testInfo.outputPath('dna-story.png') });
});
