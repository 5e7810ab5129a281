/**
 * The LARA tick as fused WGSL kernels on the tfjs webgpu backend (few
 * dispatches per tick is what makes it fast): a forward tick is two compute
 * dispatches (state update, routing), a training tick four (those two and two
 * in the reverse sweep), where the same tick as separate tfjs ops took 39 and
 * 73. The plain-tfjs path in lara-forward.ts defines the semantics;
 * bench/pages/webgpu-kernel-check.ts compares the two in a real browser.
 *
 * Each kernel recomputes the gates it needs (2H multiply-adds per slot)
 * instead of reading them from a gate kernel: at these sizes a dispatch costs
 * far more than the arithmetic. WGSL has no float atomics, so every output
 * element is written by exactly one invocation: a node's state gradient sums
 * the slots it feeds through the topology's reverse slot lists.
 *
 * The whole unroll is one tf.customGrad. Its forward runs the tick kernels
 * (not taped) and saves the state before every tick and the thread walk. Its
 * gradient follows the active rows, as lara-active-tick.ts: per lane A rows
 * (the threads, then every input node, then every output node; a forced row
 * counts on its ticks only, and a node listed twice computes once). Per tick,
 * backwards, one kernel writes each row's record (its gradients and the
 * states it read) and one the state gradient before the tick. After the
 * sweep, one kernel lists each node's rows per tick and one makes every
 * parameter gradient element from its node's rows only, so training cost
 * follows the active rows, not L. The input weights' gradient comes from the
 * input rows. The input symbols and the routing noise are data: no gradient
 * flows to them.
 *
 * Buffer layouts (all flat, row major):
 *   state      [L, B, H]
 *   params     [L*K, H+2, H]  per slot: W (rows 0..H-1: source component i, host component j), u (row H), v (row H+1)
 *   walk       int32 [B*Th + 2L]  thread positions (row b*Th + th), then per node the thread visits and
 *              the (tick, lane) pairs it computed, both summed over the ticks so far
 *   topo       int32, see topologyTable
 *   rows       per tick: [B*A, R] row records, R = H + 2K + (K+1)H: dL/dpre per component, dL/dz per slot,
 *              G per slot, the host's state, the state of each slot's source (all before the tick; zero on a
 *              row that does not compute); then [L, B] the row map: each node's first row in the lane, or -1
 *   entries    int32 [L, ticks, 1+B]  per node and tick: how many rows it owns, then those rows (index in the tick)
 *   carry      [L, B, H]  the reverse sweep's state gradient
 *   y          [T*nRead*B*H + L*B*H]  the read states of every symbol, then the final state
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { elementwiseProgram } from '../kernels/webgpu-program';
import type { LaraTopology, LaraWeights, UnrollInput, UnrollOutput } from './lara-forward';
import type { GateKind } from './lara-params';
import { BLOCKED } from './routing-penalty';


/** What the fused unroll gives back: the unroll's outputs, with the read states in place of the logits. */
export type FusedUnrollOutput = Omit<UnrollOutput, 'logits'> & {
  /** [T, nRead, B, H] state of every read node at the read tick of every symbol. */
  readonly reads: tf.Tensor4D;
};

interface Dims {
  readonly L: number;
  readonly K: number;
  readonly B: number;
  readonly H: number;
  /** Threads per lane. */
  readonly Th: number;
  /** Reverse slots per node (the most real slots any node feeds). */
  readonly J: number;
  /** Input alphabet. */
  readonly D: number;
  readonly nIn: number;
  readonly nOut: number;
  readonly nRead: number;
  /** Rows per lane in the reverse sweep: Th + nIn + nOut. */
  readonly A: number;
  /** Symbols. */
  readonly T: number;
  readonly think: number;
}

/** Where a kernel call sits in the unroll. */
interface Phase {
  readonly tick: number;
  readonly step: number;
  readonly inputTick: boolean;
  readonly readTick: boolean;
  /** Symbol whose read gradient enters the state gradient this call; -1 for none. */
  readonly readGradStep: number;
}

const NO_PHASE: Phase = { tick: 0, step: 0, inputTick: false, readTick: false, readGradStep: -1 };

const UNIFORMS =
  'nodes : i32, slots : i32, lanes : i32, width : i32, threads : i32, reverseWidth : i32, alphabet : i32, ' +
  'readNodes : i32, steps : i32, think : i32, tick : i32, stepIndex : i32, inputTick : i32, ' +
  'readTick : i32, readGradStep : i32, inputNodes : i32, outputNodes : i32,';

function uniformValues(d: Dims, p: Phase): { type: string; data: number[] }[] {
  const values = [d.L, d.K, d.B, d.H, d.Th, d.J, d.D, d.nRead, d.T, d.think];
  values.push(p.tick, p.step, p.inputTick ? 1 : 0, p.readTick ? 1 : 0, p.readGradStep, d.nIn, d.nOut);
  return values.map((v) => ({ type: 'int32', data: [v] }));
}

function forwardPhase(tick: number, think: number): Phase {
  const inner = tick % think;
  return { tick, step: Math.floor(tick / think), inputTick: inner === 0, readTick: inner === think - 1, readGradStep: -1 };
}

/** The backward pass of `tick` also adds the read gradient of the tick before, when that one was a read tick. */
function backwardPhase(tick: number, think: number): Phase {
  const readBefore = tick > 0 && (tick - 1) % think === think - 1;
  return { ...forwardPhase(tick, think), readGradStep: readBefore ? Math.floor((tick - 1) / think) : -1 };
}

// ---------------------------------------------------------------- WGSL

/** Topology table lookups (binding `topo`). */
const TOPOLOGY_WGSL = /* wgsl */ `
const BLOCKED : f32 = ${BLOCKED};
fn slotSource(slot : i32) -> i32 { return topo[slot]; }
fn slotFlags(slot : i32) -> i32 { return topo[uniforms.nodes * uniforms.slots + slot]; }
fn slotReal(slot : i32) -> bool { return (slotFlags(slot) & 1) != 0; }
fn slotRoutable(slot : i32) -> bool { return (slotFlags(slot) & 2) != 0; }
fn nodeEntry(part : i32, node : i32) -> i32 { return topo[2 * uniforms.nodes * uniforms.slots + part * uniforms.nodes + node]; }
fn inputSlotOf(node : i32) -> i32 { return nodeEntry(0, node); }
fn isOutputNode(node : i32) -> bool { return nodeEntry(1, node) != 0; }
fn readSlotOf(node : i32) -> i32 { return nodeEntry(2, node); }
// The reverse slot lists and the input positions follow the three per-node parts.
fn reverseSlot(node : i32, k : i32) -> i32 { return nodeEntry(3, node * uniforms.reverseWidth + k); }
fn inputPosition(n : i32) -> i32 { return nodeEntry(3, uniforms.nodes * uniforms.reverseWidth + n); }
fn outputPosition(n : i32) -> i32 { return nodeEntry(3, uniforms.nodes * uniforms.reverseWidth + uniforms.inputNodes + n); }
`;

/** Per-slot parameters (binding `params`). */
const PARAMS_WGSL = /* wgsl */ `
fn edgeWeight(slot : i32, i : i32, j : i32) -> f32 { return params[(slot * (uniforms.width + 2) + i) * uniforms.width + j]; }
fn hostGateWeight(slot : i32, i : i32) -> f32 { return edgeWeight(slot, uniforms.width, i); }
fn sourceGateWeight(slot : i32, i : i32) -> f32 { return edgeWeight(slot, uniforms.width + 1, i); }
`;

/** States (binding `state`; `base` selects one of several stacked states). */
const STATE_WGSL = /* wgsl */ `
fn stateAt(base : i32, node : i32, b : i32, i : i32) -> f32 {
  return state[base + (node * uniforms.lanes + b) * uniforms.width + i];
}
`;

/** Gate values recomputed from the states (needs topology, params and state). */
function gatesWgsl(gate: GateKind): string {
  const perKind: Record<GateKind, string> = {
    gaussian: /* wgsl */ `
fn gateStats(base : i32, a : i32, b : i32) -> vec2<f32> { return vec2<f32>(0.0); }
fn gateOf(z : f32, stats : vec2<f32>) -> f32 { return exp(-z * z); }`,
    sigmoid: /* wgsl */ `
fn gateStats(base : i32, a : i32, b : i32) -> vec2<f32> { return vec2<f32>(0.0); }
fn gateOf(z : f32, stats : vec2<f32>) -> f32 { return 1.0 / (1.0 + exp(-z)); }`,
    // Softmax over the host's real slots: stats = (largest z, sum of exp(z - largest)).
    softmax: /* wgsl */ `
fn gateStats(base : i32, a : i32, b : i32) -> vec2<f32> {
  var top = -3.402823e38;
  for (var s = 0; s < uniforms.slots; s++) {
    if (slotReal(a * uniforms.slots + s)) { top = max(top, gateLogit(base, a, s, b)); }
  }
  var total = 0.0;
  for (var s = 0; s < uniforms.slots; s++) {
    if (slotReal(a * uniforms.slots + s)) { total += exp(gateLogit(base, a, s, b) - top); }
  }
  return vec2<f32>(top, total);
}
fn gateOf(z : f32, stats : vec2<f32>) -> f32 { return exp(z - stats.x) / stats.y; }`,
  };
  return /* wgsl */ `
// z of slot s of host a in lane b: u . h_a + v . h_source.
fn gateLogit(base : i32, a : i32, s : i32, b : i32) -> f32 {
  let slot = a * uniforms.slots + s;
  let src = slotSource(slot);
  var z = 0.0;
  for (var i = 0; i < uniforms.width; i++) {
    z += hostGateWeight(slot, i) * stateAt(base, a, b, i) + sourceGateWeight(slot, i) * stateAt(base, src, b, i);
  }
  return z;
}
${perKind[gate]}
// G of slot s (0 on padding); stats from gateStats(base, a, b).
fn gateAt(base : i32, a : i32, s : i32, b : i32, stats : vec2<f32>) -> f32 {
  if (!slotReal(a * uniforms.slots + s)) { return 0.0; }
  return gateOf(gateLogit(base, a, s, b), stats);
}
`;
}

/** Who computes (binding `walk`): nodes holding a thread of the lane, input nodes on input ticks, output nodes on read ticks. */
const ACTIVE_WGSL = /* wgsl */ `
fn threadsOn(walkBase : i32, a : i32, b : i32) -> i32 {
  var n = 0;
  for (var th = 0; th < uniforms.threads; th++) {
    if (walk[walkBase + b * uniforms.threads + th] == a) { n++; }
  }
  return n;
}
fn computes(walkBase : i32, a : i32, b : i32, inputTick : bool, readTick : bool) -> bool {
  let forced = (inputTick && inputSlotOf(a) >= 0) || (readTick && isOutputNode(a));
  return forced || threadsOn(walkBase, a, b) > 0;
}
fn computesNow(a : i32, b : i32) -> bool { return computes(0, a, b, uniforms.inputTick != 0, uniforms.readTick != 0); }
`;

/** Forward: the new state [L, B, H], one invocation per (a, b, j). */
function updateWgsl(gate: GateKind): string {
  return `${TOPOLOGY_WGSL}${PARAMS_WGSL}${STATE_WGSL}${gatesWgsl(gate)}${ACTIVE_WGSL}
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let H = uniforms.width;
  let B = uniforms.lanes;
  let j = index % H;
  let b = (index / H) % B;
  let a = index / (H * B);
  if (!computesNow(a, b)) {
    result[index] = state[index];
    return;
  }
  // h_a <- relu(sum_s G_s (W_s^T h_source)_j + [input tick, input node] (W_in^T x)_j)
  let stats = gateStats(0, a, b);
  var pre = 0.0;
  for (var s = 0; s < uniforms.slots; s++) {
    let slot = a * uniforms.slots + s;
    if (!slotReal(slot)) { continue; }
    let src = slotSource(slot);
    var message = 0.0;
    for (var i = 0; i < H; i++) { message += stateAt(0, src, b, i) * edgeWeight(slot, i, j); }
    pre += gateOf(gateLogit(0, a, s, b), stats) * message;
  }
  let n = inputSlotOf(a);
  if (uniforms.inputTick != 0 && n >= 0) {
    let D = uniforms.alphabet;
    for (var d = 0; d < D; d++) {
      pre += symbols[(uniforms.stepIndex * B + b) * D + d] * inputWeights[(n * D + d) * H + j];
    }
  }
  result[index] = max(pre, 0.0);
}
`;
}

/**
 * Forward: the next walk. Invocations below B*Th move one thread each to the
 * source of its host's best-scored slot (first on ties, as argMax); the rest
 * add this tick's visits and active lanes to the per-node counts.
 */
function routeWgsl(gate: GateKind, logScores: boolean, withNoise: boolean): string {
  const base = logScores ? 'log(g + 1e-20)' : 'g';
  const noise = withNoise ? 'score += noise[(uniforms.tick * rows + index) * uniforms.slots + s];' : '';
  return `${TOPOLOGY_WGSL}${PARAMS_WGSL}${STATE_WGSL}${gatesWgsl(gate)}${ACTIVE_WGSL}
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let rows = uniforms.lanes * uniforms.threads;
  let L = uniforms.nodes;
  if (index < rows) {
    let host = walk[index];
    let b = index / uniforms.threads;
    let stats = gateStats(0, host, b);
    var best = 0;
    var bestScore = 0.0;
    for (var s = 0; s < uniforms.slots; s++) {
      let slot = host * uniforms.slots + s;
      let g = gateAt(0, host, s, b, stats);
      var score = ${base} + select(BLOCKED, 0.0, slotRoutable(slot));
      ${noise}
      if (s == 0 || score > bestScore) {
        best = s;
        bestScore = score;
      }
    }
    result[index] = slotSource(host * uniforms.slots + best);
    return;
  }
  let a = (index - rows) % L;
  var count = walk[index];
  if (index < rows + L) {
    for (var row = 0; row < rows; row++) {
      if (walk[row] == a) { count++; }
    }
  } else {
    for (var b = 0; b < uniforms.lanes; b++) {
      if (computesNow(a, b)) { count++; }
    }
  }
  result[index] = count;
}
`;
}

/** dL/dz of slot s from dL/dG (gateGrad), per gate kind; softmax couples the host's slots. */
function logitGradWgsl(gate: GateKind): string {
  switch (gate) {
    case 'gaussian':
      return 'result[index] = gateGrad(a, s, b, on) * g * (-2.0 * z);';
    case 'sigmoid':
      return 'result[index] = gateGrad(a, s, b, on) * g * (1.0 - g);';
    case 'softmax':
      return /* wgsl */ `
  var weighted = 0.0;
  if (on) {
    for (var r = 0; r < K; r++) {
      if (slotReal(a * K + r)) { weighted += gateOf(gateLogit(0, a, r, b), stats) * gateGrad(a, r, b, on); }
    }
  }
  result[index] = g * (gateGrad(a, s, b, on) - weighted);`;
  }
}

/** Row records (see the file comment): rows per lane and field offsets. */
const ROW_LAYOUT_WGSL = /* wgsl */ `
fn rowsPerLane() -> i32 { return uniforms.threads + uniforms.inputNodes + uniforms.outputNodes; }
fn recordSize() -> i32 { return uniforms.width + 2 * uniforms.slots + (uniforms.slots + 1) * uniforms.width; }
// Start of the states: the host's, then one per slot's source.
fn statesField() -> i32 { return uniforms.width + 2 * uniforms.slots; }
// One tick's block: the records [B*A, R], then the row map [L, B].
fn recordsSize() -> i32 { return uniforms.lanes * rowsPerLane() * recordSize(); }
fn tickBlock() -> i32 { return recordsSize() + uniforms.nodes * uniforms.lanes; }
`;

/** Reading the records (binding `rows`). */
const ROWS_WGSL = /* wgsl */ `${ROW_LAYOUT_WGSL}
fn record(tick : i32, row : i32, e : i32) -> f32 { return rows[tick * tickBlock() + row * recordSize() + e]; }
// The row of node a in lane b at the tick (its first, where listed twice), -1 when a did not compute.
fn rowOf(tick : i32, a : i32, b : i32) -> i32 { return i32(rows[tick * tickBlock() + recordsSize() + a * uniforms.lanes + b]); }
`;

/** Which node row j of lane b computes this tick (binding `walk`): -1 for a forced row off its tick. */
const ROW_NODES_WGSL = /* wgsl */ `
fn rowNode(b : i32, j : i32) -> i32 {
  let Th = uniforms.threads;
  if (j < Th) { return walk[b * Th + j]; }
  let n = j - Th;
  if (n < uniforms.inputNodes) { return select(-1, inputPosition(n), uniforms.inputTick != 0); }
  return select(-1, outputPosition(n - uniforms.inputNodes), uniforms.readTick != 0);
}
`;

/**
 * Backward, first kernel of a tick: the row records [B*A, R] and the row map
 * [L, B] from the state gradient after the tick (carry), the states before
 * and after it.
 */
function rowRecordsWgsl(gate: GateKind): string {
  return `${TOPOLOGY_WGSL}${PARAMS_WGSL}${STATE_WGSL}${gatesWgsl(gate)}${ROW_LAYOUT_WGSL}${ROW_NODES_WGSL}
// dL/dpre: the state gradient through relu.
fn preGrad(a : i32, b : i32, j : i32, on : bool) -> f32 {
  let k = (a * uniforms.lanes + b) * uniforms.width + j;
  if (!on || stateNext[k] <= 0.0) { return 0.0; }
  return carry[k];
}
// dL/dG of slot s: its message against dL/dpre of the host.
fn gateGrad(a : i32, s : i32, b : i32, on : bool) -> f32 {
  if (!on) { return 0.0; }
  let slot = a * uniforms.slots + s;
  let src = slotSource(slot);
  var total = 0.0;
  for (var j = 0; j < uniforms.width; j++) {
    let dpre = preGrad(a, b, j, on);
    if (dpre == 0.0) { continue; }
    var message = 0.0;
    for (var i = 0; i < uniforms.width; i++) { message += stateAt(0, src, b, i) * edgeWeight(slot, i, j); }
    total += dpre * message;
  }
  return total;
}
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let H = uniforms.width;
  let K = uniforms.slots;
  let A = rowsPerLane();
  if (index >= recordsSize()) {
    // The row map: a node's first row in the lane.
    let b = (index - recordsSize()) % uniforms.lanes;
    let node = (index - recordsSize()) / uniforms.lanes;
    var found = -1;
    for (var j = A - 1; j >= 0; j--) {
      if (rowNode(b, j) == node) { found = b * A + j; }
    }
    result[index] = f32(found);
    return;
  }
  let R = recordSize();
  let e = index % R;
  let row = index / R;
  let b = row / A;
  let a = rowNode(b, row % A);
  if (a < 0) {
    result[index] = 0.0;
    return;
  }
  let on = true;
  if (e < H) {
    result[index] = preGrad(a, b, e, on);
    return;
  }
  if (e >= statesField()) {
    let part = (e - statesField()) / H;
    var node = a;
    if (part > 0) { node = slotSource(a * K + part - 1); }
    result[index] = stateAt(0, node, b, (e - statesField()) % H);
    return;
  }
  let s = (e - H) % K;
  if (!slotReal(a * K + s)) {
    result[index] = 0.0;
    return;
  }
  let stats = gateStats(0, a, b);
  let z = gateLogit(0, a, s, b);
  let g = gateOf(z, stats);
  if (e >= H + K) {
    result[index] = g;
    return;
  }
  ${logitGradWgsl(gate)}
}
`;
}

/**
 * Backward, second kernel of a tick: the state gradient before the tick
 * [L, B, H]. For node c it gathers what passed through unchanged (c did not
 * compute), c's part in the gate logits of its own slots (u) and of the slots
 * it feeds (v), and the messages it sent (W), each from the host's row in the
 * lane; plus the read gradient of the tick before.
 */
const ADJOINT_WGSL = /* wgsl */ `${TOPOLOGY_WGSL}${PARAMS_WGSL}${ROWS_WGSL}
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let H = uniforms.width;
  let K = uniforms.slots;
  let B = uniforms.lanes;
  let i = index % H;
  let b = (index / H) % B;
  let c = index / (H * B);
  var grad = 0.0;
  let own = rowOf(0, c, b);
  if (own < 0) {
    grad = carry[index];
  } else {
    for (var s = 0; s < K; s++) { grad += record(0, own, H + s) * hostGateWeight(c * K + s, i); }
  }
  for (var k = 0; k < uniforms.reverseWidth; k++) {
    let r = reverseSlot(c, k);
    if (r < 0) { continue; }
    let host = rowOf(0, r / K, b);
    if (host < 0) { continue; }
    grad += record(0, host, H + r % K) * sourceGateWeight(r, i);
    let g = record(0, host, H + K + r % K);
    if (g == 0.0) { continue; }
    var back = 0.0;
    for (var j = 0; j < H; j++) { back += edgeWeight(r, i, j) * record(0, host, j); }
    grad += g * back;
  }
  if (uniforms.readGradStep >= 0) {
    let rs = readSlotOf(c);
    if (rs >= 0) { grad += outGrad[((uniforms.readGradStep * uniforms.readNodes + rs) * B + b) * H + i]; }
  }
  result[index] = grad;
}
`;

/** The state gradient before the last tick: the final state's gradient plus the last symbol's read gradient. */
const CARRY_START_WGSL = /* wgsl */ `${TOPOLOGY_WGSL}
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let H = uniforms.width;
  let B = uniforms.lanes;
  let i = index % H;
  let b = (index / H) % B;
  var grad = outGrad[uniforms.steps * uniforms.readNodes * B * H + index];
  let rs = readSlotOf(index / (H * B));
  if (rs >= 0) { grad += outGrad[((uniforms.readGradStep * uniforms.readNodes + rs) * B + b) * H + i]; }
  result[index] = grad;
}
`;

/**
 * After the sweep: entries [L, ticks, 1+B], per node and tick the number of
 * rows the node computed (m = 0), then those rows (m >= 1), from the row
 * maps. At most one row per lane, so B entries suffice.
 */
const ENTRIES_WGSL = /* wgsl */ `${ROWS_WGSL}
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let B = uniforms.lanes;
  let m = index % (B + 1);
  let tick = (index / (B + 1)) % (uniforms.steps * uniforms.think);
  let a = index / ((B + 1) * uniforms.steps * uniforms.think);
  var count = 0;
  for (var b = 0; b < B; b++) {
    let r = rowOf(tick, a, b);
    if (r < 0) { continue; }
    if (m == count + 1) {
      result[index] = r;
      return;
    }
    count++;
  }
  result[index] = select(-1, count, m == 0);
}
`;

/**
 * After the sweep: the parameter gradients [L*K, H+2, H], each element summed
 * over its node's rows only (entries), from their records.
 */
const PARAM_GRADS_WGSL = /* wgsl */ `${TOPOLOGY_WGSL}${ROWS_WGSL}
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let H = uniforms.width;
  let K = uniforms.slots;
  let B = uniforms.lanes;
  let col = index % H;
  let row = (index / H) % (H + 2);
  let slot = index / (H * (H + 2));
  if (!slotReal(slot)) {
    result[index] = 0.0;
    return;
  }
  let a = slot / K;
  let s = slot % K;
  let ticks = uniforms.steps * uniforms.think;
  let host = statesField();
  let src = statesField() + (s + 1) * H;
  var grad = 0.0;
  for (var tick = 0; tick < ticks; tick++) {
    let at = (a * ticks + tick) * (B + 1);
    let n = entries[at];
    for (var m = 1; m <= n; m++) {
      let r = entries[at + m];
      if (row < H) {
        grad += record(tick, r, H + K + s) * record(tick, r, src + row) * record(tick, r, col);
      } else if (row == H) {
        grad += record(tick, r, H + s) * record(tick, r, host + col);
      } else {
        grad += record(tick, r, H + s) * record(tick, r, src + col);
      }
    }
  }
  result[index] = grad;
}
`;

/** After the sweep: the input weights' gradient [nIn, D, H], dL/dW_in[n, d, j] = sum x_d dL/dpre_j over the input node's rows. */
const INPUT_GRADS_WGSL = /* wgsl */ `${ROWS_WGSL}
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let H = uniforms.width;
  let B = uniforms.lanes;
  let D = uniforms.alphabet;
  let j = index % H;
  let d = (index / H) % D;
  let n = index / (H * D);
  let A = rowsPerLane();
  var grad = 0.0;
  for (var step = 0; step < uniforms.steps; step++) {
    let tick = step * uniforms.think;
    for (var b = 0; b < B; b++) {
      let x = symbols[(step * B + b) * D + d];
      if (x == 0.0) { continue; }
      grad += x * record(tick, b * A + uniforms.threads + n, j);
    }
  }
  result[index] = grad;
}
`;

/** The first walk from one-hot thread positions [B*Th, L]; counts start at zero. */
const WALK_START_WGSL = /* wgsl */ `
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let L = uniforms.nodes;
  if (index >= uniforms.lanes * uniforms.threads) {
    result[index] = 0;
    return;
  }
  var best = 0;
  for (var a = 1; a < L; a++) {
    if (positions[index * L + a] > positions[index * L + best]) { best = a; }
  }
  result[index] = best;
}
`;

/** One-hot thread positions [B*Th, L] from a walk. */
const WALK_ONE_HOT_WGSL = /* wgsl */ `
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  result[index] = select(0.0, 1.0, walk[index / uniforms.nodes] == index % uniforms.nodes);
}
`;

/** One of a walk's per-node counts [L] as floats: part 0 visits, 1 active lanes. */
function walkCountWgsl(part: 0 | 1): string {
  return /* wgsl */ `
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  result[index] = f32(walk[uniforms.lanes * uniforms.threads + ${part} * uniforms.nodes + index]);
}
`;
}

/**
 * The display trace of every tick at once, [ticks, L, B, K+2]: gates, active
 * flag, mean state after the tick; from the stacked states [ticks+1, L, B, H]
 * and walks [ticks, B*Th + 2L].
 */
function traceWgsl(gate: GateKind): string {
  return `${TOPOLOGY_WGSL}${PARAMS_WGSL}${STATE_WGSL}${gatesWgsl(gate)}${ACTIVE_WGSL}
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let K = uniforms.slots;
  let B = uniforms.lanes;
  let L = uniforms.nodes;
  let H = uniforms.width;
  let E = K + 2;
  let e = index % E;
  let b = (index / E) % B;
  let a = (index / (E * B)) % L;
  let tick = index / (E * B * L);
  let base = tick * L * B * H;
  if (e < K) {
    result[index] = gateAt(base, a, e, b, gateStats(base, a, b));
    return;
  }
  if (e == K) {
    let inner = tick % uniforms.think;
    let walkBase = tick * (B * uniforms.threads + 2 * L);
    result[index] = select(0.0, 1.0, computes(walkBase, a, b, inner == 0, inner == uniforms.think - 1));
    return;
  }
  var total = 0.0;
  for (var j = 0; j < H; j++) { total += stateAt(base + L * B * H, a, b, j); }
  result[index] = total / f32(H);
}
`;
}

// ---------------------------------------------------------------- host side

/**
 * int32 table of the packing, concatenated: source per slot [L*K]; slot flags
 * [L*K] (1 real, 2 a thread may take it); per node the input slot (-1 if
 * none), output flag and read slot (-1) [3 x L]; the real slots each node
 * feeds [L*J], padded with -1; the input nodes' positions [nIn]; the output nodes' positions [nOut].
 */
function topologyTable(topo: LaraTopology, threadStays: boolean): { table: Int32Array; J: number } {
  const { L, K, source, mask } = topo;
  const real = (slot: number): boolean => (mask[slot] as number) > 0;
  const feeds: number[][] = Array.from({ length: L }, () => []);
  for (let slot = 0; slot < L * K; slot++) if (real(slot)) feeds[source[slot] as number]?.push(slot);
  const J = Math.max(1, ...feeds.map((f) => f.length));
  const flags = new Int32Array(L * K);
  for (let a = 0; a < L; a++) {
    let others = 0;
    for (let s = 0; s < K; s++) if (real(a * K + s) && source[a * K + s] !== a) others++;
    for (let s = 0; s < K; s++) {
      const slot = a * K + s;
      // The plain path's routing penalty: padding is blocked, and self-loops unless the thread may stay or has nowhere else to go.
      const routable = real(slot) && (threadStays || source[slot] !== a || others === 0);
      flags[slot] = (real(slot) ? 1 : 0) | (routable ? 2 : 0);
    }
  }
  const nodeEntries = new Int32Array(3 * L);
  nodeEntries.fill(-1, 0, L);
  nodeEntries.fill(-1, 2 * L, 3 * L);
  topo.inputPositions.forEach((pos, n) => (nodeEntries[pos] = n));
  for (const pos of topo.outputPositions) nodeEntries[L + pos] = 1;
  topo.readPositions.forEach((pos, r) => (nodeEntries[2 * L + pos] = r));
  const reverse = new Int32Array(L * J).fill(-1);
  feeds.forEach((slots, c) => reverse.set(slots, c * J));
  const parts = [Int32Array.from(source), flags, nodeEntries, reverse, Int32Array.from(topo.inputPositions), Int32Array.from(topo.outputPositions)];
  const table = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    table.set(p, at);
    at += p.length;
  }
  return { table, J };
}

/** `code` runs only when the backend compiles the shader (once per shader key). */
function program(key: string, variableNames: string[], outputShape: number[], code: () => string): WebGPUProgram {
  return elementwiseProgram(`lara_${key}`, variableNames, outputShape, UNIFORMS, code);
}

function backend(): WebGPUBackend {
  return tf.backend() as WebGPUBackend;
}

/** Runs one kernel: one compute dispatch, not taped, the result tracked in the current scope. */
function runKernel(prog: WebGPUProgram, inputs: tf.Tensor[], dtype: 'float32' | 'int32', d: Dims, phase: Phase = NO_PHASE): tf.Tensor {
  const info = backend().runWebGPUProgram(prog, inputs, dtype, uniformValues(d, phase));
  return tf.engine().makeTensorFromTensorInfo(info);
}

function dimsOf(w: LaraWeights, topo: LaraTopology, input: UnrollInput, J: number): Dims {
  const [, B, H] = input.h0.shape;
  const [nIn, D] = w.inputW.shape;
  const Th = input.q0.shape[0] / B;
  const nOut = topo.outputPositions.length;
  return { L: topo.L, K: topo.K, B, H, Th, J, D, nIn, nOut, A: Th + nIn + nOut, nRead: topo.readCount, T: input.steps, think: input.thinkTicks };
}

/** Floats per row record (see the file comment). */
function recordSize(d: Dims): number {
  return d.H + 2 * d.K + (d.K + 1) * d.H;
}

/** Floats per tick of the records buffer: the row records [B*A, R], then the row map [L, B]. */
function tickBlock(d: Dims): number {
  return d.B * d.A * recordSize(d) + d.L * d.B;
}

/** Element count of the largest buffer the fused kernels bind (the ones the plain path binds too aside). */
function largestBuffer(d: Dims, trace: boolean): number {
  const state = d.L * d.B * d.H;
  const ticks = d.T * d.think;
  const params = d.L * d.K * (d.H + 2) * d.H;
  const rows = ticks * tickBlock(d);
  const entries = d.L * ticks * (d.B + 1);
  const y = d.T * d.nRead * d.B * d.H + state;
  const traced = trace ? Math.max((ticks + 1) * state, ticks * d.L * d.B * (d.K + 2)) : 0;
  return Math.max(params, rows, entries, y, traced);
}

/**
 * Whether unroll can run on the fused kernels: the webgpu backend, no empty buffer, none past the device's binding limit.
 * The kernels implement the seed's form only: no node bias and argmax routing. The bias and routing ablations
 * (random-walk, all-active) fall back to the plain ops.
 */
export function fusedTickSupported(w: LaraWeights, topo: LaraTopology, input: UnrollInput): boolean {
  if (tf.getBackend() !== 'webgpu') return false;
  if (w.nodeBias || (input.routing ?? 'argmax') !== 'argmax') return false;
  const d = dimsOf(w, topo, input, topo.reverseWidth);
  if ([d.L, d.K, d.B, d.H, d.D, d.nIn, d.nRead, d.T, d.think].some((n) => n === 0)) return false;
  return largestBuffer(d, input.trace === true) * 4 <= backend().device.limits.maxStorageBufferBindingSize;
}

/** Tensors the forward hands out besides its value (outputs of a customGrad forward must be kept to leave it). */
interface SideOutputs {
  readonly qT: tf.Tensor2D;
  readonly visits: tf.Tensor1D;
  readonly activeCount: tf.Tensor1D;
  readonly trace?: {
    readonly activity: tf.Tensor3D;
    readonly gates: tf.Tensor4D;
    readonly active: tf.Tensor3D;
    readonly threads: tf.Tensor2D;
  };
}

/** A tensor kept inside a customGrad forward, moved to the caller's scope. */
function adopt<T extends tf.Tensor>(kept: T): T {
  const t = tf.clone(kept);
  kept.dispose();
  return t;
}

/**
 * unroll on the fused kernels (see the file comment). Call it where unroll is
 * called: inside a tidy or a gradient scope.
 */
export function fusedUnroll(w: LaraWeights, topo: LaraTopology, input: UnrollInput): FusedUnrollOutput {
  const { table: tableData, J } = topologyTable(topo, input.threadStays ?? false);
  const d = dimsOf(w, topo, input, J);
  const { L, K, B, H, T, think } = d;
  const ticks = T * think;
  const rows = B * d.Th;
  const stateSize = L * B * H;
  const gate = input.gate;
  const noise = input.noise;
  const logScores = input.exploration === 'gumbel' && noise !== undefined;
  const side: { kept?: SideOutputs } = {};

  const forward = (edgeW: tf.Tensor, gateU: tf.Tensor, gateV: tf.Tensor, inputW: tf.Tensor, h0: tf.Tensor, save: tf.GradSaveFunc) => {
    const params = tf.concat([tf.reshape(edgeW, [L * K, H, H]), tf.reshape(gateU, [L * K, 1, H]), tf.reshape(gateV, [L * K, 1, H])], 1);
    const table = tf.tensor1d(tableData, 'int32');
    let walk = runKernel(program('walk_start', ['positions'], [rows + 2 * L], () => WALK_START_WGSL), [input.q0], 'int32', d);
    const states = [h0];
    const walks: tf.Tensor[] = [];
    const readStates: tf.Tensor[] = [];
    for (let tick = 0; tick < ticks; tick++) {
      const phase = forwardPhase(tick, think);
      const h = states[tick] as tf.Tensor;
      const next = runKernel(
        program(`update_${gate}`, ['state', 'params', 'walk', 'topo', 'symbols', 'inputWeights'], [L, B, H], () => updateWgsl(gate)),
        [h, params, walk, table, input.x, inputW],
        'float32',
        d,
        phase,
      );
      const routeInputs = noise ? [h, params, walk, table, noise] : [h, params, walk, table];
      const routeKey = `route_${gate}_${logScores ? 'log' : 'plain'}_${noise ? 'noise' : 'greedy'}`;
      const nextWalk = runKernel(
        program(routeKey, ['state', 'params', 'walk', 'topo', ...(noise ? ['noise'] : [])], [rows + 2 * L], () => routeWgsl(gate, logScores, noise !== undefined)),
        routeInputs,
        'int32',
        d,
        phase,
      );
      walks.push(walk);
      states.push(next);
      if (phase.readTick) readStates.push(next);
      walk = nextWalk;
    }
    const hT = states[ticks] as tf.Tensor;
    const stacked = tf.stack(readStates); // [T, L, B, H]
    const reads = topo.readIndex ? tf.gather(stacked, topo.readIndex, 1) : stacked;
    const value = tf.concat([tf.reshape(reads, [-1]), tf.reshape(hT, [-1])]);
    save([params, table, input.x, ...states, ...walks]);

    const count = (part: 0 | 1) => tf.keep(runKernel(program(`walk_count_${part}`, ['walk'], [L], () => walkCountWgsl(part)), [walk], 'float32', d)) as tf.Tensor1D;
    side.kept = {
      qT: tf.keep(runKernel(program('walk_one_hot', ['walk'], [rows, L], () => WALK_ONE_HOT_WGSL), [walk], 'float32', d)) as tf.Tensor2D,
      visits: count(0),
      activeCount: count(1),
      ...(input.trace ? { trace: traceOutputs(gate, d, states, walks, params, table) } : {}),
    };
    return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => reverseSweep(gate, d, dy, saved) };
  };

  const fused = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [edgeW, gateU, gateV, inputW, h0] = args as tf.Tensor[];
    return forward(edgeW as tf.Tensor, gateU as tf.Tensor, gateV as tf.Tensor, inputW as tf.Tensor, h0 as tf.Tensor, args[5] as tf.GradSaveFunc);
  });
  const y = fused(w.edgeW, w.gateU, w.gateV, w.inputW, input.h0);
  const kept = side.kept as SideOutputs;
  const readSize = T * d.nRead * B * H;
  const out: FusedUnrollOutput = {
    reads: tf.reshape(tf.slice(y, 0, readSize), [T, d.nRead, B, H]),
    hT: tf.reshape(tf.slice(y, readSize, stateSize), [L, B, H]),
    qT: adopt(kept.qT),
    visits: adopt(kept.visits),
    activeCount: adopt(kept.activeCount),
  };
  if (!kept.trace) return out;
  const tr = kept.trace;
  return {
    ...out,
    trace: { activity: adopt(tr.activity), gates: adopt(tr.gates), active: adopt(tr.active), threads: adopt(tr.threads) },
  };
}

/** The display trace from the saved states and walks, kept to leave the customGrad forward. */
function traceOutputs(gate: GateKind, d: Dims, states: tf.Tensor[], walks: tf.Tensor[], params: tf.Tensor, table: tf.Tensor): NonNullable<SideOutputs['trace']> {
  const { L, K, B } = d;
  const ticks = walks.length;
  const stackedWalks = tf.stack(walks) as tf.Tensor2D;
  const rec = runKernel(program(`trace_${gate}`, ['state', 'walk', 'params', 'topo'], [ticks, L, B, K + 2], () => traceWgsl(gate)), [tf.stack(states), stackedWalks, params, table], 'float32', d);
  const part = (at: number, size: number) => tf.slice(rec, [0, 0, 0, at], [ticks, L, B, size]);
  return {
    gates: tf.keep(tf.transpose(part(0, K), [0, 1, 3, 2])) as tf.Tensor4D,
    active: tf.keep(tf.reshape(part(K, 1), [ticks, L, B])) as tf.Tensor3D,
    activity: tf.keep(tf.reshape(part(K + 1, 1), [ticks, L, B])) as tf.Tensor3D,
    threads: tf.keep(tf.slice(stackedWalks, [0, 0], [ticks, B * d.Th])) as tf.Tensor2D,
  };
}

/**
 * The customGrad's gradient: the ticks backwards, two kernels each (row records, state gradient), then the
 * entries, parameter and input-weight kernels once; returns the gradients of (edgeW, gateU, gateV, inputW, h0).
 */
function reverseSweep(gate: GateKind, d: Dims, dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] {
  const { L, K, B, H, nIn, D, T, think } = d;
  const ticks = T * think;
  const [params, table, x, ...history] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, ...tf.Tensor[]];
  const states = history.slice(0, ticks + 1);
  const walks = history.slice(ticks + 1);
  let carry = runKernel(program('carry_start', ['outGrad', 'topo'], [L, B, H], () => CARRY_START_WGSL), [dy, table], 'float32', d, {
    ...NO_PHASE,
    readGradStep: T - 1,
  });
  const records: tf.Tensor[] = [];
  for (let tick = ticks - 1; tick >= 0; tick--) {
    const phase = backwardPhase(tick, think);
    const before = states[tick] as tf.Tensor;
    const rows = runKernel(
      program(`row_records_${gate}`, ['carry', 'stateNext', 'state', 'params', 'walk', 'topo'], [tickBlock(d)], () => rowRecordsWgsl(gate)),
      [carry, states[tick + 1] as tf.Tensor, before, params, walks[tick] as tf.Tensor, table],
      'float32',
      d,
      phase,
    );
    const next = runKernel(
      program('state_adjoint', ['carry', 'rows', 'params', 'topo', 'outGrad'], [L, B, H], () => ADJOINT_WGSL),
      [carry, rows, params, table, dy],
      'float32',
      d,
      phase,
    );
    carry.dispose();
    carry = next;
    records.unshift(rows);
  }
  const rows = tf.concat(records.map((r) => tf.reshape(r, [-1])));
  tf.dispose(records);
  const entries = runKernel(program('row_entries', ['rows'], [L, ticks, B + 1], () => ENTRIES_WGSL), [rows], 'int32', d);
  const dParams = runKernel(program('param_grads', ['rows', 'entries', 'topo'], [L * K, H + 2, H], () => PARAM_GRADS_WGSL), [rows, entries, table], 'float32', d);
  const dInputW = runKernel(program('input_grads', ['rows', 'symbols'], [nIn, D, H], () => INPUT_GRADS_WGSL), [rows, x], 'float32', d);
  tf.dispose([rows, entries]);
  const [dEdgeW, dGateU, dGateV] = tf.split(dParams, [H, 1, 1], 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
  return [
    tf.reshape(dEdgeW, [L, K * H, H]),
    tf.reshape(dGateU, [L, K, 1, H]),
    tf.reshape(dGateV, [L, K, 1, H]),
    tf.reshape(dInputW, [nIn, D, H]),
    carry,
  ];
}
