/** The graph stays readable at a thousand nodes: the generator's own layout, a legend of what applies, a pinned inspector with a trace. */
import { expect, test } from './fixtures';

test('a 1,000-neuron Watts–Strogatz network is drawn on its ring; a clicked node pins the inspector with its activity trace', async ({ lab, page }, testInfo) => {
  await lab.open('#model=loopy&graph=watts-strogatz&nodes=1000&think=3');
  const start = await lab.snapshot();
  expect(start.nodes).toBeGreaterThanOrEqual(1000);

  // The ring layout, not a force simulation: every hidden node on one circle.
  const canvas = page.getByRole('img', { name: 'Activity graph' });
  await expect(canvas).toHaveAttribute('data-layout', 'ring');
  const ring = await page.evaluate(() => {
    const g = window.__loopyLab?.graphView();
    if (!g) return null;
    // Hidden ids follow the inputs (generator-graphs.ts blocks): sample a few hundred of them.
    const points: { x: number; y: number }[] = [];
    for (let id = 10; id < 1000; id += 7) {
      const p = g.screenOf(id);
      if (p) points.push(p);
    }
    return { layout: g.layout, points };
  });
  expect(ring?.layout).toBe('ring');
  const pts = ring?.points ?? [];
  expect(pts.length).toBeGreaterThan(100);
  const cx = pts.reduce((s, p) => s + p.x, 0) / pts.length;
  const cy = pts.reduce((s, p) => s + p.y, 0) / pts.length;
  const radii = pts.map((p) => Math.hypot(p.x - cx, p.y - cy));
  const mean = radii.reduce((s, r) => s + r, 0) / radii.length;
  expect(mean).toBeGreaterThan(150);
  for (const r of radii) expect(Math.abs(r - mean)).toBeLessThan(0.03 * mean);

  // The legend names what this model has: edges fade by |weight|; no gates, threads or growth here.
  const legend = page.locator('.ag-legend');
  await expect(legend).toContainText('|weight|');
  await expect(legend).toContainText('ring layout');
  for (const absent of ['gate', 'thread', 'born', 'died']) await expect(legend).not.toContainText(absent);

  // The person may choose the force layout instead, and go back to the generator's.
  const layout = page.getByRole('combobox', { name: 'Layout' });
  await layout.selectOption('force');
  await expect(canvas).toHaveAttribute('data-layout', 'force');
  await expect(legend).toContainText('force layout');
  await layout.selectOption('generator');
  await expect(canvas).toHaveAttribute('data-layout', 'ring');

  // In/out tags never overlap one another.
  const labels = await page.evaluate(() => window.__loopyLab?.graphView()?.labels() ?? []);
  const boxes = labels.filter((b): b is NonNullable<typeof b> => b !== null);
  expect(boxes.length).toBeGreaterThanOrEqual(4);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i] as (typeof boxes)[number];
      const b = boxes[j] as (typeof boxes)[number];
      expect(a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h, 'two labels overlap').toBe(false);
    }
  }

  await page.getByRole('button', { name: 'Play' }).click();
  await lab.waitFor((s) => s.step >= 2 && s.frames >= start.frames + 2, 'a few steps and frames');

  // Click a node: the inspector pins it and keeps it when the pointer moves on.
  const box = await canvas.boundingBox();
  const at = await page.evaluate(() => window.__loopyLab?.graphView()?.screenOf(300) ?? null);
  expect(box && at).toBeTruthy();
  await page.mouse.click((box?.x ?? 0) + (at?.x ?? 0), (box?.y ?? 0) + (at?.y ?? 0));
  const inspector = page.getByRole('region', { name: 'Node inspector' });
  await expect(inspector).toHaveAttribute('data-pinned', '300');
  await page.mouse.move((box?.x ?? 0) + 4, (box?.y ?? 0) + 4);
  await expect(inspector).toContainText('#300');
  expect(await page.evaluate(() => window.__loopyLab?.graphView()?.pinnedId)).toBe(300);

  // Its recent activity: a sparkline over the ticks of the last frames, growing as frames come.
  const spark = inspector.getByRole('img', { name: /Activity of node 300 over the last \d+ ticks/ });
  await expect(spark).toBeVisible();
  const ticksNow = Number(await spark.getAttribute('data-ticks'));
  expect(ticksNow).toBeGreaterThanOrEqual(6);
  const framesNow = (await lab.snapshot()).frames;
  await lab.waitFor((s) => s.frames >= framesNow + 2, 'two more frames');
  await expect.poll(async () => Number(await spark.getAttribute('data-ticks'))).toBeGreaterThan(ticksNow);

  // "Tick t of 3": the tick within its symbol, as many as Think ticks (not the probe run's 6).
  await expect(inspector.locator('.ni-tick')).toHaveText(/^[123] of 3 · symbol [12] of 2 · step \d+$/);
  await page.screenshot({ path: testInfo.outputPath('watts-strogatz-1000-pinned.png') });

  // Escape in the inspector unpins; so does a click on empty space (the ring's middle).
  await inspector.getByRole('button', { name: 'Unpin node 300' }).focus();
  await page.keyboard.press('Escape');
  await expect(inspector).not.toHaveAttribute('data-pinned', /.*/);
  await page.mouse.click((box?.x ?? 0) + (at?.x ?? 0), (box?.y ?? 0) + (at?.y ?? 0));
  await expect(inspector).toHaveAttribute('data-pinned', '300');
  await page.mouse.click((box?.x ?? 0) + cx, (box?.y ?? 0) + cy - 0.6 * mean);
  await expect(inspector).not.toHaveAttribute('data-pinned', /.*/);
  await page.getByRole('button', { name: 'Pause' }).click();
});

test('a 10,000-neuron loopy network builds, trains and is drawn; the Nodes slider warns that its steps will be slow', async ({ lab, page }) => {
  await lab.open('#model=loopy&nodes=10000&density=8');
  const start = await lab.snapshot();
  expect(start.nodes).toBeGreaterThanOrEqual(10_000);
  expect(start.edges).toBeGreaterThanOrEqual(70_000);
  await expect(page.getByRole('status').filter({ hasText: /^Slow: about [\d.]+ (s|ms) per train step/ })).toBeVisible();
  await page.getByRole('button', { name: 'Play' }).click();
  await lab.waitFor((s) => s.step >= 2 && s.frames > start.frames && s.graphPaints > 0, 'two train steps and a painted frame', 180_000);
  await page.getByRole('button', { name: 'Pause' }).click();
  // A size the lab trains quickly has no warning.
  await lab.open('#model=loopy');
  await expect(page.getByRole('status').filter({ hasText: /Slow: about/ })).toHaveCount(0);
});
