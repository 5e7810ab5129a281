/** The task streams: what each target must be, and that streams repeat for a seed. */
import { describe, expect, it } from 'vitest';
import { createCircuitStream, randomCircuit, type Circuit } from './circuit-task';
import { createRecallStream } from './recall-task';
import type { TaskBatch } from './task';
import { CIRCUIT, createTaskStream, RECALL } from './task-registry';
import { ALICE_OPENING, createTextStream, encodeText, TEXT_ALPHABET } from './text-task';
import { TASK_IDS } from './task';

/** One lane's column of a time-major array. */
function lane(values: Int32Array, lanes: number, b: number): number[] {
  return Array.from({ length: values.length / lanes }, (_, t) => values[t * lanes + b] as number);
}

/** Two chunks of a stream glued together, per lane. */
function glued(a: TaskBatch, b: TaskBatch, which: 'inputs' | 'targets', lanes: number, l: number): number[] {
  return [...lane(a[which], lanes, l), ...lane(b[which], lanes, l)];
}

describe('recall', () => {
  it('targets the input `delay` steps back, across chunk boundaries; earlier steps are not scored', () => {
    const lanes = 3;
    const s = createRecallStream(lanes, 5, { delay: 3, symbols: 5 });
    const [a, b] = [s.next(4), s.next(6)];
    for (let l = 0; l < lanes; l++) {
      const x = glued(a, b, 'inputs', lanes, l);
      const y = glued(a, b, 'targets', lanes, l);
      expect(y.slice(0, 3)).toEqual([-1, -1, -1]);
      for (let t = 3; t < x.length; t++) expect(y[t]).toBe(x[t - 3]);
      expect(x.every((v) => v >= 0 && v < 5)).toBe(true);
    }
  });
});

/** Whether every state can reach every other one under some inputs. */
function stronglyConnected(c: Circuit): boolean {
  for (let start = 0; start < c.states; start++) {
    const seen = new Set([start]);
    const stack = [start];
    while (stack.length > 0) {
      const s = stack.pop() as number;
      for (let x = 0; x < c.symbols; x++) {
        const n = c.next[s * c.symbols + x] as number;
        if (!seen.has(n)) {
          seen.add(n);
          stack.push(n);
        }
      }
    }
    if (seen.size < c.states) return false;
  }
  return true;
}

describe('circuit', () => {
  const circuit = randomCircuit(1, CIRCUIT);

  it('is a proper random Mealy machine whose output depends on the state', () => {
    const size = circuit.states * circuit.symbols;
    expect(circuit.next).toHaveLength(size);
    expect(circuit.out).toHaveLength(size);
    expect(new Set(circuit.next).size).toBe(circuit.states);
    let stateful = 0;
    for (let x = 0; x < circuit.symbols; x++) {
      const outs = new Set(Array.from({ length: circuit.states }, (_, st) => circuit.out[st * circuit.symbols + x]));
      if (outs.size > 1) stateful++;
    }
    expect(stateful).toBeGreaterThan(0);
    expect(stronglyConnected(circuit)).toBe(true);
    expect(randomCircuit(1, CIRCUIT)).toEqual(circuit);
    expect(randomCircuit(2, CIRCUIT)).not.toEqual(circuit);
  });

  // A trap state would let a constant answer score 100% after a few symbols.
  it('never draws a machine with a trap (not strongly connected)', () => {
    for (let seed = 0; seed < 50; seed++) expect(stronglyConnected(randomCircuit(seed, CIRCUIT)), `seed ${seed}`).toBe(true);
  });

  /**
   * The best possible predictor, as a plain reference: a belief over states
   * (uniform at first) updated by the known machine and each input, guessing
   * the most likely output. Its accuracy is what any model could reach.
   */
  function bayesAccuracy(c: Circuit, symbols: number, seed: number): number {
    const b = createCircuitStream(1, seed, c).next(symbols);
    let belief = Array.from({ length: c.states }, () => 1 / c.states);
    let right = 0;
    let scored = 0;
    for (let t = 0; t < symbols; t++) {
      const x = b.inputs[t] as number;
      const py = new Float64Array(c.outputs);
      belief.forEach((p, st) => {
        const y = c.out[st * c.symbols + x] as number;
        py[y] = (py[y] as number) + p;
      });
      if ((b.targets[t] as number) >= 0) {
        scored++;
        if (py.indexOf(Math.max(...py)) === b.targets[t]) right++;
      }
      const next = new Float64Array(c.states);
      belief.forEach((p, st) => {
        const to = c.next[st * c.symbols + x] as number;
        next[to] = (next[to] as number) + p;
      });
      belief = Array.from(next);
    }
    return right / scored;
  }

  // Seed 1 once drew a machine whose inputs all permute the states: no model could beat chance on it.
  it('is learnable: the inputs tell the state, so the best predictor is right almost always', () => {
    for (let seed = 0; seed < 50; seed++) expect(bayesAccuracy(randomCircuit(seed, CIRCUIT), 2000, 7), `seed ${seed}`).toBeGreaterThan(0.95);
  });

  /** Start states from which the machine reproduces every scored target of a lane. */
  function consistentStarts(c: Circuit, inputs: number[], targets: number[]): number[] {
    const starts: number[] = [];
    for (let s0 = 0; s0 < c.states; s0++) {
      let s = s0;
      let ok = true;
      inputs.forEach((x, t) => {
        const cell = s * c.symbols + x;
        if (targets[t] !== -1 && targets[t] !== c.out[cell]) ok = false;
        s = c.next[cell] as number;
      });
      if (ok) starts.push(s0);
    }
    return starts;
  }

  it('targets follow the tables after a warm-up of `states` symbols', () => {
    const lanes = 4;
    const s = createCircuitStream(lanes, 3, circuit);
    const [a, b] = [s.next(5), s.next(30)];
    for (let l = 0; l < lanes; l++) {
      const x = glued(a, b, 'inputs', lanes, l);
      const y = glued(a, b, 'targets', lanes, l);
      expect(y.slice(0, circuit.states).every((v) => v === -1)).toBe(true);
      expect(y.slice(circuit.states).every((v) => v >= 0)).toBe(true);
      expect(consistentStarts(circuit, x, y).length).toBeGreaterThan(0);
      // The check has teeth: shifted targets are not explained by any start state.
      expect(consistentStarts(circuit, x, [...y.slice(1), -1])).toEqual([]);
    }
  });
});

describe('text', () => {
  it('targets the next character, each lane a contiguous stretch of the text', () => {
    const lanes = 2;
    const s = createTextStream(lanes, 9);
    const [a, b] = [s.next(7), s.next(9)];
    const codes = Array.from(encodeText(ALICE_OPENING));
    const cyclic = [...codes, ...codes];
    for (let l = 0; l < lanes; l++) {
      const x = glued(a, b, 'inputs', lanes, l);
      const y = glued(a, b, 'targets', lanes, l);
      for (let t = 0; t + 1 < x.length; t++) expect(y[t]).toBe(x[t + 1]);
      const at = cyclic.findIndex((_, i) => x.every((v, k) => cyclic[i + k] === v));
      expect(at).toBeGreaterThanOrEqual(0);
      expect(y[x.length - 1]).toBe(cyclic[at + x.length]);
    }
  });

  it('encodes unknown characters as space', () => {
    expect(Array.from(encodeText('a Z!'))).toEqual([0, TEXT_ALPHABET.length - 1, TEXT_ALPHABET.length - 1, TEXT_ALPHABET.indexOf('!')]);
  });
});

describe('task registry', () => {
  it.each(TASK_IDS)('%s streams repeat for a seed and differ between seeds and lanes', (id) => {
    const a = createTaskStream(id, 3, 1, 2).next(12);
    const b = createTaskStream(id, 3, 1, 2).next(12);
    const c = createTaskStream(id, 3, 1, 3).next(12);
    expect(b).toEqual(a);
    expect(c.inputs).not.toEqual(a.inputs);
    expect(lane(a.inputs, 3, 0)).not.toEqual(lane(a.inputs, 3, 1));
  });

  it('uses the documented sizes', () => {
    const recall = createTaskStream('recall', 1, 0, 0);
    expect([recall.inputSize, recall.outputSize]).toEqual([RECALL.symbols, RECALL.symbols]);
    const circuit = createTaskStream('circuit', 1, 0, 0);
    expect([circuit.inputSize, circuit.outputSize]).toEqual([CIRCUIT.symbols, CIRCUIT.outputs]);
  });
});
