/**
 * The page the headless-Chromium runner (browser-units.ts) drives: tfjs on
 * the WebGPU backend (webgpu-start.ts), then battery units one at a time,
 * each result a JSON line (NaN as null, as the pool's lines).
 */
import { runUnit, toJson, type RunUnit } from '../battery-unit';
import { startWebgpuPage } from './webgpu-start';

declare global {
  interface Window {
    unitRunner?: { run(unit: RunUnit): Promise<string> };
  }
}

void startWebgpuPage();
window.unitRunner = { run: async (unit) => toJson(await runUnit(unit)) };
