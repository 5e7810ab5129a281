/**
 * The fused WebGPU tick kernels against the plain-tfjs unroll, in Chromium's
 * WebGPU adapter (Node has none): src/bench/pages/webgpu-kernel-check.ts runs every
 * case and this asserts that each passed. The page is no part of the
 * production build, so the spec serves it from its own Vite dev server.
 */
import { expect, test } from '@playwright/test';
import { createServer, type ViteDevServer } from 'vite';
import type { ActiveWebgpuCheckResult } from '../src/bench/pages/lara-active-webgpu-check';
import type { KernelCheckResult } from '../src/bench/pages/webgpu-kernel-check';

// E2E_DEV_PORT lets two checkouts run this spec side by side.
const devPort = Number(process.env.E2E_DEV_PORT ?? 5198);
let server: ViteDevServer;

test.beforeAll(async () => {
  server = await createServer({ logLevel: 'error', server: { port: devPort, strictPort: true } });
  await server.listen();
});

test.afterAll(async () => {
  await server.close();
});

test('fused WebGPU tick kernels match the plain-tfjs unroll: values, routing, trace and gradients', async ({ page }) => {
  test.setTimeout(300_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // A WGSL that does not compile shows as a warning only (and every dispatch of its command buffer is dropped).
    if (m.type() === 'error' || (m.type() === 'warning' && /WGSL|Invalid/.test(m.text()))) errors.push(m.text());
  });
  const origin = server.resolvedUrls?.local[0] ?? `http://localhost:${devPort}/`;
  await page.goto(new URL('src/bench/pages/webgpu-kernel-check.html', origin).href);
  await page.waitForFunction(() => window.kernelCheck !== undefined, null, { timeout: 280_000 });
  const result = (await page.evaluate(() => window.kernelCheck)) as KernelCheckResult;
  expect(result.error).toBeUndefined();
  // 3 gates x 2 think ticks x 2 thread counts x 3 routing modes, plus edge cases and the lab's default size.
  expect(result.cases.length).toBeGreaterThanOrEqual(36);
  const failed = result.cases.filter((c) => !c.ok).map((c) => `${c.label}: ${c.failures.join('; ')}`);
  expect(failed).toEqual([]);
  expect(errors).toEqual([]);
});

test("WGSL gathered matmul matches plain tfjs; LARA's active-only tick matches the dense tick and the float64 reference on WebGPU", async ({ page }) => {
  // About 4 minutes on SwiftShader: 49 cases, each run dense and active under variableGrads.
  test.setTimeout(540_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  const origin = server.resolvedUrls?.local[0] ?? `http://localhost:${devPort}/`;
  await page.goto(new URL('src/bench/pages/lara-active-webgpu-check.html', origin).href);
  await page.waitForFunction(() => window.activeCheck !== undefined, null, { timeout: 520_000 });
  const result = (await page.evaluate(() => window.activeCheck)) as ActiveWebgpuCheckResult;
  expect(result.error).toBeUndefined();
  expect(result.backend).toBe('webgpu');
  expect(result.wgsl).toBe(true);
  expect(result.kernelCases.length).toBe(4);
  expect(result.kernelCases.filter((c) => !c.ok).map((c) => `${c.label}: ${JSON.stringify(c.errors)}`)).toEqual([]);
  // Every reference case whose routing can skip nodes: 43 LARA cases and the 6 ablations that are not all-active.
  expect(result.cases.length).toBeGreaterThanOrEqual(49);
  expect(result.cases.filter((c) => !c.ok).map((c) => `${c.label}: ${c.failures.join('; ')}`)).toEqual([]);
  expect(result.leaked).toBe(0);
  expect(errors).toEqual([]);
  const worst = (rs: readonly { errors: Record<string, number> }[]): number => Math.max(0, ...rs.flatMap((r) => Object.values(r.errors)));
  console.log(JSON.stringify({ kernelCases: result.kernelCases.length, kernelWorst: worst(result.kernelCases), cases: result.cases.length, worst: worst(result.cases), ms: result.ms }));
});
