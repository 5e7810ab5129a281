/**
 * A view's legend drawn into its SVG picture, as the view shows it over the
 * canvas (bottom left, a dark rounded box, items wrapping like flex-wrap).
 * The graph's: the activity ramp, what edge brightness means, threads,
 * in/out rings, births and deaths, the layout. Other views pass their items.
 */
import type { GraphLegend } from './graph-controller';
import type { LayoutKind } from './fixed-layouts';
import { activityColour, BIRTH_COLOUR, DEATH_COLOUR, GATE_STYLES, INPUT_COLOUR, OUTPUT_COLOUR, threadColour } from './palette';
import { escapeSvgText, svgPaint, type SvgContext } from './svg-context';

const EDGE_LABELS: Record<GraphLegend['edges'], string> = { gate: 'gate strength', weight: '|weight|', message: 'message strength' };
const LAYOUT_LABELS: Record<LayoutKind, string> = { force: 'force layout', ring: 'ring layout', layers: 'layers by depth', plane: 'spatial layout' };

const FONT = '500 11px ui-sans-serif, system-ui, sans-serif';
const TEXT = '#cbd5e1';
const HINT = '#64748b';
const ROW = 16;
const PAD_X = 10;
const PAD_Y = 6;
const ITEM_GAP = 14;
const PART_GAP = 5;

/** One piece of a legend item: a word, a colour ramp (a swatch is a one-colour ramp), a ring or a dot. */
export type LegendPart =
  | { readonly kind: 'text'; readonly text: string; readonly colour: string }
  | { readonly kind: 'ramp'; readonly w: number; readonly h: number; readonly stops: readonly string[] }
  | { readonly kind: 'ring'; readonly colour: string }
  | { readonly kind: 'dot'; readonly colour: string };
type Part = LegendPart;

export const legendText = (t: string, colour = TEXT): LegendPart => ({ kind: 'text', text: t, colour });

function items(l: GraphLegend | null): Part[][] {
  const text = legendText;
  const out: Part[][] = [[text('activity (log)'), { kind: 'ramp', w: 64, h: 8, stops: [0, 0.25, 0.5, 0.75, 1].map((t) => activityColour(t)) }]];
  if (!l) return out;
  out.push([{ kind: 'ramp', w: 36, h: 3, stops: GATE_STYLES.map((g) => g.colour) }, text(EDGE_LABELS[l.edges])]);
  if (l.threads) out.push([{ kind: 'dot', colour: threadColour(0) }, text('thread')]);
  const roles: Part[] = [];
  if (l.inputs) roles.push({ kind: 'ring', colour: INPUT_COLOUR }, text('in'));
  if (l.outputs) roles.push({ kind: 'ring', colour: OUTPUT_COLOUR }, text('out'));
  if (roles.length) out.push(roles);
  if (l.growth) out.push([{ kind: 'ring', colour: BIRTH_COLOUR }, text('born'), { kind: 'ring', colour: DEATH_COLOUR }, text('died')]);
  out.push([text(LAYOUT_LABELS[l.layout], HINT)]);
  return out;
}

/** Draws the graph's legend into `svg` (CSS pixels), `width` x `height` being the picture's size. */
export function drawLegend(svg: SvgContext, legend: GraphLegend | null, width: number, height: number): void {
  drawLegendItems(svg, items(legend), width, height);
}

/** Draws legend items (each a row of parts) into `svg`, bottom left. */
export function drawLegendItems(svg: SvgContext, legendItems: readonly (readonly LegendPart[])[], width: number, height: number): void {
  svg.font = FONT;
  const widthOf = (p: Part): number => (p.kind === 'text' ? svg.measureText(p.text).width : p.kind === 'ramp' ? p.w : 9);
  const itemWidth = (parts: readonly Part[]): number => parts.reduce((a, p) => a + widthOf(p), 0) + PART_GAP * (parts.length - 1);
  // Flex-wrap as the CSS legend does: items left to right, a new row when the next does not fit.
  const maxW = Math.max(40, width - 20 - 2 * PAD_X);
  const rows: (readonly Part[])[][] = [[]];
  let rowW = 0;
  for (const it of legendItems) {
    const w = itemWidth(it);
    const row = rows[rows.length - 1] as (readonly Part[])[];
    if (row.length > 0 && rowW + ITEM_GAP + w > maxW) {
      rows.push([it]);
      rowW = w;
    } else {
      rowW += (row.length > 0 ? ITEM_GAP : 0) + w;
      row.push(it);
    }
  }
  const boxW = Math.min(maxW, Math.max(...rows.map((r) => r.reduce((a, it) => a + itemWidth(it), 0) + ITEM_GAP * (r.length - 1)))) + 2 * PAD_X;
  const boxH = rows.length * ROW + 2 * PAD_Y;
  const left = 10;
  const top = height - 10 - boxH;
  svg.raw(`<rect x="${left}" y="${top}" width="${r2(boxW)}" height="${boxH}" rx="6" fill="#111827" fill-opacity="0.72"/>`);
  let gradients = 0;
  rows.forEach((row, i) => {
    const cy = top + PAD_Y + i * ROW + ROW / 2;
    let x = left + PAD_X;
    row.forEach((it, j) => {
      if (j > 0) x += ITEM_GAP;
      it.forEach((p, k) => {
        if (k > 0) x += PART_GAP;
        switch (p.kind) {
          case 'text':
            svg.raw(`<text x="${r2(x)}" y="${r2(cy)}" font-family="ui-sans-serif, system-ui, sans-serif" font-size="11" font-weight="500" dominant-baseline="central" fill="${p.colour}">${escapeSvgText(p.text)}</text>`);
            break;
          case 'ramp': {
            const id = `legendRamp${gradients++}`;
            const stops = p.stops
              .map((c, s) => {
                const { paint, opacity } = svgPaint(c);
                return `<stop offset="${r2(s / Math.max(1, p.stops.length - 1))}" stop-color="${paint}"${opacity < 1 ? ` stop-opacity="${opacity}"` : ''}/>`;
              })
              .join('');
            svg.raw(`<rect x="${r2(x)}" y="${r2(cy - p.h / 2)}" width="${p.w}" height="${p.h}" rx="${p.h / 2}" fill="url(#${id})"/>`, `<linearGradient id="${id}">${stops}</linearGradient>`);
            break;
          }
          case 'ring':
            svg.raw(`<circle cx="${r2(x + 4.5)}" cy="${r2(cy)}" r="3.5" fill="none" stroke="${p.colour}" stroke-width="2"/>`);
            break;
          case 'dot':
            svg.raw(`<circle cx="${r2(x + 4.5)}" cy="${r2(cy)}" r="4.5" fill="${p.colour}"/>`);
            break;
        }
        x += widthOf(p);
      });
    });
  });
}

function r2(x: number): string {
  return String(Math.round(x * 100) / 100);
}
