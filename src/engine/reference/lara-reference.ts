/**
 * LARA written as plain loops over float64 scalars: the reference the packed
 * tensor unroll (../lara/lara-forward.ts) is tested against. It reads the
 * same packed weight layout and follows the model's formulas (the help in
 * lara-descriptor.ts) directly, one node,
 * lane, slot and component at a time.
 */
import type { Packing } from '../packing';
import type { ExplorationKind, GateKind } from '../lara/lara-params';
import { sum, Value } from './scalar-autodiff';

export const REFERENCE_WEIGHTS = ['edgeW', 'gateU', 'gateV', 'inputW', 'readoutW'] as const;
export type ReferenceWeightName = (typeof REFERENCE_WEIGHTS)[number];

/**
 * Packed weights, flat:
 * edgeW[((a*K + s)*H + i)*H + j]  (host a, slot s, source component i, host component j),
 * gateU/gateV[(a*K + s)*H + i], inputW[(n*D + d)*H + j] (input node n, symbol d),
 * readoutW[(r*H + j)*C + c] (read node r, component j, class c),
 * nodeBias[a*H + j] (host a, component j; absent: no bias, the seed's form).
 */
export type ReferenceWeights = Readonly<Record<ReferenceWeightName, ArrayLike<number>>> & { readonly nodeBias?: ArrayLike<number> };

export interface ReferenceInput {
  readonly packing: Pick<Packing, 'L' | 'K' | 'source' | 'mask' | 'inputPositions' | 'outputPositions' | 'readPositions'>;
  /** State width H, alphabet D, classes C. */
  readonly width: number;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly weights: ReferenceWeights;
  readonly lanes: number;
  /** Initial states [L, B, H]. */
  readonly h0: ArrayLike<number>;
  /** Start position of each thread, row b*Th + th. */
  readonly threads0: ArrayLike<number>;
  /** Symbol per [t, lane], time major. */
  readonly inputs: ArrayLike<number>;
  /** Class per [t, lane], -1 where nothing is scored. */
  readonly targets: ArrayLike<number>;
  readonly thinkTicks: number;
  /** 'none': messages pass ungated (loopy networks). */
  readonly gate: GateKind | 'none';
  /**
   * 'all': every node computes every tick and no thread moves (loopy networks); default 'thread' (LARA's argmax).
   * 'random-walk': threads move to the routable slot with the largest noise, gates ignored (noise required);
   * 'all-active': every node computes every tick, threads still move as 'thread' does.
   */
  readonly routing?: 'thread' | 'all' | 'random-walk' | 'all-active';
  /** Default relu. */
  readonly activation?: 'relu' | 'tanh';
  readonly exploration: ExplorationKind;
  /** Routing noise [ticks, B*Th, K]; absent: greedy. */
  readonly noise?: ArrayLike<number> | undefined;
  /** Whether a thread may take its host's self-loop (default: only when the host has no other source). */
  readonly threadStays?: boolean;
}

export interface ReferenceResult {
  readonly loss: number;
  /** [T*B, C] */
  readonly logits: Float64Array;
  /** [L, B, H] */
  readonly hT: Float64Array;
  /** Thread positions after the last tick, row b*Th + th. */
  readonly threadsT: Int32Array;
  /** [ticks, B*Th] thread positions at the start of every tick. */
  readonly threadTrace: Int32Array;
  /** [L] threads found on each node at the start of a tick, summed over ticks, lanes and threads. */
  readonly visits: Float64Array;
  /** [L] (tick, lane) pairs in which each node computed. */
  readonly activeCount: Float64Array;
  /** [ticks, L, B] 1 where the node computed. */
  readonly activeTrace: Uint8Array;
  /** d loss / d weight, same layout as the weights (nodeBias where the weights have it). */
  readonly grads: Record<ReferenceWeightName, Float64Array> & { nodeBias?: Float64Array };
}

function gate(z: Value, kind: 'gaussian' | 'sigmoid'): Value {
  return kind === 'gaussian' ? z.mul(z).neg().exp() : z.sigmoid();
}

/** log(sum(exp(x))), shifted by the (constant) maximum for range. */
function logSumExp(xs: readonly Value[]): Value {
  const m = Math.max(...xs.map((x) => x.data));
  return sum(xs.map((x) => x.sub(m).exp())).log().add(m);
}

export function laraReference(input: ReferenceInput): ReferenceResult {
  const { L, K, source, mask, inputPositions, outputPositions, readPositions } = input.packing;
  const { width: H, inputSize: D, outputSize: C, lanes: B, thinkTicks } = input;
  const Th = input.threads0.length / B;
  const T = input.inputs.length / B;
  const real = (a: number, s: number): boolean => (mask[a * K + s] as number) > 0;
  const src = (a: number, s: number): number => source[a * K + s] as number;
  const hasOtherSource = (a: number): boolean => Array.from({ length: K }, (_, s) => s).some((s) => real(a, s) && src(a, s) !== a);
  const routable = (a: number, s: number): boolean => real(a, s) && (input.threadStays === true || src(a, s) !== a || !hasOtherSource(a));

  const leaves = {} as Record<ReferenceWeightName, Value[]>;
  for (const name of REFERENCE_WEIGHTS) leaves[name] = Array.from(input.weights[name], (x) => new Value(x));
  const W = (a: number, s: number, i: number, j: number): Value => leaves.edgeW[((a * K + s) * H + i) * H + j] as Value;
  const U = (a: number, s: number, i: number): Value => leaves.gateU[(a * K + s) * H + i] as Value;
  const V = (a: number, s: number, i: number): Value => leaves.gateV[(a * K + s) * H + i] as Value;
  const Win = (n: number, d: number, j: number): Value => leaves.inputW[(n * D + d) * H + j] as Value;
  const R = (r: number, j: number, c: number): Value => leaves.readoutW[(r * H + j) * C + c] as Value;
  const biasLeaves = input.weights.nodeBias ? Array.from(input.weights.nodeBias, (x) => new Value(x)) : null;
  const routing = input.routing ?? 'thread';
  if (routing === 'random-walk' && !input.noise) throw new Error('random-walk routing needs noise');

  // h[a][b][i]
  let h: Value[][][] = Array.from({ length: L }, (_, a) =>
    Array.from({ length: B }, (_, b) => Array.from({ length: H }, (_, i) => new Value(input.h0[(a * B + b) * H + i] as number))),
  );
  const pos = Array.from(input.threads0, Number);
  const visits = new Float64Array(L);
  const activeCount = new Float64Array(L);
  const threadTrace = new Int32Array(T * thinkTicks * B * Th);
  const activeTrace = new Uint8Array(T * thinkTicks * L * B);
  const logits: Value[][] = [];

  for (let t = 0; t < T; t++) {
    for (let tick = 0; tick < thinkTicks; tick++) {
      const tickIndex = t * thinkTicks + tick;
      const inputTick = tick === 0;
      const readTick = tick === thinkTicks - 1;

      // Who computes: nodes holding a thread, input nodes on a new symbol, output nodes on the read tick (or everyone).
      const everyone = routing === 'all' || routing === 'all-active';
      const moving = routing !== 'all';
      const active = Array.from({ length: L }, () => new Array<boolean>(B).fill(everyone));
      if (moving) pos.forEach((a, row) => {
        (active[a] as boolean[])[Math.floor(row / Th)] = true;
        visits[a] = (visits[a] as number) + 1;
        threadTrace[tickIndex * B * Th + row] = a;
      });
      const forced = [...(inputTick ? inputPositions : []), ...(readTick ? outputPositions : [])];
      for (const a of forced) (active[a] as boolean[]).fill(true);
      active.forEach((lanes, a) => {
        activeCount[a] = (activeCount[a] as number) + lanes.filter(Boolean).length;
        lanes.forEach((on, b) => (activeTrace[(tickIndex * L + a) * B + b] = on ? 1 : 0));
      });

      // Gates from the states at the start of the tick; null on padding slots.
      const G: (Value | null)[][][] = [];
      for (let a = 0; a < L; a++) {
        const perLane: (Value | null)[][] = [];
        for (let b = 0; b < B; b++) {
          const hostState = (h[a] as Value[][])[b] as Value[];
          const z: (Value | null)[] = [];
          for (let s = 0; s < K; s++) {
            if (!real(a, s)) {
              z.push(null);
              continue;
            }
            const srcState = (h[src(a, s)] as Value[][])[b] as Value[];
            const terms: Value[] = [];
            for (let i = 0; i < H; i++) {
              terms.push(U(a, s, i).mul(hostState[i] as Value), V(a, s, i).mul(srcState[i] as Value));
            }
            z.push(sum(terms));
          }
          if (input.gate === 'none') {
            perLane.push(z.map((v) => (v ? new Value(1) : null)));
          } else if (input.gate === 'softmax') {
            const lse = logSumExp(z.filter((v): v is Value => v !== null));
            perLane.push(z.map((v) => (v ? v.sub(lse).exp() : null)));
          } else {
            const kind = input.gate;
            perLane.push(z.map((v) => (v ? gate(v, kind) : null)));
          }
        }
        G.push(perLane);
      }

      // Update: active nodes take relu(sum_s G_s W_s^T h_src (+ W_in x) (+ b_a)); the rest keep their state.
      const next: Value[][][] = h.map((lanes) => lanes.slice());
      for (let a = 0; a < L; a++) {
        const inputSlot = inputTick ? inputPositions.indexOf(a) : -1;
        for (let b = 0; b < B; b++) {
          if (!(active[a] as boolean[])[b]) continue;
          const state: Value[] = [];
          for (let j = 0; j < H; j++) {
            const terms: Value[] = [];
            for (let s = 0; s < K; s++) {
              const g = ((G[a] as (Value | null)[][])[b] as (Value | null)[])[s];
              if (!g) continue;
              const srcState = (h[src(a, s)] as Value[][])[b] as Value[];
              const message = sum(srcState.map((x, i) => x.mul(W(a, s, i, j))));
              terms.push(g.mul(message));
            }
            if (inputSlot >= 0) terms.push(Win(inputSlot, input.inputs[t * B + b] as number, j));
            if (biasLeaves) terms.push(biasLeaves[a * H + j] as Value);
            state.push(input.activation === 'tanh' ? sum(terms).tanh() : sum(terms).relu());
          }
          (next[a] as Value[][])[b] = state;
        }
      }
      h = next;

      if (readTick) {
        for (let b = 0; b < B; b++) {
          const row: Value[] = [];
          for (let c = 0; c < C; c++) {
            const terms: Value[] = [];
            readPositions.forEach((a, r) => {
              for (let j = 0; j < H; j++) terms.push((((h[a] as Value[][])[b] as Value[])[j] as Value).mul(R(r, j, c)));
            });
            row.push(sum(terms));
          }
          logits.push(row);
        }
      }

      // Routing: every thread moves to the source of its host's best routable slot (first one on ties).
      // Random walk: the noise alone scores the slots.
      if (moving) pos.forEach((a, row) => {
        const b = Math.floor(row / Th);
        let best = -1;
        let bestScore = -Infinity;
        for (let s = 0; s < K; s++) {
          const g = ((G[a] as (Value | null)[][])[b] as (Value | null)[])[s];
          if (!g || !routable(a, s)) continue;
          const noise = input.noise ? (input.noise[(tickIndex * B * Th + row) * K + s] as number) : 0;
          const base = routing === 'random-walk' ? 0 : input.noise && input.exploration === 'gumbel' ? Math.log(g.data + 1e-20) : g.data;
          if (base + noise > bestScore) {
            bestScore = base + noise;
            best = s;
          }
        }
        pos[row] = src(a, best);
      });
    }
  }

  // Mean cross-entropy over the scored symbols.
  const ce: Value[] = [];
  logits.forEach((row, n) => {
    const target = input.targets[n] as number;
    if (target >= 0) ce.push(logSumExp(row).sub(row[target] as Value));
  });
  const loss = sum(ce).mul(1 / Math.max(1, ce.length));
  loss.backward();

  const grads = {} as ReferenceResult['grads'];
  for (const name of REFERENCE_WEIGHTS) grads[name] = Float64Array.from(leaves[name], (v) => v.grad);
  if (biasLeaves) grads.nodeBias = Float64Array.from(biasLeaves, (v) => v.grad);
  return {
    loss: loss.data,
    logits: Float64Array.from(logits.flat(), (v) => v.data),
    hT: Float64Array.from(h.flat(2), (v) => v.data),
    threadsT: Int32Array.from(pos),
    threadTrace,
    visits,
    activeCount,
    activeTrace,
    grads,
  };
}
