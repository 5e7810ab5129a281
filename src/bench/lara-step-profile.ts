/**
 * Where one LARA train step's time goes: every registered kernel of the
 * backend wrapped in a timer (exclusive time, so a kernel calling another,
 * as the gathered matmul calls BatchMatMul, is not counted twice), split by
 * phase (forward, backward, the rest: clipping, Adam, bookkeeping). The
 * step's wall time minus its kernel time is the JS around the kernels (the
 * tape, tensor bookkeeping). Prints JSON lines: per-phase totals, then the
 * kernels by time and the heaviest (kernel, output shape) pairs.
 * --no-taps switches off the active tick's gradient taps (the step as it was before them).
 * CLI: npx tsx src/bench/lara-step-profile.ts [--sizes 1024x64,64x64] [--steps 3] [--tick active|dense] [--backend wasm|cpu] [--top 25] [--no-taps]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { installFastKernels } from '../engine/kernels/fast-kernels';
import { setGatherRowsTaps } from '../engine/kernels/gather-rows';
import { setGatheredMatMulTaps } from '../engine/kernels/gathered-matmul';
import { DEFAULT_LARA_PARAMS, type TickKind } from '../engine/lara/lara-params';
import { LaraTrainer } from '../engine/lara/lara-trainer';
import { round } from './engine-vs-naive';

type Phase = 'forward' | 'backward' | 'other';

interface Tally {
  calls: number;
  ms: number;
}

/** Exclusive kernel times by phase/name and by name/shape, while `on`. */
class KernelTimer {
  on = false;
  readonly byName = new Map<string, Tally>();
  readonly byShape = new Map<string, Tally>();
  readonly byPhase = new Map<Phase, Tally>();
  private readonly stack: number[] = [];

  clear(): void {
    for (const m of [this.byName, this.byShape, this.byPhase]) m.clear();
  }

  /** Wraps every kernel registered for `backend` now, in place (lookups return the same config). */
  install(backend: string): void {
    for (const config of tf.getKernelsForBackend(backend)) {
      const inner = config.kernelFunc;
      config.kernelFunc = (args) => {
        if (!this.on) return inner(args);
        this.stack.push(0);
        const t0 = performance.now();
        const out = inner(args);
        const total = performance.now() - t0;
        const nested = this.stack.pop() ?? 0;
        if (this.stack.length > 0) this.stack[this.stack.length - 1] = (this.stack[this.stack.length - 1] as number) + total;
        const own = total - nested;
        const first = Array.isArray(out) ? out[0] : out;
        const shape = first ? `[${first.shape.join(',')}]` : '[]';
        const phase = phaseNow();
        add(this.byName, `${phase} ${config.kernelName}`, own);
        add(this.byShape, `${phase} ${config.kernelName} ${shape}`, own);
        add(this.byPhase, phase, own);
        return out;
      };
    }
  }
}

function add(map: Map<string, Tally> | Map<Phase, Tally>, key: string, ms: number): void {
  const m = map as Map<string, Tally>;
  const t = m.get(key) ?? { calls: 0, ms: 0 };
  t.calls += 1;
  t.ms += ms;
  m.set(key, t);
}

/** tfjs's gradient scopes are tidies named 'forward' and 'backward' (engine.gradients). */
function phaseNow(): Phase {
  const stack = (tf.engine() as unknown as { state: { scopeStack: { name: string }[] } }).state.scopeStack;
  for (let i = stack.length - 1; i >= 0; i--) {
    const name = stack[i]?.name;
    if (name === 'backward') return 'backward';
    if (name === 'forward') return 'forward';
  }
  return 'other';
}

function trainer(L: number, H: number, tick: TickKind): LaraTrainer {
  // The bench's experiment (lara-active-bench.ts): recall, K = 2, batch 32, window 16, one think tick.
  return LaraTrainer.create({
    model: 'lara',
    task: 'recall',
    seed: 1,
    params: { ...DEFAULT_LARA_PARAMS, nodes: L, width: H, degree: 2, selfLoops: false, batch: 32, window: 16, thinkTicks: 1, explore: 0, gradClip: 0, tick },
  });
}

function sorted(map: Map<string, Tally>, steps: number, top: number): object[] {
  return [...map]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, top)
    .map(([key, t]) => ({ key, callsPerStep: round(t.calls / steps, 1), msPerStep: round(t.ms / steps) }));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const arg = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const backend = arg('--backend') ?? 'wasm';
  const steps = Number(arg('--steps') ?? 3);
  const top = Number(arg('--top') ?? 25);
  const tick = (arg('--tick') ?? 'active') as TickKind;
  const sizes = (arg('--sizes') ?? '1024x64').split(',').map((p) => p.split('x').map(Number) as [number, number]);
  tf.env().set('PROD', true);
  installFastKernels();
  const taps = !argv.includes('--no-taps');
  setGatheredMatMulTaps(taps);
  setGatherRowsTaps(taps);
  await tf.setBackend(backend);
  await tf.ready();
  const timer = new KernelTimer();
  timer.install(backend);
  for (const [L, H] of sizes) {
    const t = trainer(L, H, tick);
    await t.trainStep(); // warm-up
    timer.clear();
    timer.on = true;
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) await t.trainStep();
    const wall = (performance.now() - t0) / steps;
    timer.on = false;
    t.dispose();
    const kernelMs = [...timer.byPhase.values()].reduce((s, p) => s + p.ms, 0) / steps;
    const phases = Object.fromEntries([...timer.byPhase].map(([p, v]) => [p, { msPerStep: round(v.ms / steps), kernelsPerStep: round(v.calls / steps, 1) }]));
    console.log(JSON.stringify({ profile: 'lara-step', backend, tick, taps, L, H, steps, msPerStep: round(wall), kernelMsPerStep: round(kernelMs), outsideKernelsMsPerStep: round(wall - kernelMs), phases }));
    for (const row of sorted(timer.byName, steps, top)) console.log(JSON.stringify({ L, H, by: 'kernel', ...row }));
    for (const row of sorted(timer.byShape, steps, top)) console.log(JSON.stringify({ L, H, by: 'kernel-shape', ...row }));
  }
}

void main();
