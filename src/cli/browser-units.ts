/**
 * Battery units on WebGPU outside the lab: a headless Chromium page
 * (pages/unit-runner.ts, served by Vite) runs them one at a time on the
 * page's adapter, since one GPU serves one run best. Where there is no
 * Chromium, no WebGPU or no adapter, `runUnitsOn` says why on stderr and runs
 * the units on wasm instead.
 *
 * Why not Dawn for Node (the `webgpu` package): on this machine it finds no
 * adapter (no Vulkan driver that meets its needs: Debian's lavapipe lacks
 * shaderUniform*ArrayDynamicIndexing), so nothing it computed could be
 * checked here; Chromium brings SwiftShader, so the same path is tested on a
 * CPU and runs on a GPU where Chromium finds one.
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { createServer, type ViteDevServer } from 'vite';
import { fromJson, type RunUnit, type UnitResult } from './battery-unit';
import { CHROMIUM, CHROMIUM_ARGS } from './headless-chromium';
import type { WebgpuReady } from './pages/webgpu-start';
import { runPool } from './run-units';

export const CLI_BACKENDS = ['wasm', 'webgpu'] as const;
export type CliBackend = (typeof CLI_BACKENDS)[number];

/** A headless Chromium page that has started tfjs on WebGPU (see pages/webgpu-start.ts). */
export interface WebgpuPage {
  /** The adapter the page computes on ("google swiftshader …" here). */
  readonly adapter: string;
  readonly page: Page;
  /** Uncaught errors the page has thrown so far, for messages. */
  readonly errors: readonly string[];
  close(): Promise<void>;
}

/**
 * Serves the repository with Vite, opens `pagePath` (a page that sets
 * `window.webgpuReady` from pages/webgpu-start.ts) and waits for its backend;
 * or a sentence saying why there is no WebGPU page.
 */
export async function openWebgpuPage(pagePath: string): Promise<WebgpuPage | string> {
  if (!CHROMIUM) return 'no Chromium (set CHROMIUM_PATH, or install Debian\'s chromium)';
  let server: ViteDevServer | null = null;
  let browser: Browser | null = null;
  const close = async (): Promise<void> => {
    await browser?.close();
    await server?.close();
  };
  try {
    server = await createServer({ logLevel: 'error', server: { port: 0, strictPort: false, hmr: false } });
    await server.listen();
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('the Vite server has no local address');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}${pagePath}`);
    await page.waitForFunction(() => window.webgpuReady !== undefined, null, { timeout: 300_000 });
    const ready = await page.evaluate<WebgpuReady>(() => window.webgpuReady as Promise<WebgpuReady>);
    if ('error' in ready) {
      await close();
      return ready.error;
    }
    return { adapter: ready.adapter, page, errors, close };
  } catch (e) {
    await close();
    return `headless Chromium did not start: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  }
}

export interface WebgpuRunner {
  /** The adapter the page computes on. */
  readonly adapter: string;
  run(unit: RunUnit): Promise<UnitResult>;
  close(): Promise<void>;
}

/** A page that runs battery units on WebGPU, or a sentence saying why there is none. */
export async function openWebgpuRunner(): Promise<WebgpuRunner | string> {
  const opened = await openWebgpuPage('src/cli/pages/unit-runner.html');
  if (typeof opened === 'string') return opened;
  const { page, errors } = opened;
  return {
    adapter: opened.adapter,
    run: async (unit) => {
      try {
        return fromJson(await page.evaluate((u) => (window.unitRunner as NonNullable<Window['unitRunner']>).run(u), unit));
      } catch (e) {
        throw new Error(`${unit.column} ${unit.test} seed ${unit.seed} on WebGPU: ${e instanceof Error ? e.message : String(e)}${errors.length ? ` (page: ${errors.join('; ')})` : ''}`, { cause: e });
      }
    },
    close: opened.close,
  };
}

/**
 * Runs the units on `backend`: wasm on `jobs` child processes, webgpu on one
 * Chromium page (falling back to wasm, with the reason on stderr). Returns the
 * results and the backend they ran on, as the results file names it.
 */
export async function runUnitsOn(backend: CliBackend, units: readonly RunUnit[], jobs: number, onResult: (r: UnitResult, done: number) => void): Promise<{ results: UnitResult[]; ranOn: string }> {
  if (backend === 'webgpu') {
    const runner = await openWebgpuRunner();
    if (typeof runner === 'string') console.error(`webgpu: ${runner}; running on wasm instead`);
    else {
      console.error(`webgpu: ${runner.adapter} (headless Chromium)`);
      try {
        const results: UnitResult[] = [];
        for (const u of units) {
          const r = await runner.run(u);
          results.push(r);
          onResult(r, results.length);
        }
        return { results, ranOn: `webgpu (${runner.adapter}, headless Chromium)` };
      } finally {
        await runner.close();
      }
    }
  }
  return { results: await runPool(units, jobs, onResult), ranOn: 'wasm' };
}
