/**
 * The ablation switches (issue 13) through the trainer, growth and the export
 * document: the bias table exists only when asked for, trains, survives
 * snapshot, growth and export; random-walk routes ignore the gates in the
 * probe; all-active makes every node compute. The unroll's numbers against
 * the reference are in lara-forward.test.ts and lara-gradcheck.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { graphOf } from '../reference/fixtures';
import { createRng } from '../random';
import { createTaskStream, taskSizes } from '../tasks/task-registry';
import { describeBackends } from '../testing/backends';
import { laraModel } from './lara-descriptor';
import { growthCheck, INITIAL_LOSS_PLATEAU } from './lara-growth';
import { initLaraModel, type LaraHostModel } from './lara-model';
import { DEFAULT_LARA_PARAMS, laraParamsSchema, type LaraParams } from './lara-params';
import { LaraTrainer, type LaraExperiment } from './lara-trainer';

function experiment(seed: number, params: Partial<LaraParams>): LaraExperiment {
  return { model: 'lara', task: 'recall', seed, params: { ...DEFAULT_LARA_PARAMS, ...params } };
}

const TINY: Partial<LaraParams> = { nodes: 6, width: 4, degree: 3, batch: 2, window: 3, thinkTicks: 2, explore: 0.3, learningRate: 0.01 };

async function losses(t: LaraTrainer, steps: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < steps; i++) out.push((await t.trainStep()).stats.loss);
  return out;
}

const maxAbs = (rows: Iterable<Float32Array>): number => Math.max(...[...rows].flatMap((r) => Array.from(r, Math.abs)));

/** `snap`'s gate rows replaced by other values: argmax routing follows them, a random walk must not. */
function otherGates(m: LaraHostModel): LaraHostModel {
  const flip = (t: LaraHostModel['tables']['gateU']): typeof t => ({ width: t.width, rows: new Map([...t.rows].map(([id, r]) => [id, r.map((x, i) => -3 * x + (i % 2 ? 1 : -1))])) });
  return { ...m, tables: { ...m.tables, gateU: flip(m.tables.gateU), gateV: flip(m.tables.gateV) } };
}

describeBackends(
  'LARA ablation switches',
  () => {
    it('older parameter sets parse with the seed’s form: no bias, argmax routing', () => {
      const { bias: _b, routing: _r, ...old } = DEFAULT_LARA_PARAMS;
      const parsed = laraParamsSchema.parse(old);
      expect(parsed.bias).toBe(false);
      expect(parsed.routing).toBe('argmax');
    });

    it('bias off has no bias table; bias on starts at zero and so computes what bias off does, then learns biases', async () => {
      const off = LaraTrainer.create(experiment(4, TINY));
      const on = LaraTrainer.create(experiment(4, { ...TINY, bias: true }));
      expect((await off.exportModel()).tables.nodeBias).toBeUndefined();
      const bias = (await on.exportModel()).tables.nodeBias;
      expect([...(bias?.rows.keys() ?? [])].sort()).toEqual(on.currentGraph.nodes.map((n) => n.id).sort());
      expect(maxAbs(bias?.rows.values() ?? [])).toBe(0);
      const [lOff, lOn] = [await losses(off, 6), await losses(on, 6)];
      // Step 1 runs the same numbers (zero biases); after it the biases have moved and the runs part.
      expect(lOn[0]).toBe(lOff[0]);
      expect(lOn.slice(1)).not.toEqual(lOff.slice(1));
      expect(maxAbs((await on.exportModel()).tables.nodeBias?.rows.values() ?? [])).toBeGreaterThan(1e-3);
      off.dispose();
      on.dispose();
    });

    it('biases survive snapshot/restore, export/import through the document, and perturbWeights moves them', async () => {
      const exp = experiment(5, { ...TINY, bias: true });
      const a = LaraTrainer.create(exp);
      await losses(a, 4);
      const codec = laraModel.document;
      const encoded = codec.encode(await a.exportModel());
      expect(encoded.tensors.nodeBias?.shape).toEqual([a.currentGraph.nodes.length, 4]);
      expect(Object.keys(codec.tensorShapes(exp, a.currentGraph))).toContain('nodeBias');
      const b = LaraTrainer.fromModel(exp, codec.decode(exp, encoded), a.step);
      expect(Array.from(await b.predict())).toEqual(Array.from(await a.predict()));
      const before = await a.predict();
      a.restore(await a.snapshot());
      expect(Array.from(await a.predict())).toEqual(Array.from(before));
      const biasBefore = (await a.exportModel()).tables.nodeBias?.rows.get(1)?.slice();
      a.perturbWeights(0.5, 9);
      expect(Array.from((await a.exportModel()).tables.nodeBias?.rows.get(1) ?? [])).not.toEqual(Array.from(biasBefore ?? []));
      a.dispose();
      b.dispose();
    });

    it('a document without the bias table (older files, bias off) imports; a bias-on experiment then starts from zero biases', async () => {
      const exp = experiment(6, TINY);
      const a = LaraTrainer.create(exp);
      await losses(a, 2);
      const codec = laraModel.document;
      const encoded = codec.encode(await a.exportModel());
      expect(encoded.tensors.nodeBias).toBeUndefined();
      expect(Object.keys(codec.tensorShapes(exp, a.currentGraph))).not.toContain('nodeBias');
      const model = codec.decode(exp, encoded);
      const b = LaraTrainer.fromModel(experiment(6, { ...TINY, bias: true }), model, a.step);
      expect(Array.from(await b.predict())).toEqual(Array.from(await a.predict()));
      expect(maxAbs((await b.exportModel()).tables.nodeBias?.rows.values() ?? [])).toBe(0);
      a.dispose();
      b.dispose();
    });

    it('growth: a split child copies its parent’s bias, a born node starts at zero, a dead node takes its bias along', () => {
      const edges: [number, number][] = [];
      for (let n = 0; n < 5; n++) edges.push([n, n], [(n + 1) % 5, n], [(n + 4) % 5, n]);
      const graph = graphOf(['input', 'hidden', 'output', 'hidden', 'hidden'], edges);
      const base = initLaraModel(graph, { width: 3, inputSize: 3, outputSize: 3, readAll: false }, 'gaussian', 1, true);
      const rows = new Map([...(base.tables.nodeBias?.rows.keys() ?? [])].map((id) => [id, Float32Array.from([id, -id, 0.5])]));
      const m: LaraHostModel = { ...base, tables: { ...base.tables, nodeBias: { width: 3, rows } }, visitShare: new Map([[0, 0.1], [1, 0.6], [2, 0.1], [3, 0.2], [4, 0]]) };
      const ctx = (mode: 'split' | 'birth') => ({
        params: { ...DEFAULT_LARA_PARAMS.growth, enabled: true, trigger: 'visits' as const, mode, splitAbove: 0.3, deleteBelow: 0.01, patience: 1, minNodes: 3, maxNodes: 16 },
        gate: 'gaussian' as const,
        selfLoops: true,
        degree: 3,
        tick: 1,
        rng: createRng(3),
        plateau: INITIAL_LOSS_PLATEAU,
      });
      const split = growthCheck(m, new Map(), ctx('split'));
      const child = split.events.find((e) => e.cause === 'split');
      expect(child?.parentId).toBe(1);
      expect(Array.from(split.model.tables.nodeBias?.rows.get(child?.nodeId ?? -1) ?? [])).toEqual([1, -1, 0.5]);
      expect(split.events.some((e) => e.kind === 'death' && e.nodeId === 4)).toBe(true);
      expect(split.model.tables.nodeBias?.rows.has(4)).toBe(false);
      const born = growthCheck(m, new Map(), ctx('birth')).model;
      const bornId = born.graph.nextNodeId - 1;
      expect(Array.from(born.tables.nodeBias?.rows.get(bornId) ?? [])).toEqual([0, 0, 0]);
    });

    it('random-walk: the probe’s routes are the same whatever the gate weights; argmax routes change with them', async () => {
      const probeThreads = async (routing: LaraParams['routing'], gates: 'own' | 'other'): Promise<number[]> => {
        const t = LaraTrainer.create(experiment(8, { ...TINY, nodes: 10, degree: 4, routing, explore: 0 }));
        if (gates === 'other') {
          const snap = await t.snapshot();
          t.restore({ ...snap, model: otherGates(snap.model) });
        }
        const trace = await t.probe(12);
        t.dispose();
        return Array.from(trace.threads);
      };
      expect(await probeThreads('random-walk', 'other')).toEqual(await probeThreads('random-walk', 'own'));
      expect(await probeThreads('argmax', 'other')).not.toEqual(await probeThreads('argmax', 'own'));
    });

    it('all-active: every node computes every tick in the probe; threads still move', async () => {
      const t = LaraTrainer.create(experiment(9, { ...TINY, routing: 'all-active' }));
      await losses(t, 2);
      const trace = await t.probe(5);
      expect(trace.active.every((a) => a === 1)).toBe(true);
      expect(new Set(trace.threads).size).toBeGreaterThan(1);
      t.dispose();
    });

    it('routing is live: switching it mid-run changes the next steps and repeats for a seed', async () => {
      const run = async (): Promise<number[]> => {
        const t = LaraTrainer.create(experiment(10, TINY));
        const l = await losses(t, 2);
        t.setLiveParams({ routing: 'random-walk' });
        l.push(...(await losses(t, 3)));
        t.dispose();
        return l;
      };
      const plain = LaraTrainer.create(experiment(10, TINY));
      const reference = await losses(plain, 5);
      plain.dispose();
      const [a, b] = [await run(), await run()];
      expect(b).toEqual(a);
      expect(a.slice(0, 2)).toEqual(reference.slice(0, 2));
      expect(a.slice(2)).not.toEqual(reference.slice(2));
    });
  },
  ['cpu'],
);

describeBackends(
  'LARA ablation switches on wasm',
  () => {
    it('bias with random-walk or all-active routing: seeded, and no tensors left behind by steps, evaluation, probe and predict', async () => {
      for (const routing of ['random-walk', 'all-active'] as const) {
        const exp = experiment(1, { ...TINY, bias: true, routing });
        const t = LaraTrainer.create(exp);
        const twin = LaraTrainer.create(exp);
        await t.trainStep();
        const afterFirst = tf.memory().numTensors;
        const [l, lTwin] = [await losses(t, 20), (await twin.trainStep(), await losses(twin, 20))];
        expect(l.every(Number.isFinite)).toBe(true);
        expect(lTwin).toEqual(l);
        await t.probe(4);
        const [p1, p2] = [await t.predict(), await t.predict()];
        expect(Array.from(p2)).toEqual(Array.from(p1));
        expect(Array.from(await twin.predict())).toEqual(Array.from(p1));
        await t.removeEdges(0.1, 3);
        await t.trainStep();
        expect(tf.memory().numTensors).toBe(afterFirst);
        t.dispose();
        twin.dispose();

        // The battery's path: trainOn / evaluateOn (a random walk draws on evaluation too).
        const evals: number[][] = [];
        for (let copy = 0; copy < 2; copy++) {
          const ev = LaraTrainer.forSizes(exp, taskSizes(exp.task));
          const stream = createTaskStream(exp.task, 2, 1, 2);
          await ev.trainOn(stream.next(3));
          const held = tf.memory().numTensors;
          const losses = [(await ev.evaluateOn(stream.next(4))).loss, (await ev.evaluateOn(stream.next(4))).loss];
          expect(tf.memory().numTensors).toBe(held);
          evals.push(losses);
          ev.dispose();
        }
        expect(evals[1]).toEqual(evals[0]);
      }
    });
  },
  ['wasm'],
);
