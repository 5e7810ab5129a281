/** The graph's WebGL2 pass (?painter=webgl) draws the same nodes in the same places and colours as Canvas 2D; 'auto' keeps 2D on a software GL. */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { ACTIVITY_RAMP } from '../src/views/graph/palette';

const RAMP = ACTIVITY_RAMP.map((c) => (c.match(/\d+/g) ?? []).map(Number));

/** The share of sampled hidden nodes whose centre pixel on the canvas is an activity-ramp colour (within 3/255). */
async function rampShare(page: Page): Promise<{ share: number; samples: number }> {
  const pixels = await page.evaluate(() => {
    const g = window.__loopyLab?.graphView();
    const canvas = document.querySelector<HTMLCanvasElement>('canvas[data-painter]');
    const ctx = canvas?.getContext('2d');
    if (!g || !canvas || !ctx) return [];
    const dpr = canvas.width / canvas.clientWidth;
    const out: number[][] = [];
    for (let id = 20; id < 300; id += 9) {
      const p = g.screenOf(id);
      if (p) out.push(Array.from(ctx.getImageData(Math.floor(p.x * dpr), Math.floor(p.y * dpr), 1, 1).data));
    }
    return out;
  });
  const near = (px: number[]): boolean => RAMP.some((c) => c.every((v, i) => Math.abs(v - (px[i] ?? -99)) <= 3));
  return { share: pixels.filter(near).length / Math.max(1, pixels.length), samples: pixels.length };
}

test('forced WebGL draws every node at its place in its activity colour, as 2D does; hit testing still pins; auto keeps 2D on software GL', async ({ lab, page }) => {
  const hasGl = await page.evaluate(() => document.createElement('canvas').getContext('webgl2') !== null);
  test.skip(!hasGl, 'no WebGL2 here: the painter stays on Canvas 2D');
  const hash = '#model=loopy&graph=watts-strogatz&nodes=300&think=3';
  const canvas = page.getByRole('img', { name: 'Activity graph' });
  for (const painter of ['2d', 'webgl'] as const) {
    await lab.open(`?painter=${painter}${hash}`);
    await expect(canvas).toHaveAttribute('data-layout', 'ring');
    await expect(canvas).toHaveAttribute('data-painter', painter);
    await lab.waitFor((s) => s.graphPaints > 2, 'a few paints');
    const { share, samples } = await rampShare(page);
    expect(samples).toBeGreaterThan(25);
    expect(share, `${painter}: node centres in ramp colours`).toBeGreaterThan(0.8);
  }
  // Hit testing is not painting: a click on a node pins it under WebGL too.
  const box = await canvas.boundingBox();
  const at = await page.evaluate(() => window.__loopyLab?.graphView()?.screenOf(100) ?? null);
  await page.mouse.click((box?.x ?? 0) + (at?.x ?? 0), (box?.y ?? 0) + (at?.y ?? 0));
  await expect(page.getByRole('region', { name: 'Node inspector' })).toHaveAttribute('data-pinned', '100');
  // 'auto' at 1,000 nodes: WebGL2 on a GPU, Canvas 2D on a software rasteriser (SwiftShader here), which is faster there.
  await lab.open('#model=loopy&nodes=1000');
  const software = await page.evaluate(() => {
    const gl = document.createElement('canvas').getContext('webgl2');
    const info = gl?.getExtension('WEBGL_debug_renderer_info');
    return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(String(gl && info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : ''));
  });
  await expect(canvas).toHaveAttribute('data-painter', software ? '2d' : 'webgl');
});
