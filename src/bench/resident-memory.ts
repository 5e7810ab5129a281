/**
 * Resident memory over a long run (a measurement, never a test): serves a
 * production build, opens the lab in headless Chromium with one experiment,
 * presses Play and samples every --every seconds:
 *   - private resident memory (RssAnon, from /proc/<pid>/status) of the
 *     browser's processes by kind: browser, renderer (the page and its
 *     workers), gpu, other (zygote, network, storage); and their sum;
 *   - the page's JS heap (performance.memory), DOM nodes and canvases;
 *   - the training worker's wasm linear memory and tfjs tensors
 *     (window.__loopyLab.workerMemory()) and its V8 heap (DevTools
 *     protocol, Runtime.getHeapUsage on the worker target).
 * It prints one JSON line per sample and, at the end, each figure's growth
 * in MB per minute after the first minute (least squares) and its change
 * relative to the first minute.
 *   npx tsx src/bench/resident-memory.ts [--dist /tmp/dist] [--port 4190]
 *     [--minutes 5] [--every 30] [--hash '#model=loopy&nodes=1000'] [--label name]
 * Linux only (it reads /proc).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chromium, type CDPSession } from '@playwright/test';
import { preview } from 'vite';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? (argv[i + 1] as string) : fallback;
};
const dist = arg('dist', 'dist');
const port = Number(arg('port', '4190'));
const minutes = Number(arg('minutes', '5'));
const everyS = Number(arg('every', '30'));
const hash = arg('hash', '');
const label = arg('label', hash || 'default');

const CHROMIUM = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const CHROMIUM_ARGS = ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update'];
const MB = 1024 * 1024;

interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  /** Names of its threads: how a process shows what it is (Debian's Chromium hides --type= from /proc). */
  readonly threads: readonly string[];
}

function readProc(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const threads = readdirSync(`/proc/${pid}/task`).map((t) => {
      try {
        return readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim();
      } catch {
        return '';
      }
    });
    return { pid, ppid, threads };
  } catch {
    return null;
  }
}

/** The GPU process runs the display compositor; a renderer has a compositor thread (and its dedicated workers' threads). */
function kindOf(p: ProcInfo, root: number): string {
  if (p.pid === root) return 'browser';
  if (p.threads.includes('VizCompositorTh')) return 'gpu';
  if (p.threads.includes('Compositor') || p.threads.includes('DedicatedWorker')) return 'renderer';
  return 'other';
}

/**
 * Private anonymous resident bytes (RssAnon): the heaps, not the shared
 * binary, so other Chromiums on the machine do not move it the way they
 * move PSS.
 */
function anonBytes(pid: number): number {
  try {
    const kb = /^RssAnon:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kb ? Number(kb[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Every process under `root` (itself included), by Chromium process type. */
function memoryByType(root: number): Record<string, number> {
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is ProcInfo => p !== null);
  const children = new Map<number, ProcInfo[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: Record<string, number> = {};
  const rootInfo = all.find((p) => p.pid === root);
  const stack = rootInfo ? [rootInfo] : [];
  while (stack.length > 0) {
    const p = stack.pop() as ProcInfo;
    const kind = kindOf(p, root);
    out[kind] = (out[kind] ?? 0) + anonBytes(p.pid);
    stack.push(...(children.get(p.pid) ?? []));
  }
  out.total = Object.values(out).reduce((a, b) => a + b, 0);
  return out;
}

/**
 * The training worker's V8 heap in use, through the browser's DevTools
 * protocol (workers have no performance.memory): attach to the worker
 * target and ask Runtime.getHeapUsage. Null when no worker target is found.
 */
async function workerHeapBytes(cdp: CDPSession): Promise<number | null> {
  const { targetInfos } = await cdp.send('Target.getTargets');
  const target = targetInfos.find((t) => t.type === 'worker' && /loopy-lab-trainer|worker-entry/.test(`${t.title} ${t.url}`));
  if (!target) return null;
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
  const answer = new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), 10_000);
    const on = (e: { sessionId: string; message: string }): void => {
      if (e.sessionId !== sessionId) return;
      const m = JSON.parse(e.message) as { id?: number; result?: { usedSize: number } };
      if (m.id !== 1) return;
      clearTimeout(timer);
      cdp.off('Target.receivedMessageFromTarget', on);
      resolve(m.result?.usedSize ?? null);
    };
    cdp.on('Target.receivedMessageFromTarget', on);
  });
  await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: 1, method: 'Runtime.getHeapUsage' }) });
  const used = await answer;
  await cdp.send('Target.detachFromTarget', { sessionId });
  return used;
}

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return den > 0 ? num / den : NaN;
}

const server = await preview({ logLevel: 'silent', preview: { port, strictPort: true }, build: { outDir: dist } });
const browserServer = await chromium.launchServer({ ...(CHROMIUM ? { executablePath: CHROMIUM } : {}), args: CHROMIUM_ARGS });
const browserPid = browserServer.process().pid as number;
const browser = await chromium.connect(browserServer.wsEndpoint());
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
const cdp = await browser.newBrowserCDPSession();
await page.goto(`http://localhost:${port}/${hash}`);
await page.waitForFunction(() => window.__loopyLab?.snapshot().frames !== undefined && (window.__loopyLab?.snapshot().frames ?? 0) > 0, undefined, { timeout: 300_000 });
await page.getByRole('button', { name: 'Play' }).click();

interface Sample {
  readonly minute: number;
  readonly mb: Record<string, number>;
}
const samples: Sample[] = [];
const started = Date.now();
for (;;) {
  const minute = (Date.now() - started) / 60_000;
  const proc = memoryByType(browserPid);
  const page_ = await page.evaluate(async () => {
    const api = window.__loopyLab as NonNullable<typeof window.__loopyLab>;
    const heap = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
    return {
      snapshot: api.snapshot(),
      worker: await api.workerMemory(),
      pageHeap: heap?.usedJSHeapSize ?? null,
      domNodes: document.getElementsByTagName('*').length,
      canvases: document.getElementsByTagName('canvas').length,
    };
  });
  const mb: Record<string, number> = {};
  for (const [k, v] of Object.entries(proc)) mb[`rss.${k}`] = v / MB;
  if (page_.pageHeap !== null) mb.pageHeap = page_.pageHeap / MB;
  const workerHeap = page_.worker.jsHeapBytes ?? (await workerHeapBytes(cdp).catch(() => null));
  if (workerHeap !== null) mb.workerHeap = workerHeap / MB;
  if (page_.worker.wasmHeapBytes !== null) mb.wasmMemory = page_.worker.wasmHeapBytes / MB;
  mb.tensorMB = page_.worker.numBytes / MB;
  samples.push({ minute, mb });
  console.log(
    JSON.stringify({
      label,
      minute: Number(minute.toFixed(2)),
      step: page_.snapshot.step,
      backend: page_.snapshot.backend,
      tensors: page_.worker.numTensors,
      domNodes: page_.domNodes,
      canvases: page_.canvases,
      ...Object.fromEntries(Object.entries(mb).map(([k, v]) => [k, Number(v.toFixed(1))])),
    }),
  );
  if (minute >= minutes) break;
  await page.waitForTimeout(everyS * 1000);
}

// Growth after the first minute: what a long run adds, not what starting up costs.
const settled = samples.filter((s) => s.minute >= 1);
const first = settled[0];
const summary: Record<string, { mbPerMin: number; firstMinuteMB: number; lastMB: number; change: string }> = {};
if (first) {
  for (const key of Object.keys(first.mb)) {
    const xs = settled.map((s) => s.minute);
    const ys = settled.map((s) => s.mb[key] ?? NaN);
    const last = ys.at(-1) as number;
    const base = first.mb[key] as number;
    summary[key] = {
      mbPerMin: Number(slope(xs, ys).toFixed(2)),
      firstMinuteMB: Number(base.toFixed(1)),
      lastMB: Number(last.toFixed(1)),
      change: `${(((last - base) / base) * 100).toFixed(1)}%`,
    };
  }
}
console.log(JSON.stringify({ label, minutes: Number((samples.at(-1)?.minute ?? 0).toFixed(2)), summary }));
await browser.close();
await browserServer.close();
await new Promise<void>((resolve, reject) => server.httpServer.close((e) => (e ? reject(e) : resolve())));
