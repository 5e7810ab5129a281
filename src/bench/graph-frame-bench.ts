/**
 * The activity graph's frame time while a network trains, in headless
 * Chromium against a built lab: the gap between animation frames (p50/p95)
 * and the graph's own work per painted frame (graphWorkP95Ms). Optionally a
 * CPU profile of the main thread over the same window, summed by function
 * (self time), to say where the milliseconds go. Not a test: nothing fails
 * on a slow machine.
 */
import type { Browser } from '@playwright/test';

/** One network whose graph is timed: a name and the lab URL hash that builds it. */
export interface GraphFrameCase {
  readonly model: string;
  readonly hash: string;
}

/** LARA at its largest graph (256 nodes) and a loopy network of 1,000, as run.ts measures them. */
export const GRAPH_FRAME_CASES: readonly GraphFrameCase[] = [
  { model: 'lara', hash: '#nodes=256&width=4&batch=4&degree=4&think=4' },
  { model: 'loopy', hash: '#model=loopy&nodes=1000&density=4&batch=4&think=3&rule=tbptt' },
];

/** Loopy networks at the larger sizes (the hidden maximum grows to 10,000). */
export const GRAPH_FRAME_LARGE_CASES: readonly GraphFrameCase[] = [
  { model: 'loopy', hash: '#model=loopy&nodes=4000&density=4&batch=4&think=3&rule=tbptt' },
  { model: 'loopy', hash: '#model=loopy&nodes=10000&density=4&batch=4&think=3&rule=tbptt' },
];

export interface GraphFrameOptions {
  /** Measured window, seconds. */
  readonly seconds?: number;
  /** Wait after the first train step before measuring (the force layout's start-up transient), ms. */
  readonly settleMs?: number;
  /** Then wait until the layout stands still, at most this long after Play, ms. */
  readonly maxSettleMs?: number;
  /** Also take a CPU profile of the page over a second window of the same length and return its top functions. */
  readonly profile?: boolean;
  /** Which rasteriser draws the lines and discs ('auto': WebGL2 above the painter's thresholds); sent as ?painter=. */
  readonly painter?: 'auto' | 'webgl' | '2d';
}

export interface GraphFrameRow {
  readonly bench: 'graph-frame-time';
  readonly model: string;
  readonly hash: string;
  readonly nodes: number | undefined;
  readonly edges: number | undefined;
  readonly frameGapP50Ms: number;
  readonly frameGapP95Ms: number;
  /** Frames per second over the window (animation frames, painted or not). */
  readonly fps: number;
  readonly graphWorkP95Ms: number;
  readonly graphPaints: number | undefined;
  readonly trainSteps: number | undefined;
  readonly seconds: number;
  /** What rasterised the lines and discs at the end of the window (the canvas's data-painter: 'webgl' or '2d'). */
  readonly painter: string | undefined;
  /** Seconds from Play until the layout stood still (or maxSettleMs ran out): the start-up transient left out of the window. */
  readonly settleS: number;
  readonly target: 16.7;
  /** Top functions by self time over the profile window (ms and share), when asked. */
  readonly profile?: readonly { readonly fn: string; readonly selfMs: number; readonly share: number }[];
}

interface Snapshot {
  readonly nodes?: number;
  readonly edges?: number;
  readonly frames?: number;
  readonly step?: number;
  readonly graphPaints?: number;
  readonly graphWorkP95Ms?: number;
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Opens the lab at `baseUrl` + the case's hash, presses Play, lets the layout settle and measures; see the file comment. */
export async function graphFrameCase(browser: Browser, baseUrl: string, c: GraphFrameCase, opts: GraphFrameOptions = {}): Promise<GraphFrameRow> {
  const seconds = opts.seconds ?? 10;
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  try {
    const search = opts.painter && opts.painter !== 'auto' ? `?painter=${opts.painter}` : '';
    await page.goto(`${baseUrl}/${search}${c.hash}`);
    await page.waitForFunction(() => (window.__loopyLab?.snapshot().frames ?? 0) > 0, null, { timeout: 300_000 });
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction(() => (window.__loopyLab?.snapshot().step ?? 0) >= 1, null, { timeout: 600_000 });
    const played = Date.now();
    await page.waitForTimeout(opts.settleMs ?? 8000);
    // Steady state, not the layout's start-up: wait (up to maxSettleMs) until sample nodes stop moving on screen.
    const probe = (): Promise<number[]> =>
      page.evaluate(`(() => { const v = window.__loopyLab.graphView(); const n = window.__loopyLab.snapshot().nodes;
        return [1, 7, 50, 500, 5000].filter((id) => id < n).flatMap((id) => { const p = v && v.screenOf(id); return p ? [p.x, p.y] : []; }); })()`);
    let last = await probe();
    while (Date.now() - played < (opts.maxSettleMs ?? 60_000)) {
      await page.waitForTimeout(1000);
      const now = await probe();
      const moved = now.reduce((m, v, i) => Math.max(m, Math.abs(v - (last[i] ?? Infinity))), 0);
      last = now;
      if (now.length > 0 && moved < 0.5) break;
    }
    const settleS = (Date.now() - played) / 1000;
    // A string, not a function: tsx would wrap named inner functions in a helper the page lacks.
    const gapsScript = `new Promise((resolve) => {
      const out = [];
      let last = performance.now();
      const end = last + ${seconds * 1000};
      const tick = (now) => { out.push(now - last); last = now; if (now < end) requestAnimationFrame(tick); else resolve(out); };
      requestAnimationFrame(tick);
    })`;
    const gaps = await page.evaluate<number[]>(gapsScript);
    const s = (await page.evaluate(() => window.__loopyLab?.snapshot())) as Snapshot | undefined;
    const painter = await page.evaluate(() => document.querySelector<HTMLCanvasElement>('canvas[data-painter]')?.dataset.painter);
    const sorted = [...gaps].sort((a, b) => a - b);
    const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
    const total = gaps.reduce((a, b) => a + b, 0);
    const row: GraphFrameRow = {
      bench: 'graph-frame-time',
      model: c.model,
      hash: c.hash,
      nodes: s?.nodes,
      edges: s?.edges,
      frameGapP50Ms: round(q(0.5)),
      frameGapP95Ms: round(q(0.95)),
      fps: round((1000 * gaps.length) / total),
      graphWorkP95Ms: round(s?.graphWorkP95Ms ?? NaN, 2),
      graphPaints: s?.graphPaints,
      trainSteps: s?.step,
      seconds,
      painter,
      settleS: round(settleS),
      target: 16.7,
    };
    if (!opts.profile) return row;
    return { ...row, profile: await profileTop(page, seconds) };
  } finally {
    await page.close();
  }
}

type Page = Awaited<ReturnType<Browser['newPage']>>;

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number };
}

/** A CPU profile of the page's main thread over `seconds`, summed by function (self time), top 25. */
async function profileTop(page: Page, seconds: number): Promise<{ fn: string; selfMs: number; share: number }[]> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await page.waitForTimeout(seconds * 1000);
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as {
    profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  };
  await cdp.detach();
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) byId.set(n.id, n);
  const self = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    const n = byId.get(id);
    if (!n) return;
    const f = n.callFrame;
    const file = f.url.split('/').pop() ?? '';
    const key = `${f.functionName || '(anon)'} ${file}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    all += dt;
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([fn, ms]) => ({ fn, selfMs: round(ms), share: round(ms / all, 3) }));
}
