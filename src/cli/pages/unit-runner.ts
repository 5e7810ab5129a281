/**
 * The page the headless-Chromium runner (browser-units.ts) drives: tfjs on
 * the WebGPU backend, or a sentence saying why not; then battery units one at
 * a time, each result a JSON line (NaN as null, as the pool's lines).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { runUnit, toJson, type RunUnit } from '../battery-unit';

/** What the page found: the adapter it computes on, or why WebGPU is not there. */
export type RunnerReady = { readonly backend: 'webgpu'; readonly adapter: string } | { readonly error: string };

declare global {
  interface Window {
    unitRunner?: { readonly ready: Promise<RunnerReady>; run(unit: RunUnit): Promise<string> };
  }
}

async function start(): Promise<RunnerReady> {
  if (!('gpu' in navigator) || !navigator.gpu) return { error: 'this Chromium has no navigator.gpu (WebGPU off)' };
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return { error: 'navigator.gpu.requestAdapter() found no adapter' };
  const name = [adapter.info.vendor, adapter.info.architecture, adapter.info.device, adapter.info.description].filter(Boolean).join(' ') || 'unnamed adapter';
  if (!(await tf.setBackend('webgpu').catch(() => false))) return { error: `tfjs could not start its webgpu backend on ${name}` };
  await tf.ready();
  tf.env().set('PROD', true);
  return { backend: 'webgpu', adapter: name };
}

const ready = start().catch((e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }));
window.unitRunner = { ready, run: async (unit) => toJson(await runUnit(unit)) };
void ready.then((r) => ((document.getElementById('out') as HTMLElement).textContent = JSON.stringify(r)));
