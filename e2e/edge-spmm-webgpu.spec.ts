/**
 * The WGSL edge kernels against the plain-tfjs formulation, and the sparse loopy unroll against the padded one,
 * in Chromium's WebGPU adapter: src/bench/pages/edge-spmm-webgpu-check.ts runs the cases, this asserts each
 * passed. The page is no part of the production build, so the spec serves it from its own Vite dev server.
 */
import { expect, test } from '@playwright/test';
import { createServer, type ViteDevServer } from 'vite';
import type { EdgeCheckResult } from '../src/bench/pages/edge-spmm-webgpu-check';

let server: ViteDevServer;

test.beforeAll(async () => {
  server = await createServer({ logLevel: 'error', server: { port: 5203 } });
  await server.listen();
});

test.afterAll(async () => {
  await server.close();
});

test('WebGPU edge kernels match the plain formulation; the sparse loopy unroll matches the padded one', async ({ page }) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  const origin = server.resolvedUrls?.local[0] ?? 'http://localhost:5203/';
  await page.goto(new URL('src/bench/pages/edge-spmm-webgpu-check.html', origin).href);
  await page.waitForFunction(() => window.edgeCheck !== undefined, null, { timeout: 220_000 });
  const result = (await page.evaluate(() => window.edgeCheck)) as EdgeCheckResult;
  expect(result.error).toBeUndefined();
  expect(result.kernels).toBe(true);
  expect(result.cases.length).toBe(16);
  expect(result.cases.filter((c) => !c.ok).map((c) => `${c.label}: ${c.maxError}`)).toEqual([]);
  expect(errors).toEqual([]);
});
