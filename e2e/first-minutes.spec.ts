/**
 * The first five minutes of a new user: Cancel that cancels, links that
 * follow the address bar, the keyboard, contrast and axe, and the three
 * screen sizes.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

test('battery Cancel stops the run, keeps the rows finished so far and says Cancelled', async ({ lab, page }) => {
  await lab.open();
  await page.getByRole('button', { name: 'Battery' }).click();
  const panel = page.getByRole('complementary', { name: 'Battery' });
  await panel.getByRole('button', { name: 'Run' }).click();
  const cells = panel.locator('td[data-test]');
  const scored = () => cells.evaluateAll((tds) => tds.filter((td) => !td.textContent.startsWith('…')).length);
  // Let at least one score land, so there are rows to keep.
  await expect.poll(scored, { timeout: 180_000 }).toBeGreaterThan(0);
  await panel.getByRole('button', { name: 'Cancel' }).click();
  await expect(panel.getByText('Cancelled', { exact: false })).toBeVisible();
  const kept = await scored();
  expect(kept).toBeGreaterThan(0);
  await expect(panel.getByRole('button', { name: 'Run' })).toBeEnabled();
  // Nothing more lands after the cancel (the worker stopped, not just the label).
  await page.waitForTimeout(3000);
  expect(await scored()).toBe(kept);
  await expect(panel.getByText('Done.')).toHaveCount(0);
});

test('the lab follows the address bar: an edited hash, Back and Forward change what runs', async ({ lab, page }) => {
  await lab.open();
  expect((await lab.snapshot()).model).toBe('lara');
  // A link pasted into the open tab.
  await page.evaluate(() => {
    window.location.hash = '#model=gru&task=circuit&seed=5';
  });
  await lab.waitFor((s) => s.model === 'gru', 'the GRU from the edited hash');
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue('gru');
  await expect(page.getByRole('combobox', { name: 'Task' })).toHaveValue('circuit');
  await expect(page.getByRole('spinbutton', { name: 'Seed' })).toHaveValue('5');
  // A structural change in the page is one history entry.
  await page.getByRole('combobox', { name: 'Task' }).selectOption('recall');
  await expect(page).toHaveURL(/model=gru&task=recall&seed=5/);
  await page.goBack();
  await expect(page).toHaveURL(/model=gru&task=circuit&seed=5/);
  await expect(page.getByRole('combobox', { name: 'Task' })).toHaveValue('circuit');
  await page.goBack();
  await lab.waitFor((s) => s.model === 'lara', 'Back to the first experiment');
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue('lara');
  await page.goForward();
  await lab.waitFor((s) => s.model === 'gru', 'Forward to the GRU again');
  // A live change rewrites the current entry instead of adding one.
  const length = await page.evaluate(() => history.length);
  const lr = page.getByRole('slider', { name: /Learning rate/ });
  await lr.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page).toHaveURL(/lr=/);
  expect(await page.evaluate(() => history.length)).toBe(length);
});

test('a link with a bad value says what it ignored, in a sentence', async ({ lab, page }) => {
  await lab.open('#model=loopy&seed=2&nodes=banana');
  await expect(page.getByRole('alert')).toContainText('nodes=banana ignored: it must be a number');
  expect((await lab.snapshot()).model).toBe('loopy');
});

test('keyboard: Enter on Play leaves focus on Pause, Space toggles anywhere, Escape closes panels, the graph shows focus', async ({ lab, page }) => {
  await lab.open();
  const toggle = page.getByRole('button', { name: 'Play' });
  await toggle.focus();
  await page.keyboard.press('Enter');
  await lab.waitFor((s) => s.playing, 'playing after Enter');
  const pause = page.getByRole('button', { name: 'Pause' });
  await expect(pause).toBeFocused();
  await page.keyboard.press('Enter');
  await lab.waitFor((s) => !s.playing, 'paused after Enter again');
  await expect(page.getByRole('button', { name: 'Play' })).toBeFocused();

  // Space on the graph (not a text field) plays and pauses.
  const graph = page.getByRole('img', { name: /Activity graph/ });
  await graph.focus();
  const ring = await graph.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(ring).not.toBe('none');
  await page.keyboard.press('Space');
  await lab.waitFor((s) => s.playing, 'playing after Space');
  await page.keyboard.press('Space');
  await lab.waitFor((s) => !s.playing, 'paused after Space');
  // Space in the seed field types, it does not play.
  await page.getByRole('spinbutton', { name: 'Seed' }).focus();
  await page.keyboard.press('Space');
  await page.waitForTimeout(300);
  expect((await lab.snapshot()).playing).toBe(false);

  // Escape closes the help panel and gives focus back to its button.
  const help = page.getByRole('button', { name: 'Help' });
  await help.click();
  await expect(page.getByRole('complementary', { name: 'Help' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('complementary', { name: 'Help' })).toHaveCount(0);
  await expect(help).toBeFocused();
});

test('Speed: slow motion trains one step per frame and plays every tick; it is in the link and never restarts', async ({ lab, page }) => {
  await lab.open();
  await page.getByRole('button', { name: 'Play' }).click();
  await lab.waitFor((s) => s.step >= 10, 'training at normal speed');
  await page.getByRole('combobox', { name: 'Speed' }).selectOption('slow');
  await expect(page).toHaveURL(/speed=slow/);
  // Frames that were in flight when it changed may still carry several steps: measure from the next ones.
  const from = await lab.waitFor((s) => s.speed === 'slow', 'the slow speed in the store');
  await page.waitForTimeout(1500);
  const a = await lab.snapshot();
  const b = await lab.waitFor((s) => s.frames >= a.frames + 4, 'four slow frames', 60_000);
  expect(b.step - a.step).toBeLessThanOrEqual(b.frames - a.frames);
  expect(b.step).toBeGreaterThanOrEqual(from.step);
  await page.getByRole('combobox', { name: 'Speed' }).selectOption('normal');
  await expect(page).not.toHaveURL(/speed=/);
  await lab.waitFor((s) => s.step >= b.step + 10, 'normal speed again, the same run going on');
});

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('axe finds no serious or critical violations on any view or panel', async ({ lab, page }) => {
  test.setTimeout(300_000);
  for (const hash of ['', '#model=loopy', '#model=dna&task=gaussian', '#model=routing', '#model=lstm']) {
    await lab.open(hash);
    await page.getByRole('button', { name: 'Step' }).click();
    await lab.waitFor((s) => s.step >= 1, `a step of ${hash || 'LARA'}`);
    expect(await seriousViolations(page), `view ${hash || '(default)'}`).toEqual([]);
  }
  await lab.open();
  for (const panel of ['Help', 'Battery', 'Transitions']) {
    await page.getByRole('button', { name: panel, exact: true }).click();
    await expect(page.getByRole('complementary', { name: panel === 'Transitions' ? 'Transition representations' : panel })).toBeVisible();
    expect(await seriousViolations(page), `panel ${panel}`).toEqual([]);
    await page.keyboard.press('Escape');
  }
});

for (const [width, height] of [
  [1440, 900],
  [1024, 768],
  [390, 844],
] as const) {
  test(`at ${width}×${height} every control is reachable, Play and Help are on screen, nothing scrolls sideways`, async ({ lab, page }, testInfo) => {
    await page.setViewportSize({ width, height });
    await lab.open();
    const inView = async (name: string) => {
      const box = await page.getByRole('button', { name, exact: true }).boundingBox();
      expect(box, `${name} has a box`).not.toBeNull();
      const b = box as NonNullable<typeof box>;
      expect(b.x >= 0 && b.y >= 0 && b.x + b.width <= width && b.y + b.height <= height, `${name} inside the ${width}×${height} viewport`).toBe(true);
    };
    await inView('Play');
    await inView('Help');
    expect(await page.evaluate(() => document.documentElement.scrollWidth), 'no sideways scrolling').toBeLessThanOrEqual(width);
    // Every slider, select and checkbox can be scrolled to and is not clipped away.
    const controls = page.locator('form[aria-label="Parameters"]').locator('input, select');
    const count = await controls.count();
    expect(count).toBeGreaterThan(8);
    for (let i = 0; i < count; i++) {
      const c = controls.nth(i);
      await c.scrollIntoViewIfNeeded();
      await expect(c).toBeInViewport();
    }
    await page.getByRole('button', { name: 'Play' }).click();
    await lab.waitFor((s) => s.step >= 20, 'training');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: testInfo.outputPath(`lab-${width}.png`) });
  });
}
