/**
 * Your own data in real Chromium: a text file trains a sequence model, a
 * 2-feature CSV trains DNA cells and routing modules (with the decision
 * boundary), a malformed CSV is refused and nothing changes, and an export
 * carries the data set so an imported run trains on the same data.
 */
import { readFile } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';
import { expect, test, type Lab } from './fixtures';

/** A text with an alphabet of 20 (19 letters/punctuation and space). */
const TEXT = 'the cat sat on the mat, and the dog ran far off. '.repeat(40);
const TEXT_ALPHABET = new Set(TEXT).size;

/** 120 points of two features (a disc inside a ring), label by the disc. */
function twoFeatureCsv(): string {
  const rows = ['x,y,label'];
  for (let i = 0; i < 120; i++) {
    const angle = (i * 2.399) % (2 * Math.PI);
    const r = i % 2 === 0 ? 0.2 + ((i * 7) % 10) / 40 : 0.7 + ((i * 3) % 10) / 40;
    rows.push(`${(r * Math.cos(angle)).toFixed(4)},${(r * Math.sin(angle)).toFixed(4)},${i % 2 === 0 ? 'inside' : 'outside'}`);
  }
  return rows.join('\n');
}

async function upload(page: Page, name: string, text: string, mimeType: string): Promise<void> {
  await page.getByLabel('Use your own data…').setInputFiles({ name, mimeType, buffer: Buffer.from(text, 'utf8') });
}

/** Axe's serious and critical findings on the page as it is. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Plays until the step passes `steps` more, with a finite loss. */
async function trainsOn(lab: Lab, steps: number): Promise<void> {
  const from = (await lab.snapshot()).step;
  if (!(await lab.snapshot()).playing) await lab.page.getByRole('button', { name: 'Play' }).click();
  await lab.waitFor((s) => s.step >= from + steps && s.loss !== null && Number.isFinite(s.loss), `${steps} more steps with a finite loss`);
}

/** The model document as the Export control downloads it (a menu's "Model (JSON)" where Export opens one). */
async function exportJson(page: Page, testInfo: TestInfo): Promise<string> {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export' }).click();
  const item = page.getByRole('menuitem', { name: 'Model (JSON)' });
  // Whichever comes first: the download itself, or the menu that offers it.
  const first = await Promise.race([download.then(() => 'download'), item.waitFor({ state: 'visible' }).then(() => 'menu', () => 'none')]);
  if (first === 'menu') await item.click();
  const file = testInfo.outputPath('own-data-export.json');
  await (await download).saveAs(file);
  return file;
}

test('a text file makes a next-character task over its alphabet and trains', async ({ lab, page }) => {
  await lab.open();
  await upload(page, 'cat.txt', TEXT, 'text/plain');
  await expect(page.getByLabel('Task')).toHaveValue('own-text');
  await expect(page.getByLabel('Task').locator('option:checked')).toHaveText('Your text file');
  await expect(page.getByText(`"cat.txt": ${TEXT.length.toLocaleString('en-US')} characters, an alphabet of ${TEXT_ALPHABET}`)).toBeVisible();
  await expect(page.getByRole('alert')).toHaveText('');
  await trainsOn(lab, 20);
  // The graph shows it: frames and paints keep coming; the held-out curve reads the held-out tenth.
  const s = await lab.waitFor((x) => x.heldOut !== null && Number.isFinite(x.heldOut.loss), 'a held-out point');
  expect(s.graphPaints).toBeGreaterThan(0);
  expect(s.heldOut?.loss).toBeLessThan(Math.log(TEXT_ALPHABET) * 1.5);
  // The link names the task but cannot carry the file.
  expect(page.url()).toContain('task=own-text');
  expect(await seriousViolations(page)).toEqual([]);
});

test('DNA cells and routing modules train on a 2-feature CSV, routing with the decision boundary', async ({ lab, page }) => {
  await lab.open('#model=dna&task=xor');
  await upload(page, 'ring.csv', twoFeatureCsv(), 'text/csv');
  await expect(page.getByLabel('Task')).toHaveValue('own-csv');
  await expect(page.getByText('"ring.csv": 120 rows, 2 features, 2 classes')).toBeVisible();
  await trainsOn(lab, 20);
  expect((await lab.snapshot()).model).toBe('dna');

  await page.getByLabel('Model').selectOption('routing');
  // Switching between the classification models keeps the task: the same file.
  await expect(page.getByLabel('Task')).toHaveValue('own-csv');
  await lab.waitFor((s) => s.model === 'routing' && s.frames > 0, 'routing modules');
  await trainsOn(lab, 20);
  const s = await lab.snapshot();
  expect(s.detail?.kind).toBe('routing');
  // Two features: the decision-boundary view, not the probe digits; the stack's input box names the file's sizes.
  await expect(page.getByRole('region', { name: 'Decision boundary' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Routing stack' })).toContainText('2 features');
  await expect(page.getByRole('list', { name: 'Routing stack' })).toContainText('2 classes');
});

test('a malformed CSV is refused with its problem named, and nothing changes', async ({ lab, page }) => {
  await lab.open('#model=dna&task=xor');
  await trainsOn(lab, 5);
  const bad = twoFeatureCsv().split('\n');
  bad[7] = '0.5,inside';
  await upload(page, 'broken.csv', bad.join('\n'), 'text/csv');
  await expect(page.getByRole('alert')).toContainText('CSV file "broken.csv" refused: row 7 has 2 cells, the header has 3. The running experiment is unchanged.');
  await expect(page.getByLabel('Task')).toHaveValue('xor');
  const at = (await lab.snapshot()).step;
  await lab.waitFor((s) => s.step > at + 5 && s.playing, 'training goes on');

  const latin1 = Buffer.from([...Buffer.from('x,y,label\n1,2,caf'), 0xe9, 0x0a]);
  await page.getByLabel('Use your own data…').setInputFiles({ name: 'latin1.csv', mimeType: 'text/csv', buffer: latin1 });
  await expect(page.getByRole('alert')).toHaveText(/not UTF-8 text \(byte 17 is 0xe9\).*The running experiment is unchanged\./);
  await upload(page, 'word.csv', twoFeatureCsv().replace(/\n[^\n]+/, '\n0.1,lots,inside'), 'text/csv');
  await expect(page.getByRole('alert')).toHaveText(/row 1, column "y" holds "lots", not a number/);
  await expect(page.getByLabel('Task')).toHaveValue('xor');
});

test('an export carries the data set: imported into a fresh page, it trains on the same data', async ({ lab, page }, testInfo) => {
  await lab.open('#model=gru');
  await upload(page, 'cat.txt', TEXT, 'text/plain');
  await trainsOn(lab, 10);
  await page.getByRole('button', { name: 'Pause' }).click();
  const trained = await lab.waitFor((s) => !s.playing, 'pause');
  const before = await lab.predict();
  const file = await exportJson(page, testInfo);
  const doc = JSON.parse(await readFile(file, 'utf8')) as { experiment: { task: string }; data?: { kind: string; name: string; text: string } };
  expect(doc.experiment.task).toBe('own-text');
  expect(doc.data).toEqual({ kind: 'text', name: 'cat.txt', text: TEXT });

  // A link to it, opened in a new page, opens the default task and says why.
  await page.goto('about:blank');
  await page.goto('/#model=gru&task=own-text');
  await page.waitForFunction(() => window.__loopyLab !== undefined);
  await expect(page.getByRole('alert')).toContainText('this link names your own data set, which a link cannot carry; opened the default task instead');
  await expect(page.getByLabel('Task')).toHaveValue('recall');

  await page.getByLabel('Import').setInputFiles(file);
  await lab.waitFor((s) => s.step === trained.step, 'the imported step');
  await expect(page.getByLabel('Task')).toHaveValue('own-text');
  await expect(page.getByText(`"cat.txt": ${TEXT.length.toLocaleString('en-US')} characters`)).toBeVisible();
  expect(await lab.predict()).toEqual(before);
  await trainsOn(lab, 10);
});

test('Copy link copies the address with the experiment, or selects it in a field where the clipboard is refused', async ({ lab, page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await lab.open('#model=gru&seed=9');
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByText('Link copied')).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(page.url());
  expect(copied).toContain('seed=9');

  // A browser that refuses the clipboard: the link waits, selected, in a read-only field.
  await page.evaluate(() => {
    Object.defineProperty(navigator, 'clipboard', { value: { writeText: () => Promise.reject(new Error('denied')) } });
  });
  await page.getByRole('button', { name: 'Copy link' }).click();
  const field = page.getByRole('textbox', { name: 'Link to this experiment' });
  await expect(field).toHaveValue(page.url());
  await expect(field).toHaveAttribute('readonly', '');
  expect(await field.evaluate((el: HTMLInputElement) => el.selectionEnd! - el.selectionStart!)).toBe(page.url().length);
  await expect(page.getByText('The browser refused the clipboard')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});
