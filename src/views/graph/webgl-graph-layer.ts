/**
 * The graph's lines and node discs drawn with WebGL2 on an offscreen canvas
 * that the Canvas 2D painter then draws in place of its own strokes and
 * fills (labels, trails, rings and hover stay 2D). One buffer upload per
 * draw: hairlines are gl.LINES straight from the segment buffer, wider
 * lines and the nodes instanced quads; each strength bucket's lines are one
 * draw whose stencil lets a pixel (an MSAA sample) take the bucket's colour
 * once, as a 2D path stroke does, so crossings do not pile up alpha. Losing
 * the context makes `usable` false until it is restored; the painter falls
 * back to 2D.
 */
import { ACTIVITY_RAMP_RGB, isSoftwareRenderer, NODE_FLOATS, NODE_OUTLINE_PREMULTIPLIED, SEGMENT_FLOATS } from './webgl-graph-buffers';
import { ACTIVITY_BUCKETS, GATE_BUCKETS } from './palette';

/** The target and view of one draw: device-pixel size, and screen = world * k + (x, y) in CSS px at `dpr`. */
export interface GlView {
  readonly width: number;
  readonly height: number;
  readonly dpr: number;
  readonly k: number;
  readonly x: number;
  readonly y: number;
}

const LINE_VS = `#version 300 es
layout(location = 0) in vec2 a_corner;
layout(location = 1) in vec4 a_seg;
uniform vec3 u_view;
uniform vec2 u_size;
uniform float u_half;
out float v_side;
void main() {
  vec2 p0 = a_seg.xy * u_view.x + u_view.yz;
  vec2 p1 = a_seg.zw * u_view.x + u_view.yz;
  vec2 d = p1 - p0;
  float len = length(d);
  vec2 dir = len > 1e-6 ? d / len : vec2(1.0, 0.0);
  vec2 nrm = vec2(-dir.y, dir.x);
  // Extended by half the width at each end, like the 2D round caps; half a pixel more on each side for the coverage ramp.
  float h = u_half + 0.5;
  vec2 p = mix(p0, p1, a_corner.x) + dir * (2.0 * a_corner.x - 1.0) * u_half + nrm * a_corner.y * h;
  v_side = a_corner.y * h;
  gl_Position = vec4(p.x / u_size.x * 2.0 - 1.0, 1.0 - p.y / u_size.y * 2.0, 0.0, 1.0);
}`;

/** Hairlines: the segment buffer read as pairs of vertices. */
const HAIR_VS = `#version 300 es
layout(location = 0) in vec2 a_pos;
uniform vec3 u_view;
uniform vec2 u_size;
void main() {
  vec2 p = a_pos * u_view.x + u_view.yz;
  gl_Position = vec4(p.x / u_size.x * 2.0 - 1.0, 1.0 - p.y / u_size.y * 2.0, 0.0, 1.0);
}`;

const HAIR_FS = `#version 300 es
precision mediump float;
uniform vec4 u_colour;
out vec4 o;
void main() { o = u_colour; }`;

/** Wide lines: coverage from the distance to the centre line (smooth edges without multisampling too). */
const LINE_FS = `#version 300 es
precision highp float;
uniform vec4 u_colour;
uniform float u_half;
in float v_side;
out vec4 o;
void main() {
  float a = clamp(u_half + 0.5 - abs(v_side), 0.0, 1.0);
  if (a <= 0.0) discard;
  o = u_colour * a;
}`;

/** Modes of the node program: 0 outline squares under small nodes, 1 fills, 2 disc outlines (as the 2D painter's three passes). */
const NODE_VS = `#version 300 es
layout(location = 0) in vec2 a_corner;
layout(location = 1) in vec4 a_node;
uniform vec3 u_view;
uniform vec2 u_size;
uniform float u_k;
uniform float u_dpr;
uniform float u_squareBelow;
uniform int u_mode;
uniform vec3 u_ramp[${ACTIVITY_BUCKETS}];
out vec2 v_local;
flat out float v_r;
flat out float v_square;
flat out vec3 v_colour;
const float HALF_SQUARE = ${(Math.sqrt(Math.PI) / 2).toFixed(8)};
void main() {
  bool square = a_node.z * u_k < u_squareBelow;
  float r = a_node.z * u_view.x;
  float ext;
  if (u_mode == 0) ext = square ? r * HALF_SQUARE + 0.375 * u_dpr : -1.0;
  else if (u_mode == 1) ext = square ? r * HALF_SQUARE : r + 1.0;
  else ext = square ? -1.0 : r + 0.375 * u_dpr + 1.0;
  if (ext < 0.0) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); return; }
  vec2 off = a_corner * ext;
  vec2 p = a_node.xy * u_view.x + u_view.yz + off;
  v_local = off;
  v_r = r;
  v_square = square ? 1.0 : 0.0;
  v_colour = u_ramp[int(a_node.w)];
  gl_Position = vec4(p.x / u_size.x * 2.0 - 1.0, 1.0 - p.y / u_size.y * 2.0, 0.0, 1.0);
}`;

const NODE_FS = `#version 300 es
precision highp float;
precision highp int;
uniform int u_mode;
uniform float u_dpr;
uniform vec4 u_outline;
in vec2 v_local;
flat in float v_r;
flat in float v_square;
flat in vec3 v_colour;
out vec4 o;
void main() {
  if (u_mode == 0) { o = u_outline; return; }
  if (u_mode == 1) {
    if (v_square > 0.5) { o = vec4(v_colour, 1.0); return; }
    float a = clamp(v_r - length(v_local) + 0.5, 0.0, 1.0);
    if (a <= 0.0) discard;
    o = vec4(v_colour * a, a);
    return;
  }
  // A 0.75 px outline: under a device pixel it is a hairline at reduced alpha, as Skia strokes it.
  float w = 0.75 * u_dpr;
  float a = clamp(max(w, 1.0) * 0.5 + 0.5 - abs(length(v_local) - v_r), 0.0, 1.0) * min(w, 1.0);
  if (a <= 0.0) discard;
  o = u_outline * a;
}`;

/** Two triangles: lines use (along 0..1, side -1..1), nodes use (-1..1, -1..1). */
const LINE_CORNERS = new Float32Array([0, -1, 1, -1, 1, 1, 0, -1, 1, 1, 0, 1]);
const NODE_CORNERS = new Float32Array([-1, -1, 1, -1, 1, 1, -1, -1, 1, 1, -1, 1]);

interface Program {
  readonly program: WebGLProgram;
  readonly uniforms: Map<string, WebGLUniformLocation | null>;
}

interface Resources {
  readonly hair: Program;
  readonly hairVao: WebGLVertexArrayObject;
  readonly line: Program;
  readonly node: Program;
  readonly lineVao: WebGLVertexArrayObject;
  readonly nodeVao: WebGLVertexArrayObject;
  readonly corners: WebGLBuffer[];
  readonly lineBuf: WebGLBuffer;
  readonly nodeBuf: WebGLBuffer;
}

export class GlGraphLayer {
  /** The offscreen canvas drawn into; the 2D painter blits it. */
  readonly canvas: HTMLCanvasElement;
  private readonly gl: WebGL2RenderingContext;
  private res: Resources | null = null;
  private lost = false;
  private disposed = false;
  private readonly onLost = (e: Event): void => {
    e.preventDefault(); // asks for a restore
    this.lost = true;
    this.res = null;
    this.onChange();
  };
  private readonly onRestored = (): void => {
    this.lost = false;
    this.res = this.build();
    this.onChange();
  };

  private constructor(
    canvas: HTMLCanvasElement,
    gl: WebGL2RenderingContext,
    private readonly onChange: () => void,
  ) {
    this.canvas = canvas;
    this.gl = gl;
    canvas.addEventListener('webglcontextlost', this.onLost);
    canvas.addEventListener('webglcontextrestored', this.onRestored);
    this.res = this.build();
  }

  /**
   * A layer, or null where WebGL2 is missing or its programs do not build.
   * `onChange` hears a context lost or restored (repaint). `antialias`:
   * multisampling (default on).
   */
  static create(onChange: () => void = () => undefined, opts: { readonly antialias?: boolean } = {}): GlGraphLayer | null {
    if (typeof document === 'undefined') return null;
    const canvas = document.createElement('canvas');
    const attrs = (antialias: boolean): WebGLContextAttributes => ({ alpha: true, premultipliedAlpha: true, antialias, stencil: true, depth: false });
    let gl = canvas.getContext('webgl2', attrs(opts.antialias ?? true));
    if (!gl) return null;
    // A software rasteriser pays for every sample: unless asked, it gets no multisampling (a fresh canvas: attributes are fixed).
    if (opts.antialias === undefined && isSoftwareRenderer(rendererOf(gl))) {
      gl.getExtension('WEBGL_lose_context')?.loseContext();
      gl = document.createElement('canvas').getContext('webgl2', attrs(false));
      if (!gl) return null;
      return GlGraphLayer.adopt(gl.canvas as HTMLCanvasElement, gl, onChange);
    }
    return GlGraphLayer.adopt(canvas, gl, onChange);
  }

  private static adopt(canvas: HTMLCanvasElement, gl: WebGL2RenderingContext, onChange: () => void): GlGraphLayer | null {
    const layer = new GlGraphLayer(canvas, gl, onChange);
    if (layer.usable) return layer;
    layer.dispose();
    return null;
  }

  /** The GL renderer's name where the browser tells it (WEBGL_debug_renderer_info), else its RENDERER string. */
  get renderer(): string {
    return rendererOf(this.gl);
  }

  /** True where the GL rasteriser is software (SwiftShader, llvmpipe): there Canvas 2D's own is faster (see webglWanted). */
  get software(): boolean {
    return isSoftwareRenderer(this.renderer);
  }

  /** True while the context is live and its programs are built. */
  get usable(): boolean {
    return !this.disposed && !this.lost && this.res !== null && !this.gl.isContextLost();
  }

  /**
   * Clears the canvas and draws `count` segments: bucket b's segments
   * first[b]..first[b]+count[b] in colour rgba[4b..] (premultiplied) at
   * widthsCss[b] CSS px. False when the context is gone (nothing drawn).
   */
  drawLines(segs: Float32Array, total: number, first: Int32Array, count: Int32Array, rgba: Float32Array, widthsCss: Float32Array, v: GlView): boolean {
    const r = this.begin(v);
    if (!r) return false;
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, r.lineBuf);
    gl.bufferData(gl.ARRAY_BUFFER, segs.subarray(0, total * SEGMENT_FLOATS), gl.DYNAMIC_DRAW);
    gl.enable(gl.STENCIL_TEST);
    gl.stencilOp(gl.KEEP, gl.KEEP, gl.REPLACE);
    for (const p of [r.hair, r.line]) {
      gl.useProgram(p.program);
      this.viewUniforms(p, v);
    }
    let bound: Program | null = null;
    for (let b = 0; b < GATE_BUCKETS; b++) {
      const n = count[b] as number;
      if (n === 0) continue;
      // Under a device pixel, a 1 px line at reduced alpha (Skia's thin strokes).
      const w = (widthsCss[b] as number) * v.dpr;
      const hair = w <= 1;
      const p = hair ? r.hair : r.line;
      if (p !== bound) {
        gl.useProgram(p.program);
        gl.bindVertexArray(hair ? r.hairVao : r.lineVao);
        bound = p;
      }
      const thin = Math.min(1, w);
      gl.uniform4f(p.uniforms.get('u_colour') ?? null, (rgba[4 * b] as number) * thin, (rgba[4 * b + 1] as number) * thin, (rgba[4 * b + 2] as number) * thin, (rgba[4 * b + 3] as number) * thin);
      gl.stencilFunc(gl.NOTEQUAL, b + 1, 0xff);
      if (hair) {
        gl.drawArrays(gl.LINES, (first[b] as number) * 2, n * 2);
        continue;
      }
      gl.uniform1f(p.uniforms.get('u_half') ?? null, w / 2);
      // WebGL2 has no base instance: the instance attribute starts at the bucket's first segment.
      gl.vertexAttribPointer(1, 4, gl.FLOAT, false, SEGMENT_FLOATS * 4, (first[b] as number) * SEGMENT_FLOATS * 4);
      gl.drawArraysInstanced(gl.TRIANGLES, 0, 6, n);
    }
    gl.disable(gl.STENCIL_TEST);
    gl.bindVertexArray(null);
    return true;
  }

  /**
   * Clears the canvas and draws `count` nodes (x, y, radius, bucket each) as
   * the 2D painter does: outline squares under the small ones, fills in
   * buffer order, then the discs' outlines. Nodes under `squareBelowPx` CSS
   * px are squares of the disc's area. False when the context is gone.
   */
  drawNodes(nodes: Float32Array, count: number, squareBelowPx: number, v: GlView): boolean {
    const r = this.begin(v);
    if (!r) return false;
    const gl = this.gl;
    const p = r.node;
    gl.useProgram(p.program);
    this.viewUniforms(p, v);
    gl.uniform1f(p.uniforms.get('u_k') ?? null, v.k);
    gl.uniform1f(p.uniforms.get('u_dpr') ?? null, v.dpr);
    gl.uniform1f(p.uniforms.get('u_squareBelow') ?? null, squareBelowPx);
    gl.uniform3fv(p.uniforms.get('u_ramp') ?? null, ACTIVITY_RAMP_RGB);
    gl.uniform4fv(p.uniforms.get('u_outline') ?? null, NODE_OUTLINE_PREMULTIPLIED);
    gl.bindVertexArray(r.nodeVao);
    gl.bindBuffer(gl.ARRAY_BUFFER, r.nodeBuf);
    gl.bufferData(gl.ARRAY_BUFFER, nodes.subarray(0, count * NODE_FLOATS), gl.DYNAMIC_DRAW);
    const mode = p.uniforms.get('u_mode') ?? null;
    gl.stencilOp(gl.KEEP, gl.KEEP, gl.REPLACE);
    for (let m = 0; m < 3; m++) {
      // The outlines are one path each in 2D: a pixel takes their colour once (stencil); fills are opaque.
      if (m === 1) gl.disable(gl.STENCIL_TEST);
      else {
        gl.enable(gl.STENCIL_TEST);
        gl.stencilFunc(gl.NOTEQUAL, m + 1, 0xff);
      }
      gl.uniform1i(mode, m);
      gl.drawArraysInstanced(gl.TRIANGLES, 0, 6, count);
    }
    gl.disable(gl.STENCIL_TEST);
    gl.bindVertexArray(null);
    return true;
  }

  /** Frees the programs and buffers and lets the context go (browsers keep only a few live). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.canvas.removeEventListener('webglcontextlost', this.onLost);
    this.canvas.removeEventListener('webglcontextrestored', this.onRestored);
    const gl = this.gl;
    const r = this.res;
    this.res = null;
    if (r && !gl.isContextLost()) {
      gl.deleteProgram(r.hair.program);
      gl.deleteVertexArray(r.hairVao);
      gl.deleteProgram(r.line.program);
      gl.deleteProgram(r.node.program);
      gl.deleteVertexArray(r.lineVao);
      gl.deleteVertexArray(r.nodeVao);
      for (const b of [...r.corners, r.lineBuf, r.nodeBuf]) gl.deleteBuffer(b);
    }
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    this.canvas.width = this.canvas.height = 1;
  }

  /** Sizes, clears (colour and stencil) and sets blending for a draw; null when unusable. */
  private begin(v: GlView): Resources | null {
    if (!this.usable) return null;
    const gl = this.gl;
    const w = Math.max(1, Math.round(v.width));
    const h = Math.max(1, Math.round(v.height));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    gl.viewport(0, 0, w, h);
    gl.clearColor(0, 0, 0, 0);
    gl.clearStencil(0);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.STENCIL_BUFFER_BIT);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    return this.res;
  }

  private viewUniforms(p: Program, v: GlView): void {
    const gl = this.gl;
    gl.uniform3f(p.uniforms.get('u_view') ?? null, v.k * v.dpr, v.x * v.dpr, v.y * v.dpr);
    gl.uniform2f(p.uniforms.get('u_size') ?? null, this.canvas.width, this.canvas.height);
  }

  /** Compiles the programs and makes the buffers; null if anything fails. */
  private build(): Resources | null {
    const gl = this.gl;
    const hair = this.program(HAIR_VS, HAIR_FS, ['u_view', 'u_size', 'u_colour']);
    const line = this.program(LINE_VS, LINE_FS, ['u_view', 'u_size', 'u_half', 'u_colour']);
    const node = this.program(NODE_VS, NODE_FS, ['u_view', 'u_size', 'u_k', 'u_dpr', 'u_squareBelow', 'u_mode', 'u_ramp', 'u_outline']);
    if (!hair || !line || !node) return null;
    const corners: WebGLBuffer[] = [];
    const vao = (shape: Float32Array, instance: WebGLBuffer, floats: number): WebGLVertexArrayObject => {
      const a = gl.createVertexArray();
      gl.bindVertexArray(a);
      const c = gl.createBuffer();
      corners.push(c);
      gl.bindBuffer(gl.ARRAY_BUFFER, c);
      gl.bufferData(gl.ARRAY_BUFFER, shape, gl.STATIC_DRAW);
      gl.enableVertexAttribArray(0);
      gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
      gl.bindBuffer(gl.ARRAY_BUFFER, instance);
      gl.enableVertexAttribArray(1);
      gl.vertexAttribPointer(1, 4, gl.FLOAT, false, floats * 4, 0);
      gl.vertexAttribDivisor(1, 1);
      gl.bindVertexArray(null);
      return a;
    };
    const lineBuf = gl.createBuffer();
    const nodeBuf = gl.createBuffer();
    const lineVao = vao(LINE_CORNERS, lineBuf, SEGMENT_FLOATS);
    const nodeVao = vao(NODE_CORNERS, nodeBuf, NODE_FLOATS);
    const hairVao = gl.createVertexArray();
    gl.bindVertexArray(hairVao);
    gl.bindBuffer(gl.ARRAY_BUFFER, lineBuf);
    gl.enableVertexAttribArray(0);
    gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 8, 0);
    gl.bindVertexArray(null);
    return { hair, hairVao, line, node, lineVao, nodeVao, corners, lineBuf, nodeBuf };
  }

  private program(vs: string, fs: string, names: readonly string[]): Program | null {
    const gl = this.gl;
    const shader = (type: number, src: string): WebGLShader | null => {
      const s = gl.createShader(type);
      if (!s) return null;
      gl.shaderSource(s, src);
      gl.compileShader(s);
      if (gl.getShaderParameter(s, gl.COMPILE_STATUS) === true) return s;
      console.error('graph-gl: shader', gl.getShaderInfoLog(s));
      gl.deleteShader(s);
      return null;
    };
    const v = shader(gl.VERTEX_SHADER, vs);
    const f = shader(gl.FRAGMENT_SHADER, fs);
    const program = gl.createProgram();
    if (!v || !f) return null;
    gl.attachShader(program, v);
    gl.attachShader(program, f);
    gl.linkProgram(program);
    gl.deleteShader(v);
    gl.deleteShader(f);
    if (gl.getProgramParameter(program, gl.LINK_STATUS) !== true) {
      console.error('graph-gl: link', gl.getProgramInfoLog(program));
      gl.deleteProgram(program);
      return null;
    }
    const uniforms = new Map<string, WebGLUniformLocation | null>();
    for (const n of names) uniforms.set(n, gl.getUniformLocation(program, n));
    return { program, uniforms };
  }
}

function rendererOf(gl: WebGL2RenderingContext): string {
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
}
