/**
 * Plain-TypeScript e-prop and RFLO update of a loopy network (fixed pacing),
 * one lane and one unit at a time in Float64, written from the equations in
 * the help (loopy-descriptor.ts) and nothing else. loopy-eprop.ts is tested
 * against it.
 *
 * Tick: u_aj = Σ_s Σ_i h_src(a,s),i W[a,s,i,j] + [first tick, a input] W_in;
 * r = tanh(u); h_aj <- λ h_aj + (1-λ) r; ψ = (1-λ)(1 - r²).
 * Trace: e[a,s,i,j] <- d e[a,s,i,j] + ψ_aj h_old(src(a,s), i), with
 * d = clip(λ + ψ_aj W[a,self,j,j], -1, 1) (e-prop) or d = λ (RFLO).
 * On the last think tick of a scored symbol: err = (softmax - onehot) / (scored count),
 * L_aj = Σ_c B[a,j,c] err_c, ΔW += L_aj e[a,s,i,j], Δ(read-out) += h_read err.
 */
import type { Packing } from '../packing';

export interface EpropReferenceInput {
  readonly rule: 'eprop' | 'rflo';
  readonly packing: Pick<Packing, 'L' | 'K' | 'source' | 'mask' | 'inputPositions' | 'readPositions'>;
  readonly width: number;
  readonly inputSize: number;
  readonly outputSize: number;
  /** edgeW[((a*K + s)*H + i)*H + j], inputW[(n*D + d)*H + j], readoutW[(r*H + i)*C + c]. */
  readonly edgeW: ArrayLike<number>;
  readonly inputW: ArrayLike<number>;
  readonly readoutW: ArrayLike<number>;
  /** [L, B, H] */
  readonly h0: ArrayLike<number>;
  /** [L, B, K*H, H] traces to start from; zeros when absent. */
  readonly traces0?: ArrayLike<number>;
  readonly lanes: number;
  /** [T*B] time major; targets -1 where not scored. */
  readonly inputs: ArrayLike<number>;
  readonly targets: ArrayLike<number>;
  readonly thinkTicks: number;
  readonly leak: number;
  /** B[a,j,c] = (readOut ? read-out weight of (a,j) where a is read : 0) + (fixed[(a*H + j)*C + c] ?? 0). */
  readonly feedback: { readonly fixed?: ArrayLike<number> | undefined; readonly readOut: boolean };
}

export interface EpropReferenceResult {
  /** Update directions (gradient convention): [L, K*H, H] and [nRead*H, C]. */
  readonly edgeW: Float64Array;
  readonly readoutW: Float64Array;
  readonly loss: number;
  /** [L, B, H] and [L, B, K*H, H] at the window's end. */
  readonly hT: Float64Array;
  readonly traces: Float64Array;
}

export function epropReference(inp: EpropReferenceInput): EpropReferenceResult {
  const { L, K, source, mask, inputPositions, readPositions } = inp.packing;
  const H = inp.width;
  const D = inp.inputSize;
  const C = inp.outputSize;
  const B = inp.lanes;
  const T = inp.inputs.length / B;
  const KH = K * H;
  const lam = inp.leak;
  const w = (a: number, s: number, i: number, j: number): number => inp.edgeW[((a * K + s) * H + i) * H + j] as number;
  const feedback = (a: number, j: number, c: number): number => {
    const fixed = inp.feedback.fixed ? (inp.feedback.fixed[(a * H + j) * C + c] as number) : 0;
    const r = readPositions.indexOf(a);
    return fixed + (inp.feedback.readOut && r >= 0 ? (inp.readoutW[(r * H + j) * C + c] as number) : 0);
  };
  let count = 0;
  for (let i = 0; i < inp.targets.length; i++) if ((inp.targets[i] as number) >= 0) count++;
  const edgeDir = new Float64Array(L * KH * H);
  const readDir = new Float64Array(readPositions.length * H * C);
  const hT = new Float64Array(L * B * H);
  const tracesOut = new Float64Array(L * B * KH * H);
  let loss = 0;

  for (let b = 0; b < B; b++) {
    let h = Array.from({ length: L }, (_, a) => Array.from({ length: H }, (_, j) => inp.h0[(a * B + b) * H + j] as number));
    // e[a][s*H + i][j]
    const e = Array.from({ length: L }, (_, a) =>
      Array.from({ length: KH }, (_, si) => Array.from({ length: H }, (_, j) => (inp.traces0 ? (inp.traces0[((a * B + b) * KH + si) * H + j] as number) : 0))),
    );
    for (let t = 0; t < T; t++) {
      const symbol = inp.inputs[t * B + b] as number;
      for (let k = 0; k < inp.thinkTicks; k++) {
        const next: number[][] = [];
        for (let a = 0; a < L; a++) {
          const row: number[] = [];
          for (let j = 0; j < H; j++) {
            let u = 0;
            for (let s = 0; s < K; s++) {
              if ((mask[a * K + s] as number) === 0) continue;
              const src = source[a * K + s] as number;
              for (let i = 0; i < H; i++) u += (h[src]?.[i] as number) * w(a, s, i, j);
            }
            const n = inputPositions.indexOf(a);
            if (k === 0 && n >= 0) u += inp.inputW[(n * D + symbol) * H + j] as number;
            const r = Math.tanh(u);
            const psi = (1 - lam) * (1 - r * r);
            let selfW = 0;
            for (let s = 0; s < K; s++) if ((mask[a * K + s] as number) > 0 && source[a * K + s] === a) selfW += w(a, s, j, j);
            const d = inp.rule === 'eprop' ? Math.max(-1, Math.min(1, lam + psi * selfW)) : lam;
            const ea = e[a] as number[][];
            for (let s = 0; s < K; s++) {
              const real = (mask[a * K + s] as number) > 0;
              const src = source[a * K + s] as number;
              for (let i = 0; i < H; i++) {
                const er = ea[s * H + i] as number[];
                er[j] = d * (er[j] as number) + (real ? psi * (h[src]?.[i] as number) : 0);
              }
            }
            row.push(lam * (h[a]?.[j] as number) + (1 - lam) * r);
          }
          next.push(row);
        }
        h = next;
      }
      const target = inp.targets[t * B + b] as number;
      if (target < 0) continue;
      const logits = new Array<number>(C).fill(0);
      readPositions.forEach((pos, r) => {
        for (let i = 0; i < H; i++) for (let c = 0; c < C; c++) logits[c] = (logits[c] as number) + (h[pos]?.[i] as number) * (inp.readoutW[(r * H + i) * C + c] as number);
      });
      const top = Math.max(...logits);
      const z = logits.reduce((acc, l) => acc + Math.exp(l - top), 0);
      const p = logits.map((l) => Math.exp(l - top) / z);
      loss += -Math.log(p[target] as number) / count;
      const err = p.map((v, c) => (v - (c === target ? 1 : 0)) / count);
      readPositions.forEach((pos, r) => {
        for (let i = 0; i < H; i++) for (let c = 0; c < C; c++) readDir[(r * H + i) * C + c] = (readDir[(r * H + i) * C + c] as number) + (h[pos]?.[i] as number) * (err[c] as number);
      });
      for (let a = 0; a < L; a++) {
        for (let j = 0; j < H; j++) {
          let signal = 0;
          for (let c = 0; c < C; c++) signal += feedback(a, j, c) * (err[c] as number);
          for (let si = 0; si < KH; si++) edgeDir[(a * KH + si) * H + j] = (edgeDir[(a * KH + si) * H + j] as number) + signal * (e[a]?.[si]?.[j] as number);
        }
      }
    }
    for (let a = 0; a < L; a++) {
      for (let j = 0; j < H; j++) hT[(a * B + b) * H + j] = h[a]?.[j] as number;
      for (let si = 0; si < KH; si++) for (let j = 0; j < H; j++) tracesOut[((a * B + b) * KH + si) * H + j] = e[a]?.[si]?.[j] as number;
    }
  }
  return { edgeW: edgeDir, readoutW: readDir, loss, hT, traces: tracesOut };
}
