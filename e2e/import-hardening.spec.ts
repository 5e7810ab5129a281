/**
 * Imports a hostile user would try, in the production build: numbers finite
 * in JSON but not in float32, a file bigger than any export, a huge string,
 * a UTF-16 file, and the same file imported 200 times (tensor count and heap
 * stay flat). Every refusal is announced and leaves the running experiment
 * as it was; the console stays clean (the fixture fails on any error).
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Page, TestInfo } from '@playwright/test';
import { expect, test, type Lab } from './fixtures';

interface Doc {
  step: number;
  createdAt: string;
  weights: Record<string, { shape: number[]; data: string }>;
}

/** One step, then the Export button's file as text. */
async function exportAfterOneStep(lab: Lab, page: Page, testInfo: TestInfo, hash = ''): Promise<string> {
  await lab.open(hash);
  await page.getByRole('button', { name: 'Step' }).click();
  await lab.waitFor((s) => s.step === 1 && !s.playing, 'one step');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export' }).click();
  await page.getByRole('menuitem', { name: 'Model (JSON)' }).click();
  const file = testInfo.outputPath('export.json');
  await (await download).saveAs(file);
  return readFile(file, 'utf8');
}

async function importBuffer(page: Page, name: string, buffer: Buffer): Promise<void> {
  await page.getByLabel('Import').setInputFiles({ name, mimeType: 'application/json', buffer });
}

const floats = (values: Float32Array): string => Buffer.from(values.buffer).toString('base64');

test('a DNA cell weight of 3e38 (finite in JSON, not trainable in float32) is refused and the running layer is untouched', async ({ lab, page }, testInfo) => {
  const text = await exportAfterOneStep(lab, page, testInfo, '#model=dna&task=circle');
  await page.getByRole('button', { name: 'Step' }).click();
  await lab.waitFor((s) => s.step === 2 && !s.playing, 'a second step');
  const before = await lab.predict();
  const doc = JSON.parse(text) as Doc;
  const cellW = doc.weights.cellW!;
  const values = new Float32Array(cellW.shape.reduce((a, b) => a * b, 1)).fill(0.5);
  values[0] = 3e38;
  cellW.data = floats(values);
  await importBuffer(page, 'big.json', Buffer.from(JSON.stringify(doc)));
  await expect(page.getByRole('alert')).toContainText('Weight "cellW" has a value of 3.00e+38 at index 0, beyond the largest magnitude a weight may have (1e+6)');
  expect((await lab.snapshot()).step).toBe(2);
  expect(await lab.predict()).toEqual(before);
});

test('a file over the size limit is refused by its size, and one with a 50 MB string by the schema; neither changes anything', async ({ lab, page }, testInfo) => {
  const text = await exportAfterOneStep(lab, page, testInfo);
  await page.getByRole('button', { name: 'Step' }).click();
  await lab.waitFor((s) => s.step === 2 && !s.playing, 'a second step');
  const before = await lab.predict();

  const big = testInfo.outputPath('big.json');
  await writeFile(big, text.replace('"createdAt":"', `"createdAt":"${' '.repeat(70e6)}`));
  await page.getByLabel('Import').setInputFiles(big);
  await expect(page.getByRole('alert')).toContainText(/Import refused: The file is 70\.\d MB; the lab reads exports up to 67\.1 MB/);

  const doc = JSON.parse(text) as Doc;
  doc.createdAt = 'x'.repeat(50e6);
  const huge = testInfo.outputPath('huge-string.json');
  await writeFile(huge, JSON.stringify(doc));
  await page.getByLabel('Import').setInputFiles(huge);
  await expect(page.getByRole('alert')).toContainText('createdAt must have at most 64 characters');
  expect(((await lab.snapshot()).alert ?? '').length).toBeLessThan(300);
  expect((await lab.snapshot()).step).toBe(2);
  expect(await lab.predict()).toEqual(before);
});

test('a UTF-16 export with a byte-order mark is read and imported', async ({ lab, page }, testInfo) => {
  const text = await exportAfterOneStep(lab, page, testInfo);
  const trained = await lab.predict();
  await page.getByRole('button', { name: 'Reset' }).click();
  await lab.waitFor((s) => s.step === 0, 'reset');
  await importBuffer(page, 'utf16.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
  await lab.waitFor((s) => s.step === 1, 'the imported step');
  expect(await lab.predict()).toEqual(trained);
  await expect(page.getByRole('alert')).toHaveText('');
});

test('the same file imported 200 times, with refused ones between, leaves the worker’s tensors and the page’s heap flat', async ({ lab, page }, testInfo) => {
  const text = await exportAfterOneStep(lab, page, testInfo);
  const doc = JSON.parse(text) as Doc;
  const edgeW = doc.weights.edgeW!;
  const bad = new Float32Array(edgeW.shape.reduce((a, b) => a * b, 1));
  bad[3] = Number.NaN;
  edgeW.data = floats(bad);
  const refused = JSON.stringify(doc);
  const cdp = await page.context().newCDPSession(page);
  const heapAfterGc = async (): Promise<number> => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  };
  /** `n` imports through the page's own path; every fourth is refused. Resolves to the refusals. */
  const importMany = (n: number): Promise<number> =>
    page.evaluate(
      async ({ n, text, refused }) => {
        const api = window.__loopyLab as NonNullable<typeof window.__loopyLab>;
        let refusals = 0;
        for (let i = 0; i < n; i++) if ((await api.importText(i % 4 === 1 ? refused : text)) !== null) refusals += 1;
        return refusals;
      },
      { n, text, refused },
    );
  // Warm up: caches, compiled kernels and the first frames settle.
  expect(await importMany(20)).toBe(5);
  const warm = await lab.waitFor((s) => s.workerTensors !== null && s.step === 1, 'the worker’s tensor count');
  const heapBefore = await heapAfterGc();
  expect(await importMany(200)).toBe(50);
  const after = await lab.waitFor((s) => s.step === 1, 'the last import');
  const heapAfter = await heapAfterGc();
  console.info(`worker tensors ${warm.workerTensors} -> ${after.workerTensors}; page heap ${(heapBefore / 1e6).toFixed(1)} -> ${(heapAfter / 1e6).toFixed(1)} MB`);
  expect(after.workerTensors).toBe(warm.workerTensors);
  // No GC control over the worker, but the page's heap after a forced GC must not keep what 200 imports parsed (about 30 MB of text).
  expect(heapAfter - heapBefore).toBeLessThan(3e6);
  await expect(page.getByRole('alert')).toHaveText('');
});
