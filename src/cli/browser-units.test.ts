/** The WebGPU runner: a unit on headless Chromium's adapter scores what it scores on wasm; without Chromium the command says so and runs on wasm. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../engine/testing/backends';
import { runUnit, type RunUnit } from './battery-unit';
import { openWebgpuRunner, type WebgpuRunner } from './browser-units';

const units: RunUnit[] = [
  // Bits per char on held-out text moves with every weight, so agreement there means the same numbers, not the same argmax.
  { column: 'gru', model: 'gru', params: { hidden: 6 }, test: 'language-model', seed: 2, trainSteps: 2, languageModel: { steps: 2, window: 8 } },
  // Small and few: SwiftShader runs about 25x slower than wasm (a 2-step loopy circuit takes 100 s there).
  { column: 'lstm', model: 'lstm', params: { hidden: 6 }, test: 'circuit', seed: 1, trainSteps: 3, languageModel: { steps: 3, window: 16 }, lanes: 4 },
];

describe('battery units on WebGPU in headless Chromium', () => {
  let runner: WebgpuRunner | string;
  beforeAll(async () => {
    await useBackend('wasm');
    runner = await openWebgpuRunner();
  }, 300_000);
  afterAll(async () => {
    if (typeof runner !== 'string') await runner.close();
  });

  it('finds an adapter (SwiftShader on a machine without a GPU) and scores as wasm does', async () => {
    if (typeof runner === 'string') throw new Error(`no WebGPU runner: ${runner}`);
    expect(runner.adapter.length).toBeGreaterThan(0);
    for (const u of units) {
      const [gpu, cpu] = [await runner.run(u), await runUnit(u)];
      expect(gpu.column).toBe(u.column);
      expect(gpu.score, `${u.column} ${u.test}`).toBeCloseTo(cpu.score, 4);
      expect(Object.keys(gpu.details).sort()).toEqual(Object.keys(cpu.details).sort());
    }
  }, 300_000);

  it('falls back to wasm with the reason when Chromium is not there', async () => {
    const cli = join(import.meta.dirname, 'battery-cli.ts');
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', cli, '--model', 'memoryless', '--tests', 'circuit', '--steps', '2', '--backend', 'webgpu', '--json'], {
        env: { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/webgpu: headless Chromium did not start.*running on wasm instead/);
    expect(out.stderr).toContain('ran on wasm');
    const line = JSON.parse(out.stdout.trim()) as { test: string; score: number };
    expect(line.test).toBe('circuit');
    expect(line.score).toBeGreaterThan(0);
  }, 120_000);
});
