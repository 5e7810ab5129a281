/**
 * The graph's colours, built once: on a dark page (#0b1020) activity runs
 * through inferno (perceptually ordered, dark purple to pale yellow, skipping
 * its black end so quiet nodes stay visible), gates are cool blue-white
 * lines, and threads take hues inferno does not use.
 */
/**
 * Matplotlib's inferno colour map (van der Walt & Smith, CC0) at 33 evenly
 * spaced stops, interpolated linearly: within 5/255 per channel of the full
 * 256-entry map, without shipping every other d3 colour scheme to the page.
 */
const INFERNO_STOPS =
  '0000040403120b0724150b37210c4a2f0a5b3d09654a0c6b57106e64156e71196e7d1e6d8a226a972766a32c61b0315bbc3754c73e4cd24644db503be45a31eb6628f1731df68013f98e09fb9d07fcac11fbbc21f9cb35f5db4cf2ea69f3f68afcffa4';
const INFERNO_RGB: readonly (readonly [number, number, number])[] = Array.from({ length: INFERNO_STOPS.length / 6 }, (_, i) => {
  const hex = (k: number): number => parseInt(INFERNO_STOPS.slice(6 * i + k, 6 * i + k + 2), 16);
  return [hex(0), hex(2), hex(4)] as const;
});

/** Inferno at t in [0, 1] as an rgb() string. */
export function interpolateInferno(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (INFERNO_RGB.length - 1);
  const i = Math.min(INFERNO_RGB.length - 2, Math.floor(x));
  const f = x - i;
  const a = INFERNO_RGB[i] as readonly [number, number, number];
  const b = INFERNO_RGB[i + 1] as readonly [number, number, number];
  const c = (k: 0 | 1 | 2): number => Math.round(a[k] + (b[k] - a[k]) * f);
  return `rgb(${c(0)}, ${c(1)}, ${c(2)})`;
}

export const BACKGROUND = '#0b1020';

/** Colour buckets for node activity; one fill path each. */
export const ACTIVITY_BUCKETS = 24;
/** Gate buckets for edges; one stroke path each. */
export const GATE_BUCKETS = 8;

const INFERNO_LO = 0.16;
const INFERNO_HI = 0.98;

/** Inferno colour for an activity intensity t in [0, 1]. */
export function activityColour(t: number): string {
  return interpolateInferno(INFERNO_LO + (INFERNO_HI - INFERNO_LO) * Math.min(1, Math.max(0, t)));
}

/** Fill colour of each activity bucket (bucket centre). */
export const ACTIVITY_RAMP: readonly string[] = Array.from({ length: ACTIVITY_BUCKETS }, (_, b) =>
  activityColour((b + 0.5) / ACTIVITY_BUCKETS),
);

/** CSS gradient of the activity ramp, for the legend. */
export const ACTIVITY_GRADIENT_CSS = `linear-gradient(90deg, ${[0, 0.25, 0.5, 0.75, 1].map((t) => activityColour(t)).join(', ')})`;

export interface GateStyle {
  readonly colour: string;
  /** The colour's own opacity (also inside `colour`). */
  readonly alpha: number;
  /** Line width in CSS pixels (constant on screen whatever the zoom). */
  readonly width: number;
}

/**
 * Display level of an edge strength (gate, weight or message, in [0, 1]):
 * squared, so the differences between mostly-open gates (0.8 vs 1, common
 * with gaussian gates) stay visible and weak edges recede.
 */
export function gateLevel(gate: number): number {
  return gate > 0 ? (gate >= 1 ? 1 : gate * gate) : 0;
}

/**
 * Stroke of each strength bucket, one line per edge: bucket 0 (closed gate,
 * small weight) is the faint slate of the graph's structure; stronger ones
 * turn ice-blue, more opaque and wider, never so bright that they drown the thread.
 */
export const GATE_STYLES: readonly GateStyle[] = Array.from({ length: GATE_BUCKETS }, (_, b) => {
  if (b === 0) return { colour: 'rgba(100, 116, 139, 0.22)', alpha: 0.22, width: 0.8 };
  const t = b / (GATE_BUCKETS - 1);
  const mix = (lo: number, hi: number): number => Math.round(lo + (hi - lo) * t);
  const alpha = 0.25 + 0.65 * t * Math.sqrt(t);
  return { colour: `rgba(${mix(100, 186)}, ${mix(130, 230)}, ${mix(160, 253)}, ${alpha.toFixed(3)})`, alpha, width: 0.8 + 1.6 * t };
});

/** Opacity of the edge layer for `edges` edges: 1 up to a few hundred, down to 0.4 by a few thousand. */
export function edgeDensityAlpha(edges: number): number {
  return Math.min(1, Math.max(0.4, Math.sqrt(400 / Math.max(1, edges))));
}

/**
 * Layer opacity of strength bucket `b` among `edges` edges: density dims
 * the weak buckets of a big graph, never the strongest, so strong edges
 * stand out of a thousand-node graph.
 */
export function edgeBucketAlpha(b: number, edges: number): number {
  const d = edgeDensityAlpha(edges);
  return d + ((1 - d) * b) / (GATE_BUCKETS - 1);
}

/** How opaque an edge of strength `strength` is drawn among `edges` edges (non-decreasing in strength). */
export function edgeAlpha(strength: number, edges: number): number {
  const b = edgeBucket(strength);
  return (GATE_STYLES[b] as GateStyle).alpha * edgeBucketAlpha(b, edges);
}

/** The strength bucket of an edge (gateLevel, then GATE_BUCKETS even steps). */
export function edgeBucket(strength: number): number {
  const t = gateLevel(strength);
  if (!(t > 0)) return 0;
  const b = Math.floor(t * GATE_BUCKETS);
  return b >= GATE_BUCKETS ? GATE_BUCKETS - 1 : b;
}

/** CSS gradient of the edge strengths, weak to strong, for the legend. */
export const EDGE_GRADIENT_CSS = `linear-gradient(90deg, ${GATE_STYLES.map((g) => g.colour).join(', ')})`;

export const NODE_OUTLINE = 'rgba(226, 232, 240, 0.28)';
export const ACTIVE_GLOW = 'rgba(253, 224, 71, 0.16)';
export const ACTIVE_GLOW_CORE = 'rgba(254, 240, 138, 0.55)';
export const INPUT_COLOUR = '#34d399';
export const OUTPUT_COLOUR = '#a78bfa';
export const HOVER_COLOUR = '#f8fafc';
/** The pinned node's ring and tag (amber: apart from inferno's ramp, the roles and the threads). */
export const PIN_COLOUR = '#fbbf24';
export const BIRTH_COLOUR = '#86efac';
export const DEATH_COLOUR = '#f87171';
export const LABEL_FONT = '600 10px ui-sans-serif, system-ui, sans-serif';

const THREAD_HUES = ['#67e8f9', '#f0abfc', '#bef264', '#fda4af', '#93c5fd', '#fdba74', '#5eead4', '#e9d5ff'];

/** Colour of thread `i`: distinct hues away from inferno's, cycling past eight. */
export function threadColour(i: number): string {
  return THREAD_HUES[i % THREAD_HUES.length] as string;
}
