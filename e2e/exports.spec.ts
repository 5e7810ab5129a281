/**
 * Every export format through the Export menu, in real Chromium: train a few
 * steps, download each file, and check it is what it says it is (XML that
 * parses with the right nodes, a safetensors header that covers the file, a
 * PNG of the view's size, a vector SVG with its legend, metrics rows, a zip
 * holding everything). The menu's keyboard behaviour; the DNA and routing views' pictures.
 */
import { readFile } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import { DOMParser } from '@xmldom/xmldom';
import { unzipSync, strFromU8 } from 'fflate';
import { MultiDirectedGraph } from 'graphology';
import { parse as parseGexf } from 'graphology-gexf';
import type { Page, TestInfo } from '@playwright/test';
import { expect, test } from './fixtures';

interface Doc {
  format: string;
  step: number;
  experiment: { model: string };
  graph: { nodes: { id: number }[]; edges: unknown[] };
  weights: Record<string, { shape: number[] }>;
}

async function download(page: Page, testInfo: TestInfo, item: string): Promise<{ name: string; bytes: Buffer }> {
  await page.getByRole('button', { name: 'Export' }).click();
  const got = page.waitForEvent('download');
  await page.getByRole('menuitem', { name: item }).click();
  const d = await got;
  const file = testInfo.outputPath(d.suggestedFilename());
  await d.saveAs(file);
  return { name: d.suggestedFilename(), bytes: await readFile(file) };
}

function xml(text: string) {
  const errors: string[] = [];
  const doc = new DOMParser({ errorHandler: { error: (m: string) => void errors.push(m), fatalError: (m: string) => void errors.push(m) } }).parseFromString(text, 'text/xml');
  expect(errors, 'XML errors').toEqual([]);
  return doc;
}

/** The safetensors header, checked to cover the file exactly. */
function safetensorsHeader(bytes: Buffer): Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> {
  const n = Number(bytes.readBigUInt64LE(0));
  expect(n % 8).toBe(0);
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
  delete header.__metadata__;
  const entries = header as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const end = Math.max(...Object.values(entries).map((e) => e.data_offsets[1]));
  expect(bytes.length).toBe(8 + n + end);
  return entries;
}

const PNG_SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

test('every format downloads through the Export menu and is well formed', async ({ lab, page }, testInfo) => {
  await lab.open('#model=lara');
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Step' }).click();
  await lab.waitFor((s) => s.step >= 3 && !s.playing, 'three steps');

  const json = await download(page, testInfo, 'Model (JSON)');
  const doc = JSON.parse(json.bytes.toString('utf8')) as Doc;
  expect(doc.format).toBe('loopy-lab');
  expect(json.name).toBe(`loopy-lab-lara-step${doc.step}.json`);

  const graphml = await download(page, testInfo, 'Graph (GraphML)');
  expect(graphml.name).toBe(`loopy-lab-lara-step${doc.step}.graphml`);
  const g = xml(graphml.bytes.toString('utf8'));
  expect(g.getElementsByTagName('graph')[0]?.getAttribute('edgedefault')).toBe('directed');
  expect(g.getElementsByTagName('node').length).toBe(doc.graph.nodes.length);
  expect(g.getElementsByTagName('edge').length).toBe(doc.graph.edges.length);
  const keys = Array.from(g.getElementsByTagName('key'), (k) => `${k.getAttribute('for')}:${k.getAttribute('attr.name')}:${k.getAttribute('attr.type')}`);
  expect(keys).toEqual(expect.arrayContaining(['node:role:string', 'node:activity:double', 'node:visitShare:double', 'node:weightNorm:double', 'node:birthTick:int', 'edge:gate:double', 'edge:weightNorm:double']));

  const gexf = await download(page, testInfo, 'Graph (GEXF)');
  const parsed = parseGexf(MultiDirectedGraph, gexf.bytes.toString('utf8'));
  expect(parsed.order).toBe(doc.graph.nodes.length);
  expect(parsed.size).toBe(doc.graph.edges.length);

  const st = await download(page, testInfo, 'Weights (safetensors)');
  const header = safetensorsHeader(st.bytes);
  expect(Object.keys(header).sort()).toEqual(Object.keys(doc.weights).sort());
  for (const [name, t] of Object.entries(doc.weights)) expect(header[name]?.shape).toEqual(t.shape);

  const canvas = await page.locator('canvas.ag-canvas').evaluate((c: HTMLCanvasElement) => ({ width: c.width, height: c.height }));
  const png = await download(page, testInfo, 'View (PNG)');
  expect(png.name).toBe(`loopy-lab-lara-view-step${doc.step}.png`);
  expect(pngSize(png.bytes)).toEqual(canvas);

  const svg = await download(page, testInfo, 'View (SVG)');
  const s = xml(svg.bytes.toString('utf8'));
  expect(s.documentElement?.nodeName).toBe('svg');
  expect(s.getElementsByTagName('image').length).toBe(0);
  expect(s.getElementsByTagName('path').length).toBeGreaterThan(3);
  expect(Array.from(s.getElementsByTagName('text'), (t) => t.textContent)).toEqual(expect.arrayContaining(['activity (log)', 'gate strength', 'in', 'out']));

  const csv = await download(page, testInfo, 'Metrics (CSV)');
  const rows = csv.bytes.toString('utf8').trim().split('\n');
  expect(rows[0]).toBe('metric,step,wall_seconds,value');
  expect(rows.filter((r) => r.startsWith('trainLoss,')).length).toBeGreaterThanOrEqual(3);

  const mj = await download(page, testInfo, 'Metrics (JSON)');
  const metrics = JSON.parse(mj.bytes.toString('utf8')) as { format: string; metrics: { trainLoss: { step: number[] } } };
  expect(metrics.format).toBe('loopy-lab-metrics');
  expect(metrics.metrics.trainLoss.step.length).toBeGreaterThanOrEqual(3);

  const zip = await download(page, testInfo, 'Everything (.zip)');
  const files = unzipSync(new Uint8Array(zip.bytes));
  const step = doc.step;
  expect(Object.keys(files).sort()).toEqual(
    [
      `loopy-lab-lara-step${step}.json`,
      `loopy-lab-lara-step${step}.graphml`,
      `loopy-lab-lara-step${step}.gexf`,
      `loopy-lab-lara-step${step}.safetensors`,
      `loopy-lab-lara-view-step${step}.png`,
      `loopy-lab-lara-view-step${step}.svg`,
      `loopy-lab-lara-metrics-step${step}.csv`,
      `loopy-lab-lara-metrics-step${step}.json`,
    ].sort(),
  );
  expect((JSON.parse(strFromU8(files[`loopy-lab-lara-step${step}.json`]!)) as Doc).format).toBe('loopy-lab');
  safetensorsHeader(Buffer.from(files[`loopy-lab-lara-step${step}.safetensors`]!));
});

test('the Export menu opens on its first item, arrows move, Escape closes and gives focus back', async ({ lab, page }) => {
  await lab.open('#model=lara');
  const button = page.getByRole('button', { name: 'Export' });
  await expect(button).toHaveAttribute('aria-haspopup', 'menu');
  await button.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('menu', { name: 'Export formats' })).toBeVisible();
  await expect(button).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByRole('menuitem', { name: 'Model (JSON)' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('menuitem', { name: 'Graph (GraphML)' })).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect(page.getByRole('menuitem', { name: 'Everything (.zip)' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu')).toHaveCount(0);
  await expect(button).toBeFocused();
  await expect(button).toHaveAttribute('aria-expanded', 'false');

  // On a phone the menu stays on screen (it hangs from the button's right edge, which sits left of centre there).
  await page.setViewportSize({ width: 390, height: 844 });
  await button.click();
  const box = (await page.getByRole('menu', { name: 'Export formats' }).boundingBox())!;
  expect(box.x, "the menu's left edge on screen").toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, "the menu's right edge on screen").toBeLessThanOrEqual(390);
});

test('the DNA and routing views export a vector SVG with their legend and a PNG of it', async ({ lab, page }, testInfo) => {
  await lab.open('#model=dna&task=circle');
  await page.getByRole('button', { name: 'Step' }).click();
  await lab.waitFor((s) => s.step >= 1 && !s.playing, 'one step');
  await page.getByRole('button', { name: 'Export' }).click();
  // The open menu passes axe.
  const axe = await new AxeBuilder({ page }).include('.em-root').analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  await page.keyboard.press('Escape');
  const dnaCanvas = await page.locator('canvas.mv-canvas').first().evaluate((c: HTMLCanvasElement) => ({ width: c.width, height: c.height }));
  const dnaSvg = xml((await download(page, testInfo, 'View (SVG)')).bytes.toString('utf8'));
  expect(dnaSvg.getElementsByTagName('image').length).toBe(0);
  // Cells are paths; the legend's words are text.
  expect(dnaSvg.getElementsByTagName('path').length).toBeGreaterThan(2);
  expect(Array.from(dnaSvg.getElementsByTagName('text'), (t) => t.textContent)).toEqual(expect.arrayContaining(['w > 0', 'w < 0', 'born', 'died', 'label']));
  const dnaPng = await download(page, testInfo, 'View (PNG)');
  expect(dnaPng.name).toMatch(/^loopy-lab-dna-view-step\d+\.png$/);
  expect(pngSize(dnaPng.bytes)).toEqual(dnaCanvas);

  await lab.open('#model=routing&task=circle');
  await page.getByRole('button', { name: 'Step' }).click();
  await lab.waitFor((s) => s.step >= 1 && !s.playing, 'one step');
  const rvCanvas = await page.locator('canvas.rv-canvas').evaluate((c: HTMLCanvasElement) => ({ width: c.width, height: c.height }));
  const rvSvg = xml((await download(page, testInfo, 'View (SVG)')).bytes.toString('utf8'));
  expect(rvSvg.getElementsByTagName('image').length).toBe(0);
  // The decision boundary as squares, the samples as dots, the class legend under the plot.
  expect(rvSvg.getElementsByTagName('rect').length).toBeGreaterThan(100);
  expect(Array.from(rvSvg.getElementsByTagName('text'), (t) => t.textContent)).toEqual(expect.arrayContaining(['class 0', 'class 1']));
  const rvPng = pngSize((await download(page, testInfo, 'View (PNG)')).bytes);
  expect(rvPng.width).toBe(rvCanvas.width);
  expect(rvPng.height).toBeGreaterThan(rvCanvas.height);
});
