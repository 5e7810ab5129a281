/**
 * The benchmark's baseline: the same LARA model written the obvious way, one
 * layer (node) at a time, one edge at a time, with per-edge variables and
 * tf.train.adam. Same weights, data and math as the engine (the bench checks
 * the first loss agrees) — only the kernel count differs.
 */
import * as tf from '@tensorflow/tfjs';
import type { LaraHostModel } from '../engine/lara/lara-model';
import type { TaskBatch } from '../engine/tasks/task';

export class NaiveLara {
  private readonly L: number;
  private readonly H: number;
  private readonly inEdges: { edge: number; source: number }[][];
  private readonly W = new Map<number, tf.Variable>();
  private readonly U = new Map<number, tf.Variable>();
  private readonly V = new Map<number, tf.Variable>();
  private readonly Win = new Map<number, tf.Variable>();
  private readonly Wout: tf.Variable;
  private readonly inputPos: number[];
  private readonly outputPos: number[];
  private readonly optimizer: tf.Optimizer;

  constructor(
    model: LaraHostModel,
    private readonly thinkTicks: number,
    learningRate: number,
    /** Whether a thread may route through a self-loop (the engine's threadStays). */
    private readonly threadStays: boolean,
  ) {
    const { graph, dims } = model;
    if (dims.readAll) throw new Error('the naive baseline reads out from the output node only');
    this.L = graph.nodes.length;
    this.H = dims.width;
    const pos = new Map(graph.nodes.map((n, i) => [n.id, i]));
    this.inEdges = graph.nodes.map(() => []);
    for (const e of graph.edges) this.inEdges[pos.get(e.target) as number]?.push({ edge: e.id, source: pos.get(e.source) as number });
    const H = this.H;
    for (const e of graph.edges) {
      this.W.set(e.id, tf.variable(tf.tensor2d(model.tables.edgeW.rows.get(e.id) as Float32Array, [H, H])));
      this.U.set(e.id, tf.variable(tf.tensor2d(model.tables.gateU.rows.get(e.id) as Float32Array, [H, 1])));
      this.V.set(e.id, tf.variable(tf.tensor2d(model.tables.gateV.rows.get(e.id) as Float32Array, [H, 1])));
    }
    this.inputPos = graph.nodes.flatMap((n, i) => (n.role === 'input' ? [i] : []));
    this.outputPos = graph.nodes.flatMap((n, i) => (n.role === 'output' ? [i] : []));
    for (const p of this.inputPos) {
      const id = (graph.nodes[p] as { id: number }).id;
      this.Win.set(p, tf.variable(tf.tensor2d(model.tables.inputW.rows.get(id) as Float32Array, [dims.inputSize, H])));
    }
    const outRows = this.outputPos.map((p) => model.tables.readoutW.rows.get((graph.nodes[p] as { id: number }).id) as Float32Array);
    const wout = new Float32Array(outRows.length * H * dims.outputSize);
    outRows.forEach((r, i) => wout.set(r, i * r.length));
    this.Wout = tf.variable(tf.tensor2d(wout, [outRows.length * H, dims.outputSize]));
    this.optimizer = tf.train.adam(learningRate);
  }

  /** Greedy routing, zero initial state, thread at the input node: the loss of one forward pass. */
  private loss(batch: TaskBatch, inputSize: number, outputSize: number): tf.Scalar {
    const { L, H } = this;
    const B = batch.lanes;
    let h: tf.Tensor2D[] = Array.from({ length: L }, () => tf.zeros([B, H]));
    let q = tf.cast(tf.oneHot(tf.fill([B], this.inputPos[0] ?? 0, 'int32'), L), 'float32') as tf.Tensor2D; // [B, L]
    const logits: tf.Tensor2D[] = [];
    for (let t = 0; t < batch.length; t++) {
      const x = tf.cast(tf.oneHot(tf.tensor1d(batch.inputs.subarray(t * B, (t + 1) * B), 'int32'), inputSize), 'float32') as tf.Tensor2D;
      for (let tick = 0; tick < this.thinkTicks; tick++) {
        const inputTick = tick === 0;
        const readTick = tick === this.thinkTicks - 1;
        const next: tf.Tensor2D[] = [];
        const scores: tf.Tensor2D[] = [];
        for (let a = 0; a < L; a++) {
          const hA = h[a] as tf.Tensor2D;
          const parts: tf.Tensor2D[] = [];
          const gates: tf.Tensor2D[] = [];
          for (const { edge, source } of this.inEdges[a] ?? []) {
            const hB = h[source] as tf.Tensor2D;
            const z = tf.add(tf.matMul(hA, this.U.get(edge) as tf.Variable), tf.matMul(hB, this.V.get(edge) as tf.Variable));
            const g = tf.exp(tf.neg(tf.square(z))) as tf.Tensor2D; // [B, 1]
            gates.push(g);
            parts.push(tf.mul(tf.matMul(hB, this.W.get(edge) as tf.Variable), g));
          }
          let pre = tf.addN(parts) as tf.Tensor2D;
          if (inputTick && this.Win.has(a)) pre = tf.add(pre, tf.matMul(x, this.Win.get(a) as tf.Variable));
          const forced = (inputTick && this.inputPos.includes(a)) || (readTick && this.outputPos.includes(a));
          const active = forced ? tf.ones([B, 1]) : tf.slice(q, [0, a], [B, 1]);
          next.push(tf.add(hA, tf.mul(active, tf.sub(tf.relu(pre), hA))));
          scores.push(tf.concat(gates, 1) as tf.Tensor2D);
        }
        // Route: each lane's thread reads the gates of the node it sits on.
        const K = Math.max(...scores.map((s) => s.shape[1]));
        let gAt = tf.zeros([B, K]) as tf.Tensor2D;
        let srcAt = tf.zeros([B, K]) as tf.Tensor2D;
        for (let a = 0; a < L; a++) {
          const on = tf.slice(q, [0, a], [B, 1]);
          const srcList = (this.inEdges[a] ?? []).map((e) => e.source);
          const mayStay = this.threadStays || srcList.every((src) => src === a);
          const blocked = srcList.map((src) => (src === a && !mayStay ? -1e9 : 0));
          const s = tf.add(scores[a] as tf.Tensor2D, tf.tensor2d([blocked], [1, blocked.length])) as tf.Tensor2D;
          const k = s.shape[1];
          const padded = k < K ? tf.concat([s, tf.fill([B, K - k], -1e9)], 1) : s;
          gAt = tf.add(gAt, tf.mul(on, padded));
          const srcs = (this.inEdges[a] ?? []).map((e) => e.source);
          while (srcs.length < K) srcs.push(a);
          srcAt = tf.add(srcAt, tf.mul(on, tf.tensor2d([srcs], [1, K])));
        }
        const choice = tf.cast(tf.oneHot(tf.argMax(gAt, 1), K), 'float32');
        q = tf.cast(tf.oneHot(tf.cast(tf.round(tf.sum(tf.mul(choice, srcAt), 1)), 'int32'), L), 'float32') as tf.Tensor2D;
        h = next;
        if (readTick) logits.push(tf.matMul(tf.concat(this.outputPos.map((p) => h[p] as tf.Tensor2D), 1), this.Wout));
      }
    }
    const all = tf.concat(logits, 0);
    const targets = tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(batch.targets, (t) => Math.max(t, 0)), 'int32'), outputSize), 'float32');
    const weights = tf.tensor1d(Float32Array.from(batch.targets, (t) => (t >= 0 ? 1 : 0)));
    const ce = tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(all)), 1));
    return tf.div(tf.sum(tf.mul(ce, weights)), tf.maximum(tf.sum(weights), 1)) as tf.Scalar;
  }

  /** One training step; resolves to its loss. */
  async trainStep(batch: TaskBatch, inputSize: number, outputSize: number): Promise<number> {
    const loss = this.optimizer.minimize(() => this.loss(batch, inputSize, outputSize), true) as tf.Scalar;
    const value = (await loss.data())[0] as number;
    loss.dispose();
    return value;
  }

  dispose(): void {
    tf.dispose([...this.W.values(), ...this.U.values(), ...this.V.values(), ...this.Win.values(), this.Wout]);
    this.optimizer.dispose();
  }
}
