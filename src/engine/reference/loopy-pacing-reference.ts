/**
 * Plain-TypeScript loopy forward with read-node pacing, one lane at a time,
 * written from the pacing rule (the help in loopy-descriptor.ts) and nothing else: the symbol is fed for one tick,
 * the network runs until the read node's mean state crosses 0 upwards (or
 * `maxTicks` pass), the output is read on that tick and the next symbol fed
 * on the next. The device version (loopy-unroll.ts) is tested against it.
 */
import type { Packing } from '../packing';

export interface PacingReferenceInput {
  readonly packing: Packing;
  readonly width: number;
  readonly inputSize: number;
  readonly outputSize: number;
  /** edgeW[((a*K + s)*H + i)*H + j], inputW[(n*D + d)*H + j], readoutW[(r*H + i)*C + c]. */
  readonly edgeW: Float32Array;
  readonly inputW: Float32Array;
  readonly readoutW: Float32Array;
  /** [L, B, H] */
  readonly h0: Float32Array;
  readonly lanes: number;
  /** [T*B] time major. */
  readonly inputs: Int32Array;
  readonly readPosition: number;
  readonly maxTicks: number;
}

export interface PacingReferenceResult {
  /** [T*B, C] */
  readonly logits: Float64Array;
  /** [L, B, H] */
  readonly hT: Float64Array;
  /** [B] ticks spent per lane, summed over its symbols. */
  readonly thinkSum: Float64Array;
  /** [B] reads forced by the cap. */
  readonly timeouts: Float64Array;
  /** [ticks, B] 1 where the lane read. */
  readonly reads: Uint8Array;
}

export function pacingReference(input: PacingReferenceInput): PacingReferenceResult {
  const { packing, width: H, inputSize: D, outputSize: C, lanes: B, maxTicks } = input;
  const { L, K } = packing;
  const T = input.inputs.length / B;
  const ticks = T * maxTicks;
  const readPositions = packing.readPositions;
  const logits = new Float64Array(T * B * C);
  const hT = new Float64Array(L * B * H);
  const thinkSum = new Float64Array(B);
  const timeouts = new Float64Array(B);
  const reads = new Uint8Array(ticks * B);
  const meanOf = (h: Float64Array[], a: number): number => (h[a] as Float64Array).reduce((x, y) => x + y, 0) / H;

  for (let b = 0; b < B; b++) {
    let h = Array.from({ length: L }, (_, a) => Float64Array.from({ length: H }, (_, i) => input.h0[(a * B + b) * H + i] as number));
    let symbol = 0;
    let feed = true;
    let since = 0;
    let wasHigh = meanOf(h, input.readPosition) > 0;
    for (let tick = 0; tick < ticks; tick++) {
      const next = Array.from({ length: L }, () => new Float64Array(H));
      for (let a = 0; a < L; a++) {
        const pre = next[a] as Float64Array;
        for (let s = 0; s < K; s++) {
          if ((packing.mask[a * K + s] as number) === 0) continue;
          const src = h[packing.source[a * K + s] as number] as Float64Array;
          for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) pre[j] = (pre[j] as number) + (src[i] as number) * (input.edgeW[((a * K + s) * H + i) * H + j] as number);
        }
        const n = packing.inputPositions.indexOf(a);
        if (feed && symbol < T && n >= 0) {
          const d = input.inputs[symbol * B + b] as number;
          for (let j = 0; j < H; j++) pre[j] = (pre[j] as number) + (input.inputW[(n * D + d) * H + j] as number);
        }
        for (let j = 0; j < H; j++) pre[j] = Math.tanh(pre[j] as number);
      }
      h = next;
      const high = meanOf(h, input.readPosition) > 0;
      const rising = high && !wasHigh;
      const timedOut = since + 1 >= maxTicks;
      const fire = symbol < T && (rising || timedOut);
      feed = false;
      if (fire) {
        reads[tick * B + b] = 1;
        thinkSum[b] = (thinkSum[b] as number) + since + 1;
        if (!rising) timeouts[b] = (timeouts[b] as number) + 1;
        readPositions.forEach((pos, r) => {
          for (let i = 0; i < H; i++) {
            for (let c = 0; c < C; c++) {
              const cell = (symbol * B + b) * C + c;
              logits[cell] = (logits[cell] as number) + ((h[pos] as Float64Array)[i] as number) * (input.readoutW[(r * H + i) * C + c] as number);
            }
          }
        });
        symbol++;
        feed = true;
        since = 0;
      } else {
        since++;
      }
      wasHigh = high;
    }
    h.forEach((row, a) => row.forEach((v, i) => (hT[(a * B + b) * H + i] = v)));
  }
  return { logits, hT, thinkSum, timeouts, reads };
}
