/**
 * Picks the tfjs backend: webgpu -> webgl -> wasm -> cpu. A GPU backend on a
 * software adapter (SwiftShader, llvmpipe) is slower than wasm for these small
 * kernels, so auto mode skips it and says so.
 */
import * as tf from '@tensorflow/tfjs';
import { installFastKernels } from '../engine/kernels/fast-kernels';
import type { BackendChoice, BackendName } from '../protocol/experiment';
import type { WorkerMemory } from '../protocol/messages';
import type { BackendSelection } from './lab-worker';

export interface AdapterProbe {
  /** null when the API is missing or no adapter/context could be had. */
  readonly description: string | null;
  readonly software: boolean;
}

export interface BackendDecision {
  readonly order: readonly BackendName[];
  /** Why the first candidate is first, and why better ones were skipped. */
  readonly reasons: readonly string[];
}

const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|basic render/i;

export function isSoftwareRenderer(description: string): boolean {
  return SOFTWARE.test(description);
}

/** Pure decision from what the probes found, never one of `exclude` (backends that failed on this page); testable without a browser. */
export function decideBackends(choice: BackendChoice, webgpu: AdapterProbe, webgl: AdapterProbe, exclude: readonly BackendName[] = []): BackendDecision {
  const d = decideAll(choice, webgpu, webgl);
  if (exclude.length === 0) return d;
  return {
    order: d.order.filter((b) => !exclude.includes(b)),
    reasons: [...exclude.map((b) => `${b} not used again: it lost its device on this page`), ...d.reasons],
  };
}

function decideAll(choice: BackendChoice, webgpu: AdapterProbe, webgl: AdapterProbe): BackendDecision {
  if (choice !== 'auto') {
    const rest = (['webgpu', 'webgl', 'wasm', 'cpu'] as const).filter((b) => b !== choice);
    return { order: [choice, ...rest], reasons: [`${choice} chosen in the Backend menu`] };
  }
  const reasons: string[] = [];
  const order: BackendName[] = [];
  if (webgpu.description && !webgpu.software) order.push('webgpu');
  else reasons.push(webgpu.description ? `WebGPU skipped: software adapter (${webgpu.description}), slower than wasm here` : 'WebGPU not available');
  if (webgl.description && !webgl.software) order.push('webgl');
  else reasons.push(webgl.description ? `WebGL skipped: software renderer (${webgl.description})` : 'WebGL2 not available');
  order.push('wasm', 'cpu');
  if (webgpu.description && webgpu.software) order.push('webgpu');
  if (webgl.description && webgl.software) order.push('webgl');
  return { order, reasons };
}

export async function probeWebGpu(): Promise<AdapterProbe> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return { description: null, software: false };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { description: null, software: false };
    const info = adapter.info;
    const description = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unknown adapter';
    const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
    return { description, software: fallback || isSoftwareRenderer(description) };
  } catch {
    return { description: null, software: false };
  }
}

export function probeWebGl(): AdapterProbe {
  try {
    if (typeof OffscreenCanvas === 'undefined') return { description: null, software: false };
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
    if (!gl) return { description: null, software: false };
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const description = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return { description, software: isSoftwareRenderer(description) };
  } catch {
    return { description: null, software: false };
  }
}

/** The WebGPU backend's device, once it has started (tfjs-backend-webgpu keeps it as `device`). */
function webgpuDevice(): GPUDevice | null {
  const backend = tf.findBackend('webgpu') as unknown as { device?: GPUDevice } | null;
  return backend?.device ?? null;
}

/** Resolves with the browser's message when the WebGPU device is lost (destroyed, or dropped by the browser or driver). */
function deviceLoss(device: GPUDevice): Promise<string> {
  return device.lost.then((info) => info.message || `reason: ${info.reason}`);
}

/** Test hook (fault `loseDevice`): destroys the WebGPU device as a browser or driver would drop it. False when there is none. */
export function destroyWebGpuDevice(): boolean {
  const device = webgpuDevice();
  device?.destroy();
  return device !== null;
}

/** Tries the decided order until a backend initialises; the reason lists what was skipped or failed. On WebGPU, `lost` watches the device. */
export async function selectBackend(choice: BackendChoice, exclude: readonly BackendName[] = []): Promise<BackendSelection> {
  installFastKernels(); // wasm's batched/transposed matmuls; a no-op where wasm is not loaded
  const decision = decideBackends(choice, await probeWebGpu(), probeWebGl(), exclude);
  const notes = [...decision.reasons];
  for (const name of decision.order) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        const device = name === 'webgpu' ? webgpuDevice() : null;
        return { backend: name, reason: notes.join('; ') || `${name} is the best backend available`, lost: device ? deviceLoss(device) : undefined };
      }
      notes.push(`${name} failed to start`);
    } catch (e) {
      notes.push(`${name} failed to start (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  throw new Error(`no tfjs backend could start: ${notes.join('; ')}`);
}

/** What this worker holds: tfjs tensors, the wasm backend's linear memory, the JS heap (Chromium's performance.memory). */
export function workerMemory(): WorkerMemory {
  const m = tf.memory();
  const wasm = tf.findBackend('wasm') as unknown as { wasm?: { HEAPU8?: Uint8Array } } | null;
  const heap = (globalThis.performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
  return { numTensors: m.numTensors, numBytes: m.numBytes, wasmHeapBytes: wasm?.wasm?.HEAPU8?.byteLength ?? null, jsHeapBytes: heap?.usedJSHeapSize ?? null };
}
