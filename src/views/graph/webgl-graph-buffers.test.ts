import { describe, expect, it } from 'vitest';
import { bucketOf, sortByBucket } from './activity-scale';
import type { GraphModel } from './graph-model';
import { ACTIVITY_BUCKETS, ACTIVITY_RAMP, edgeBucket, GATE_BUCKETS, GATE_STYLES, NODE_OUTLINE } from './palette';
import { ringModel as ring, strokedPaths } from './ring-model-fixture';
import { svgPaint } from './svg-context';
import {
  ACTIVITY_RAMP_RGB,
  edgeBucketColours,
  fillLineSegments,
  fillNodeInstances,
  isSoftwareRenderer,
  NODE_FLOATS,
  NODE_OUTLINE_PREMULTIPLIED,
  parseCssColour,
  rasteriserFromSearch,
  SEGMENT_FLOATS,
  WEBGL_EDGES_MIN,
  WEBGL_NODES_MIN,
  webglWanted,
} from './webgl-graph-buffers';

/** The fixture ring (node 0 reading itself with `loop`), its activity and gates seeded. */
function ringModel(nodes: number, fanIn: number, loop = false): GraphModel {
  const m = ring(nodes, fanIn, loop);
  let seed = 12345;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (const n of m.nodes) m.intensity[n.slot] = rand();
  for (const e of m.edges) m.gate[e.slot] = rand();
  return m;
}

/** The 2D painter's strokes of `m` (SVG export at zoom 1, dpr 1): paint, opacity and the M/L segments of each path. */
function svgStrokes(m: GraphModel): { paint: string; opacity: number; segs: number[] }[] {
  return strokedPaths(m).map((p) => ({
      paint: p.getAttribute('stroke') ?? '',
      opacity: Number(p.getAttribute('stroke-opacity') ?? 1),
      segs: (p.getAttribute('d') ?? '').match(/-?\d+(\.\d+)?/g)?.map(Number) ?? [],
    }));
}

describe('webgl graph buffers', () => {
  it('reads the palette colours', () => {
    expect(parseCssColour('#34d399')).toEqual([0x34 / 255, 0xd3 / 255, 0x99 / 255, 1]);
    expect(parseCssColour('rgb(10, 20, 30)')).toEqual([10 / 255, 20 / 255, 30 / 255, 1]);
    expect(parseCssColour('rgba(100, 116, 139, 0.22)')).toEqual([100 / 255, 116 / 255, 139 / 255, 0.22]);
    for (const c of [...ACTIVITY_RAMP, ...GATE_STYLES.map((g) => g.colour), NODE_OUTLINE]) expect(() => parseCssColour(c)).not.toThrow();
    expect(() => parseCssColour('red')).toThrow();
  });

  it('gives each strength bucket the colour and opacity the 2D painter strokes it with, and its straight lines in bucket order', () => {
    const m = ringModel(120, 3);
    const lines = m.edges.filter((e) => e.drawBase || e.source === e.target).length;
    const rgba = edgeBucketColours(lines);
    // The painter's own bucketing, as paintEdges does it.
    const bucket = Uint8Array.from(m.edges, (e) => (e.drawBase || e.source === e.target ? edgeBucket(m.pairStrength(e)) : GATE_BUCKETS));
    const starts = new Int32Array(GATE_BUCKETS + 2);
    const order = new Int32Array(m.edges.length);
    sortByBucket(bucket, m.edges.length, GATE_BUCKETS + 1, starts, order);
    const segs = new Float32Array(m.edges.length * SEGMENT_FLOATS);
    const strokes = svgStrokes(m);
    let at = 0;
    let checked = 0;
    for (let b = 0; b < GATE_BUCKETS; b++) {
      const first = at;
      at = fillLineSegments(m.edges, order, starts[b] as number, starts[b + 1] as number, segs, at);
      if (at === first) continue;
      const a = rgba[4 * b + 3] as number;
      const rgb = [0, 1, 2].map((c) => Math.round(((rgba[4 * b + c] as number) / a) * 255));
      const paint = `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
      expect(paint).toBe(svgPaint((GATE_STYLES[b] as (typeof GATE_STYLES)[number]).colour).paint);
      // The 2D path of this bucket: same paint, same opacity, the same segments (M x0 y0 L x1 y1 each).
      const path = strokes.find((p) => p.paint === paint && p.segs.length === (at - first) * 4);
      expect(path, `bucket ${b}'s path`).toBeDefined();
      expect(path!.opacity).toBeCloseTo(a, 3);
      const mine = Array.from(segs.subarray(first * SEGMENT_FLOATS, at * SEGMENT_FLOATS));
      mine.forEach((v, i) => expect(v).toBeCloseTo(path!.segs[i]!, 1));
      checked++;
    }
    expect(checked).toBeGreaterThan(3);
    expect(at).toBe(lines);
  });

  it('leaves self-loops to the 2D painter (they are arcs)', () => {
    const m = ringModel(10, 1, true);
    const order = Int32Array.from(m.edges, (_, i) => i);
    const segs = new Float32Array(m.edges.length * SEGMENT_FLOATS);
    expect(fillLineSegments(m.edges, order, 0, m.edges.length, segs, 0)).toBe(m.edges.length - 1);
    expect(fillLineSegments(m.edges, order, 1, 3, segs, 5)).toBe(7);
  });

  it('writes nodes in the 2D painter bucket order with their bucket and drawn radius', () => {
    const m = ringModel(50, 1);
    const n = m.nodes.length;
    const bucket = Uint8Array.from(m.nodes, (node) => bucketOf(m.intensity[node.slot] as number, ACTIVITY_BUCKETS));
    const starts = new Int32Array(ACTIVITY_BUCKETS + 1);
    const order = new Int32Array(n);
    sortByBucket(bucket, n, ACTIVITY_BUCKETS, starts, order);
    const out = new Float32Array(n * NODE_FLOATS);
    fillNodeInstances(m.nodes, order, bucket, n, (node) => node.id + 0.5, out);
    let last = -1;
    for (let j = 0; j < n; j++) {
      const node = m.nodes[order[j] as number]!;
      expect(out[j * NODE_FLOATS]).toBeCloseTo(node.x, 4);
      expect(out[j * NODE_FLOATS + 1]).toBeCloseTo(node.y, 4);
      expect(out[j * NODE_FLOATS + 2]).toBe(node.id + 0.5);
      const b = out[j * NODE_FLOATS + 3]!;
      expect(b).toBe(bucket[order[j] as number]);
      expect(b).toBeGreaterThanOrEqual(last);
      last = b;
    }
    // The fill colours are the ramp's, channel for channel.
    ACTIVITY_RAMP.forEach((c, b) => {
      const [r, g, bl] = parseCssColour(c);
      expect([ACTIVITY_RAMP_RGB[3 * b], ACTIVITY_RAMP_RGB[3 * b + 1], ACTIVITY_RAMP_RGB[3 * b + 2]].map((v) => Math.round(v! * 255))).toEqual(
        [r, g, bl].map((v) => Math.round(v * 255)),
      );
    });
    expect(NODE_OUTLINE_PREMULTIPLIED[3]).toBeCloseTo(0.28, 6);
    expect(NODE_OUTLINE_PREMULTIPLIED[0]).toBeCloseTo((226 / 255) * 0.28, 6);
  });

  it('chooses WebGL for big graphs only, unless told', () => {
    expect(webglWanted(256, 1024, 'auto')).toBe(false);
    expect(webglWanted(WEBGL_NODES_MIN, 10, 'auto')).toBe(true);
    expect(webglWanted(100, WEBGL_EDGES_MIN, 'auto')).toBe(true);
    expect(webglWanted(10_000, 70_000, '2d')).toBe(false);
    expect(webglWanted(10, 10, 'webgl')).toBe(true);
    // A software GL rasteriser is slower than Canvas 2D: 'auto' keeps 2D there, 'webgl' still forces it.
    expect(webglWanted(10_000, 70_000, 'auto', true)).toBe(false);
    expect(webglWanted(10_000, 70_000, 'webgl', true)).toBe(true);
    expect(isSoftwareRenderer('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)')).toBe(true);
    expect(isSoftwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isSoftwareRenderer('ANGLE (NVIDIA, NVIDIA H100 PCIe Direct3D11 vs_5_0 ps_5_0, D3D11)')).toBe(false);
    expect(rasteriserFromSearch('?painter=2d')).toBe('2d');
    expect(rasteriserFromSearch('?painter=webgl&x=1')).toBe('webgl');
    expect(rasteriserFromSearch('?painter=svg')).toBe('auto');
    expect(rasteriserFromSearch('')).toBe('auto');
  });
});
