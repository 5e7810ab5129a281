/**
 * The benches that run on any backend, Node's (cpu, wasm) or a headless
 * page's (webgpu, pages/bench-runner.ts): each takes the backend and --quick
 * and returns its JSON rows. No Node imports here.
 */
import { DEFAULT_SIZE_EXPERIMENT, engineVsNaive } from './engine-vs-naive';
import { benchLaraActive } from './lara-active-bench';

export type BenchBackend = 'cpu' | 'wasm' | 'webgpu';
type BackendBench = (backend: BenchBackend, quick: boolean) => Promise<object[]>;

export const BROWSER_BENCHES = {
  'engine-vs-naive': async (backend, quick) => [
    // The naive loop's thousands of small kernels take minutes a step on a software WebGPU adapter: --quick skips this size there.
    ...(quick && backend === 'webgpu' ? [] : [await engineVsNaive(backend, quick || backend !== 'wasm' ? 2 : 4)]),
    // The lab's default size, where per-kernel overhead rather than matmul work dominates.
    await engineVsNaive(backend, quick || backend !== 'wasm' ? 2 : 6, DEFAULT_SIZE_EXPERIMENT),
  ],
  // LARA's active-only tick against the dense masked tick and the same-parameter LSTM, L = 64..1024, H = 16 and 64.
  // Not on cpu: its dense tick takes about a minute a step at L = 256 (the cpu backend is the reference, not a speed target).
  'lara-active-vs-dense': async (backend, quick) =>
    backend === 'cpu'
      ? []
      : benchLaraActive(backend, quick ? { rounds: 2, sizes: [{ L: 64, H: 64 }, { L: 256, H: 64 }, { L: 1024, H: 16 }], denseRoundsLarge: 1 } : {}),
} satisfies Record<string, BackendBench>;

export type BrowserBenchName = keyof typeof BROWSER_BENCHES;
export const BROWSER_BENCH_NAMES = Object.keys(BROWSER_BENCHES) as BrowserBenchName[];
