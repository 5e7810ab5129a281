/**
 * A recording 2D context: the canvas painters draw into it exactly as they
 * draw on screen, and it writes what they drew as SVG elements (paths,
 * text), so an exported picture is vector and shows the colours as painted.
 * It covers the part of CanvasRenderingContext2D the painters use (paths of
 * lines, arcs and curves, fills and strokes, rectangles, text, a uniform
 * scale-and-translate transform, save/restore). Bitmaps are not vectors,
 * so drawImage throws: painters draw their glows with radialGlow here.
 */

/** What the painters call; a real CanvasRenderingContext2D has all of it. */
export type Paint2D = Pick<
  CanvasRenderingContext2D,
  | 'setTransform'
  | 'save'
  | 'restore'
  | 'beginPath'
  | 'closePath'
  | 'moveTo'
  | 'lineTo'
  | 'arc'
  | 'rect'
  | 'quadraticCurveTo'
  | 'fill'
  | 'stroke'
  | 'fillRect'
  | 'strokeRect'
  | 'clearRect'
  | 'fillText'
  | 'measureText'
  | 'drawImage'
  | 'imageSmoothingEnabled'
  | 'fillStyle'
  | 'strokeStyle'
  | 'lineWidth'
  | 'lineCap'
  | 'lineJoin'
  | 'globalAlpha'
  | 'font'
  | 'textAlign'
  | 'textBaseline'
>;

const TAU = Math.PI * 2;

interface State {
  a: number;
  e: number;
  f: number;
  fillStyle: string;
  strokeStyle: string;
  lineWidth: number;
  lineCap: CanvasLineCap;
  lineJoin: CanvasLineJoin;
  globalAlpha: number;
  font: string;
  textAlign: CanvasTextAlign;
  textBaseline: CanvasTextBaseline;
}

/** Numbers short in the file: two decimals are a hundredth of a CSS pixel. */
function n(x: number): string {
  return String(Math.round(x * 100) / 100);
}

export function escapeSvgText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A CSS colour as an SVG paint and its own opacity (rgba() is SVG 2 only; many readers take only rgb). */
export function svgPaint(colour: string): { readonly paint: string; readonly opacity: number } {
  const m = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$/i.exec(colour.trim());
  if (!m) return { paint: colour, opacity: 1 };
  const hex = [m[1], m[2], m[3]].map((c) => Math.round(Number(c)).toString(16).padStart(2, '0')).join('');
  return { paint: `#${hex}`, opacity: m[4] === undefined ? 1 : Number(m[4]) };
}

/** `600 10px ui-sans-serif, system-ui, sans-serif` as SVG font attributes at `scale`. */
function fontAttributes(font: string, scale: number): string {
  const m = /^\s*(?:(normal|bold|[1-9]00)\s+)?([\d.]+)px(?:\/[\d.]+)?\s+(.+)$/.exec(font);
  if (!m) return `font-size="${n(10 * scale)}"`;
  const weight = m[1] ? ` font-weight="${m[1]}"` : '';
  return `font-family="${escapeSvgText(m[3] as string)}" font-size="${n(Number(m[2]) * scale)}"${weight}`;
}

const ANCHOR: Record<CanvasTextAlign, string> = { left: 'start', start: 'start', center: 'middle', right: 'end', end: 'end' };
const BASELINE: Record<CanvasTextBaseline, string> = {
  top: 'text-before-edge',
  hanging: 'hanging',
  middle: 'central',
  alphabetic: 'alphabetic',
  ideographic: 'ideographic',
  bottom: 'text-after-edge',
};

export class SvgContext implements Paint2D {
  /** Bitmaps never reach an SVG; kept so painters can set it. */
  imageSmoothingEnabled = false;
  private state: State;
  private readonly stack: State[] = [];
  private path: string[] = [];
  private current: { x: number; y: number } | null = null;
  private readonly out: string[] = [];
  private readonly defs: string[] = [];
  private readonly measure: CanvasRenderingContext2D | null;

  /** `pixelRatio`: the painters' device pixel ratio, divided out so the SVG is in CSS pixels. */
  constructor(
    readonly width: number,
    readonly height: number,
    private readonly pixelRatio = 1,
  ) {
    this.state = {
      a: 1 / pixelRatio,
      e: 0,
      f: 0,
      fillStyle: '#000000',
      strokeStyle: '#000000',
      lineWidth: 1,
      lineCap: 'butt',
      lineJoin: 'miter',
      globalAlpha: 1,
      font: '10px sans-serif',
      textAlign: 'start',
      textBaseline: 'alphabetic',
    };
    this.measure = typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
  }

  // ---- state ----
  get fillStyle(): string {
    return this.state.fillStyle;
  }
  set fillStyle(v: string | CanvasGradient | CanvasPattern) {
    if (typeof v === 'string') this.state.fillStyle = v;
  }
  get strokeStyle(): string {
    return this.state.strokeStyle;
  }
  set strokeStyle(v: string | CanvasGradient | CanvasPattern) {
    if (typeof v === 'string') this.state.strokeStyle = v;
  }
  get lineWidth(): number {
    return this.state.lineWidth;
  }
  set lineWidth(v: number) {
    this.state.lineWidth = v;
  }
  get lineCap(): CanvasLineCap {
    return this.state.lineCap;
  }
  set lineCap(v: CanvasLineCap) {
    this.state.lineCap = v;
  }
  get lineJoin(): CanvasLineJoin {
    return this.state.lineJoin;
  }
  set lineJoin(v: CanvasLineJoin) {
    this.state.lineJoin = v;
  }
  get globalAlpha(): number {
    return this.state.globalAlpha;
  }
  set globalAlpha(v: number) {
    this.state.globalAlpha = v;
  }
  get font(): string {
    return this.state.font;
  }
  set font(v: string) {
    this.state.font = v;
  }
  get textAlign(): CanvasTextAlign {
    return this.state.textAlign;
  }
  set textAlign(v: CanvasTextAlign) {
    this.state.textAlign = v;
  }
  get textBaseline(): CanvasTextBaseline {
    return this.state.textBaseline;
  }
  set textBaseline(v: CanvasTextBaseline) {
    this.state.textBaseline = v;
  }

  save(): void {
    this.stack.push({ ...this.state });
  }
  restore(): void {
    const s = this.stack.pop();
    if (s) this.state = s;
  }

  /** Only uniform scale plus translation (what the painters use): a is the scale, e and f the offset. */
  setTransform(a?: number | DOMMatrix2DInit, _b?: number, _c?: number, _d?: number, e?: number, f?: number): void {
    if (typeof a !== 'number') return;
    this.state.a = a / this.pixelRatio;
    this.state.e = (e ?? 0) / this.pixelRatio;
    this.state.f = (f ?? 0) / this.pixelRatio;
  }

  private x(x: number): number {
    return this.state.a * x + this.state.e;
  }
  private y(y: number): number {
    return this.state.a * y + this.state.f;
  }

  // ---- paths ----
  beginPath(): void {
    this.path = [];
    this.current = null;
  }
  closePath(): void {
    this.path.push('Z');
  }
  moveTo(x: number, y: number): void {
    const px = this.x(x);
    const py = this.y(y);
    this.path.push(`M${n(px)} ${n(py)}`);
    this.current = { x: px, y: py };
  }
  lineTo(x: number, y: number): void {
    const px = this.x(x);
    const py = this.y(y);
    this.path.push(`${this.current ? 'L' : 'M'}${n(px)} ${n(py)}`);
    this.current = { x: px, y: py };
  }
  quadraticCurveTo(cpx: number, cpy: number, x: number, y: number): void {
    if (!this.current) this.moveTo(cpx, cpy);
    const px = this.x(x);
    const py = this.y(y);
    this.path.push(`Q${n(this.x(cpx))} ${n(this.y(cpy))} ${n(px)} ${n(py)}`);
    this.current = { x: px, y: py };
  }
  rect(x: number, y: number, w: number, h: number): void {
    this.path.push(`M${n(this.x(x))} ${n(this.y(y))}h${n(w * this.state.a)}v${n(h * this.state.a)}h${n(-w * this.state.a)}Z`);
    this.current = { x: this.x(x), y: this.y(y) };
  }
  arc(cx: number, cy: number, radius: number, start: number, end: number, anticlockwise = false): void {
    const r = radius * this.state.a;
    const x = this.x(cx);
    const y = this.y(cy);
    const sx = x + r * Math.cos(start);
    const sy = y + r * Math.sin(start);
    this.path.push(`${this.current ? 'L' : 'M'}${n(sx)} ${n(sy)}`);
    let sweep = anticlockwise ? start - end : end - start;
    if (sweep >= TAU - 1e-9) {
      // A whole circle: two half arcs (one SVG arc cannot end where it starts).
      const mx = x - r * Math.cos(start);
      const my = y - r * Math.sin(start);
      const flag = anticlockwise ? 0 : 1;
      this.path.push(`A${n(r)} ${n(r)} 0 1 ${flag} ${n(mx)} ${n(my)}A${n(r)} ${n(r)} 0 1 ${flag} ${n(sx)} ${n(sy)}`);
      this.current = { x: sx, y: sy };
      return;
    }
    sweep = ((sweep % TAU) + TAU) % TAU;
    const stop = anticlockwise ? start - sweep : start + sweep;
    const ex = x + r * Math.cos(stop);
    const ey = y + r * Math.sin(stop);
    this.path.push(`A${n(r)} ${n(r)} 0 ${sweep > Math.PI ? 1 : 0} ${anticlockwise ? 0 : 1} ${n(ex)} ${n(ey)}`);
    this.current = { x: ex, y: ey };
  }

  fill(): void {
    if (this.path.length === 0) return;
    this.out.push(`<path d="${this.path.join('')}"${this.fillAttrs()}/>`);
  }
  stroke(): void {
    if (this.path.length === 0) return;
    this.out.push(`<path d="${this.path.join('')}" fill="none"${this.strokeAttrs()}/>`);
  }
  fillRect(x: number, y: number, w: number, h: number): void {
    this.out.push(`<rect x="${n(this.x(x))}" y="${n(this.y(y))}" width="${n(w * this.state.a)}" height="${n(h * this.state.a)}"${this.fillAttrs()}/>`);
  }
  strokeRect(x: number, y: number, w: number, h: number): void {
    this.out.push(`<rect x="${n(this.x(x))}" y="${n(this.y(y))}" width="${n(w * this.state.a)}" height="${n(h * this.state.a)}" fill="none"${this.strokeAttrs()}/>`);
  }
  /** The picture's background shows through a cleared area: nothing is drawn. */
  clearRect(): void {}

  fillText(text: string, x: number, y: number): void {
    const s = this.state;
    this.out.push(
      `<text x="${n(this.x(x))}" y="${n(this.y(y))}" ${fontAttributes(s.font, s.a)} text-anchor="${ANCHOR[s.textAlign]}" dominant-baseline="${BASELINE[s.textBaseline]}"${this.fillAttrs()}>${escapeSvgText(text)}</text>`,
    );
  }
  measureText(text: string): TextMetrics {
    if (this.measure) {
      this.measure.font = this.state.font;
      return this.measure.measureText(text);
    }
    const size = Number(/([\d.]+)px/.exec(this.state.font)?.[1] ?? 10);
    return { width: 0.6 * size * text.length } as TextMetrics;
  }

  drawImage(): void {
    throw new Error('SvgContext: a bitmap is not a vector (draw it as paths, or radialGlow for a glow)');
  }

  /** A soft round glow (what painters stamp as a bitmap sprite on screen), as a radial gradient. */
  radialGlow(cx: number, cy: number, radius: number, colour: string): void {
    const id = `glow${this.defs.length}`;
    const { paint } = svgPaint(colour);
    this.defs.push(
      `<radialGradient id="${id}"><stop offset="0" stop-color="${paint}"/><stop offset="0.35" stop-color="${paint}" stop-opacity="0.45"/><stop offset="1" stop-color="${paint}" stop-opacity="0"/></radialGradient>`,
    );
    const alpha = this.state.globalAlpha;
    this.out.push(`<circle cx="${n(this.x(cx))}" cy="${n(this.y(cy))}" r="${n(radius * this.state.a)}" fill="url(#${id})"${alpha < 1 ? ` opacity="${n(alpha)}"` : ''}/>`);
  }

  /** Raw SVG elements in CSS pixels (a legend drawn beside the painter's picture). */
  raw(element: string, def?: string): void {
    this.out.push(element);
    if (def) this.defs.push(def);
  }

  private fillAttrs(): string {
    const { paint, opacity } = svgPaint(this.state.fillStyle);
    const o = opacity * this.state.globalAlpha;
    return ` fill="${paint}"${o < 1 ? ` fill-opacity="${n3(o)}"` : ''}`;
  }
  private strokeAttrs(): string {
    const s = this.state;
    const { paint, opacity } = svgPaint(s.strokeStyle);
    const o = opacity * s.globalAlpha;
    return ` stroke="${paint}" stroke-width="${n3(s.lineWidth * s.a)}"${o < 1 ? ` stroke-opacity="${n3(o)}"` : ''}${s.lineCap !== 'butt' ? ` stroke-linecap="${s.lineCap}"` : ''}${s.lineJoin !== 'miter' ? ` stroke-linejoin="${s.lineJoin}"` : ''}`;
  }

  /** The finished document. */
  toSvg(title: string): string {
    return [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${n(this.width)}" height="${n(this.height)}" viewBox="0 0 ${n(this.width)} ${n(this.height)}">`,
      `<title>${escapeSvgText(title)}</title>`,
      this.defs.length ? `<defs>${this.defs.join('')}</defs>` : '',
      ...this.out,
      '</svg>',
    ].join('\n');
  }
}

function n3(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}

/** True for the recording context (painters then draw glows as gradients, not bitmaps). */
export function isSvgContext(ctx: unknown): ctx is SvgContext {
  return ctx instanceof SvgContext;
}
