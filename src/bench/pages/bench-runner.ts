/**
 * `npm run bench -- --backend webgpu`: the bench's side-by-side figures run
 * in this headless Chromium page on its WebGPU adapter (cli/pages/webgpu-start.ts),
 * one bench at a time, each returning the JSON rows it would print in Node.
 */
import { startWebgpuPage } from '../../cli/pages/webgpu-start';
import { BROWSER_BENCHES, type BrowserBenchName } from '../browser-benches';

declare global {
  interface Window {
    benchRunner?: { run(name: BrowserBenchName, quick: boolean): Promise<object[]> };
  }
}

void startWebgpuPage();
window.benchRunner = { run: (name, quick) => BROWSER_BENCHES[name]('webgpu', quick) };
