/**
 * The start every headless WebGPU page shares (the battery's unit runner, the
 * bench's runner): tfjs on the WebGPU backend on the page's adapter, or a
 * sentence saying why not. The page puts the promise on `window.webgpuReady`,
 * which cli/browser-units.ts `openWebgpuPage` waits for.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';

/** What the page found: the adapter it computes on, or why WebGPU is not there. */
export type WebgpuReady = { readonly backend: 'webgpu'; readonly adapter: string } | { readonly error: string };

declare global {
  interface Window {
    webgpuReady?: Promise<WebgpuReady>;
  }
}

async function start(): Promise<WebgpuReady> {
  if (!('gpu' in navigator) || !navigator.gpu) return { error: 'this Chromium has no navigator.gpu (WebGPU off)' };
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return { error: 'navigator.gpu.requestAdapter() found no adapter' };
  const name = [adapter.info.vendor, adapter.info.architecture, adapter.info.device, adapter.info.description].filter(Boolean).join(' ') || 'unnamed adapter';
  if (!(await tf.setBackend('webgpu').catch(() => false))) return { error: `tfjs could not start its webgpu backend on ${name}` };
  await tf.ready();
  tf.env().set('PROD', true);
  return { backend: 'webgpu', adapter: name };
}

/** Starts WebGPU once, shows the outcome in the page's #out element and publishes it on window.webgpuReady. */
export function startWebgpuPage(): Promise<WebgpuReady> {
  const ready = start().catch((e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }));
  window.webgpuReady = ready;
  void ready.then((r) => {
    const out = document.getElementById('out');
    if (out) out.textContent = JSON.stringify(r);
  });
  return ready;
}
