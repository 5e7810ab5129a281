/**
 * Shared e2e fixtures: a page whose console errors fail the test, and typed
 * access to window.__loopyLab (assert on numbers, not pixels).
 */
import { test as base, expect, type Page } from '@playwright/test';
import type { LabSnapshot } from '../src/app/test-api';

export interface Lab {
  readonly page: Page;
  snapshot(): Promise<LabSnapshot>;
  predict(): Promise<number[]>;
  /** Waits until `cond` holds for a snapshot. */
  waitFor(cond: (s: LabSnapshot) => boolean, what: string, timeoutMs?: number): Promise<LabSnapshot>;
  open(hash?: string): Promise<void>;
}

export const test = base.extend<{ lab: Lab; consoleErrors: string[] }>({
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await use(errors);
    expect(errors, 'console errors').toEqual([]);
  },
  lab: async ({ page, consoleErrors }, use) => {
    void consoleErrors;
    const lab: Lab = {
      page,
      snapshot: () => page.evaluate(() => (window.__loopyLab as NonNullable<typeof window.__loopyLab>).snapshot()),
      predict: () => page.evaluate(() => (window.__loopyLab as NonNullable<typeof window.__loopyLab>).predict()),
      async waitFor(cond, what, timeoutMs = 90_000) {
        const start = Date.now();
        for (;;) {
          const s = await lab.snapshot();
          if (cond(s)) return s;
          if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last ${JSON.stringify(s)}`);
          await page.waitForTimeout(250);
        }
      },
      async open(hash = '') {
        await page.goto(`/${hash}`);
        await page.waitForFunction(() => window.__loopyLab !== undefined);
        await lab.waitFor((s) => s.backend !== null && s.nodes > 0 && s.frames > 0, 'the lab to start');
      },
    };
    await use(lab);
  },
});

export { expect };
