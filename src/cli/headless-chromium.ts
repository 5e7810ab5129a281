/**
 * The headless Chromium the bench and the WebGPU runner launch: Debian's
 * (or CHROMIUM_PATH), with WebGPU on. SwiftShader gives a software adapter
 * where there is no GPU (correct, about 25x slower than wasm); on a GPU
 * machine LOOPY_CHROMIUM_ARGS adds flags (such as --enable-features=Vulkan).
 * Never --disable-software-rasterizer: it takes the adapter away here.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM: string | undefined = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export const CHROMIUM_ARGS: readonly string[] = [
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  ...(process.env.LOOPY_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean),
];
