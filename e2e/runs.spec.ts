/**
 * Runs kept and compared, in the production build: train a run, train it
 * again with one change (Runs panel), overlay both (two uPlot series, then
 * against training seconds and on a log scale), then reload the page and
 * resume the last run from its checkpoint: the step goes on from there and
 * the loss chart has the earlier points back.
 */
import { mkdir } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import type { StoredRunSummary } from '../src/app/test-api';
import { expect, test, type Lab } from './fixtures';

const runs = (page: Page): Promise<StoredRunSummary[]> => page.evaluate(() => window.__loopyLab!.runs());
const currentRun = (page: Page) => page.evaluate(() => window.__loopyLab!.currentRun());

async function trainTo(lab: Lab, page: Page, step: number): Promise<number> {
  await lab.waitFor((s) => s.playing, 'training to start');
  await lab.waitFor((s) => s.step >= step, `step ${step}`);
  await page.getByRole('button', { name: 'Pause' }).click();
  return (await lab.waitFor((s) => !s.playing, 'the pause')).step;
}

/** axe's serious and critical findings on the page, one line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Polls the stored runs until `cond` holds. */
async function waitForRuns(page: Page, cond: (r: StoredRunSummary[]) => boolean, what: string): Promise<StoredRunSummary[]> {
  let last: StoredRunSummary[] = [];
  await expect
    .poll(
      async () => {
        last = await runs(page);
        return cond(last);
      },
      { message: what },
    )
    .toBe(true);
  return last;
}

test('two runs differing in one control overlay in the Runs panel, and the last one resumes after a reload', async ({ lab, page }) => {
  await lab.open();
  await page.getByRole('button', { name: 'Play' }).click();
  const firstStep = await trainTo(lab, page, 30);
  const [first] = await waitForRuns(page, (r) => r.length === 1 && r[0]!.step === firstStep, 'the first run kept');
  const rate = first!.params.learningRate as number;
  const newRate = Number((rate * 2).toPrecision(3));

  // Run again with one change: the learning rate, same seed.
  await page.getByRole('button', { name: 'Runs' }).click();
  const panel = page.getByRole('complementary', { name: 'Runs' });
  await panel.getByLabel('Setting').selectOption({ label: 'Learning rate' });
  await panel.getByLabel('New value').fill(String(newRate));
  await panel.getByRole('button', { name: 'Run again' }).click();
  await lab.waitFor((s) => s.step < firstStep, 'a fresh network');
  const secondStep = await trainTo(lab, page, 30);
  const both = await waitForRuns(page, (r) => r.length === 2 && r[0]!.step === secondStep, 'the second run kept');
  const [second] = both;
  expect(second!.derivedFrom).toBe(first!.id);
  expect(second!.seed).toBe(first!.seed);
  expect(second!.params.learningRate).toBe(newRate);

  // The panel selects both to compare: two curves on one chart.
  await expect(panel.getByRole('status')).toContainText('with the run it came from');
  await expect(panel.getByLabel(`Compare ${first!.name}`, { exact: true })).toBeChecked();
  await expect(panel.getByLabel(`Compare ${second!.name}`, { exact: true })).toBeChecked();
  const chart = panel.getByTestId('runs-chart');
  await expect(chart).toHaveAttribute('data-series', '2');
  await expect(chart.locator('.u-legend .u-series')).toHaveCount(3);
  const points = async () => ((await chart.getAttribute('data-points')) ?? '').split(',').map(Number);
  await expect.poll(async () => (await points()).every((n) => n > 5), { message: 'points in both curves' }).toBe(true);
  await expect(panel.getByTestId('runs-diff')).toContainText('Learning rate');
  await expect(panel.getByTestId('runs-diff')).not.toContainText('Width');

  await expect(chart).toHaveAttribute('data-x-max', String(Math.max(firstStep, secondStep)));

  // Rename inline and pin the first run: the store keeps both, and the chart's legend names it.
  await panel.getByRole('button', { name: `Rename ${first!.name}`, exact: true }).click();
  await panel.getByLabel(`New name for ${first!.name}`, { exact: true }).fill('baseline');
  await panel.getByLabel(`New name for ${first!.name}`, { exact: true }).press('Enter');
  await panel.getByRole('button', { name: 'Pin baseline' }).click();
  await expect(panel.getByRole('button', { name: 'Pin baseline' })).toHaveAttribute('aria-pressed', 'true');
  await expect(chart.locator('.u-legend')).toContainText('baseline');
  await waitForRuns(page, (r) => r.some((x) => x.id === first!.id && x.name === 'baseline'), 'the new name kept');

  // Against training seconds (the axis ends at the longer run's training time), then on a log scale.
  await panel.getByLabel('training seconds').check();
  await expect(chart).toHaveAttribute('data-axis', 'wallSeconds');
  const seconds = Number(await chart.getAttribute('data-x-max'));
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThanOrEqual(Math.max(first!.wallSeconds, second!.wallSeconds) + 1e-6);
  await panel.getByLabel('Log scale').check();
  await expect(chart).toHaveAttribute('data-log', 'true');
  await expect(chart).toHaveAttribute('data-series', '2');
  expect(await seriousViolations(page), 'the Runs panel comparing two runs').toEqual([]);
  await mkdir('/work/notes', { recursive: true }).catch(() => undefined);
  await panel.screenshot({ path: '/work/notes/runs-overlay.png' }).catch(() => undefined);

  // The pause sent a checkpoint: the run keeps it.
  const kept = await waitForRuns(page, (r) => r[0]?.checkpointStep === secondStep, 'the checkpoint kept');
  const pointsBefore = kept[0]!.points;
  expect(pointsBefore).toBeGreaterThan(5);

  // A reload: the lab offers the last run, and resumes it from its checkpoint with its curve.
  await page.reload();
  await page.waitForFunction(() => window.__loopyLab !== undefined);
  const offer = page.getByRole('region', { name: 'Resume' });
  await expect(offer).toContainText(`Resume ${second!.name} from step ${secondStep}?`);
  await lab.waitFor((s) => s.backend !== null && s.nodes > 0, 'the lab to start');
  expect(await seriousViolations(page), 'the resume offer').toEqual([]);
  await offer.getByRole('button', { name: 'Resume' }).click();
  await expect(offer).toBeHidden();
  await lab.waitFor((s) => s.step === secondStep, 'the checkpoint step');
  await expect.poll(async () => Number(await page.getByTestId('loss-chart').getAttribute('data-points')), { message: 'the earlier points on the loss chart' }).toBe(pointsBefore);
  await page.getByRole('button', { name: 'Play' }).click();
  const resumedStep = await trainTo(lab, page, secondStep + 10);
  const run = await currentRun(page);
  expect(run).toMatchObject({ id: second!.id, firstStep: 1 });
  expect(run!.lastStep).toBeGreaterThan(secondStep);
  const after = await waitForRuns(page, (r) => r.length === 2 && r[0]!.step === resumedStep, 'the resumed run written');
  expect(after[0]!.id).toBe(second!.id);
  expect(after[0]!.points).toBeGreaterThan(pointsBefore);

  // Start fresh declines that checkpoint: the next reload does not offer it again.
  await waitForRuns(page, (r) => r[0]?.checkpointStep === resumedStep, 'the resumed run checkpointed');
  await page.reload();
  await expect(offer).toContainText(`from step ${resumedStep}?`);
  await offer.getByRole('button', { name: 'Start fresh' }).click();
  await expect(offer).toBeHidden();
  await waitForRuns(page, (r) => r[0]?.resumeDeclined === true, 'the offer declined');
  await page.reload();
  await lab.waitFor((s) => s.backend !== null && s.nodes > 0, 'the lab to start');
  // The Runs panel lists the runs once the recorder has read them; the offer reads the same store before it.
  await page.getByRole('button', { name: 'Runs' }).click();
  await expect(panel.getByTestId('runs-table')).toContainText('baseline');
  await expect(offer).toHaveCount(0);
});
