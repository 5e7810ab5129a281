/**
 * Worker faults in real Chromium: the training worker crashes after a live
 * change, stops silently (closes itself, or goes deaf), or loses its WebGPU
 * device. Each time a new worker must resume from the checkpoint: the same
 * step and the same predictions (close ones after a backend change), and a
 * message that says so. Faults come through window.__loopyLab.injectFault.
 */
import type { WorkerFault } from '../src/protocol/messages';
import { expect, test, type Lab } from './fixtures';

/** Trains at least `steps` steps, pauses, and waits for the checkpoint the worker sends when training stops. */
async function trainThenPause(lab: Lab, steps: number): Promise<{ step: number; predictions: number[] }> {
  const { page } = lab;
  await page.getByRole('button', { name: 'Play' }).click();
  await lab.waitFor((s) => s.step >= steps, `${steps} steps`);
  await page.getByRole('button', { name: 'Pause' }).click();
  const paused = await lab.waitFor((s) => !s.playing && s.checkpointStep === s.step, 'the checkpoint taken at the pause');
  return { step: paused.step, predictions: await lab.predict() };
}

const inject = (lab: Lab, fault: WorkerFault) => lab.page.evaluate((f) => window.__loopyLab?.injectFault(f), fault);
const workerState = (lab: Lab) => lab.page.evaluate(() => (window.__loopyLab as NonNullable<typeof window.__loopyLab>).workerState());

test('a crash after a live slider change resumes from the checkpoint and keeps the new value', async ({ lab }) => {
  await lab.open();
  const trained = await trainThenPause(lab, 15);
  const before = await workerState(lab);
  const lr = lab.page.getByRole('slider', { name: /Learning rate/ });
  await lr.focus();
  await lab.page.keyboard.press('ArrowLeft');
  await lab.page.keyboard.press('ArrowLeft');
  await expect(lab.page).toHaveURL(/lr=/);
  const changed = await workerState(lab);
  expect(changed.params.learningRate).not.toBe(before.params.learningRate);

  await inject(lab, 'throw');
  const after = await lab.waitFor((s) => /crashed/.test(s.alert ?? ''), 'the crash to be noticed');
  expect(after.alert).toContain(`resumed from the checkpoint at step ${trained.step}`);
  await lab.waitFor((s) => s.step === trained.step && s.frames > 0, 'the checkpoint step');
  expect(await lab.predict()).toEqual(trained.predictions);
  const resumed = await workerState(lab);
  expect(resumed.step).toBe(trained.step);
  expect(resumed.params.learningRate).toBe(changed.params.learningRate);
  // Training goes on from there.
  await lab.page.getByRole('button', { name: 'Play' }).click();
  await lab.waitFor((s) => s.step > trained.step + 3, 'training after the recovery');
});

for (const fault of ['close', 'silence'] as const) {
  test(`a worker that stops silently while playing (${fault}) is noticed and replaced from the checkpoint`, async ({ lab }) => {
    await lab.open();
    const trained = await trainThenPause(lab, 10);
    await lab.page.getByRole('button', { name: 'Play' }).click();
    await lab.waitFor((s) => s.playing && s.step > trained.step + 2, 'training again');
    await inject(lab, fault);
    const after = await lab.waitFor((s) => /stopped answering/.test(s.alert ?? ''), 'the silence to be noticed', 60_000);
    expect(after.alert).toContain(`resumed from the checkpoint at step ${trained.step}`);
    const resumed = await lab.waitFor((s) => s.step === trained.step && !s.playing, 'the checkpoint step, paused');
    expect(resumed.checkpointStep).toBe(trained.step);
    expect(await lab.predict()).toEqual(trained.predictions);
    await lab.page.getByRole('button', { name: 'Play' }).click();
    await lab.waitFor((s) => s.step > trained.step + 2, 'training after the recovery');
  });
}

test('a lost WebGPU device falls back to the next backend and resumes from the checkpoint', async ({ lab }) => {
  await lab.open('#backend=webgpu');
  await lab.waitFor((s) => s.backend === 'webgpu', 'the WebGPU backend');
  const trained = await trainThenPause(lab, 5);
  await inject(lab, 'loseDevice');
  const after = await lab.waitFor((s) => /lost its webgpu device/.test(s.alert ?? ''), 'the device loss to be noticed');
  expect(after.alert).toContain(`resumed from the checkpoint at step ${trained.step}, without webgpu`);
  const resumed = await lab.waitFor((s) => s.backend !== null && s.backend !== 'webgpu' && s.step === trained.step, 'the next backend at the checkpoint');
  // Another backend rounds differently: the same network, not the same bits.
  const predictions = await lab.predict();
  expect(predictions.length).toBe(trained.predictions.length);
  const worst = Math.max(...predictions.map((p, i) => Math.abs(p - (trained.predictions[i] as number))));
  expect(worst).toBeLessThan(1e-3);
  await lab.page.getByRole('button', { name: 'Play' }).click();
  await lab.waitFor((s) => s.step > trained.step + 2 && s.backend === resumed.backend, 'training on the next backend');
});

test('slow motion, which spaces frames on purpose, is not taken for a silent worker', async ({ lab }) => {
  await lab.open('#speed=slow');
  await lab.page.getByRole('button', { name: 'Play' }).click();
  const early = await lab.waitFor((s) => s.playing && s.step >= 2, 'slow-motion steps');
  // Longer than the heartbeat's deadline (10 s): frames come seconds apart, the worker still answers pings.
  await lab.page.waitForTimeout(15_000);
  const later = await lab.snapshot();
  expect(later.alert).toBeNull();
  expect(later.playing).toBe(true);
  expect(later.step).toBeGreaterThan(early.step);
});
