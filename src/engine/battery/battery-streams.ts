/**
 * The seeded task streams the battery trains and tests on. Each returns
 * batches time-major like the lab's tasks (see ../tasks/task.ts); a model's
 * lanes all see their own samples of the same task.
 */
import { createRng, randInt, type Rng } from '../random';
import type { TaskBatch } from '../tasks/task';
import type { Circuit } from '../tasks/circuit-task';

/** Fixed-length episodes: every lane starts a new episode at t = 0 (the model's state is reset before each). */
export interface EpisodeSource {
  readonly inputSize: number;
  readonly outputSize: number;
  /** Symbols per episode. */
  readonly length: number;
  next(lanes: number): TaskBatch;
}

function batchOf(lanes: number, length: number, fill: (lane: number, inputs: number[], targets: number[]) => void): TaskBatch {
  const inputs = new Int32Array(length * lanes);
  const targets = new Int32Array(length * lanes);
  for (let b = 0; b < lanes; b++) {
    const x: number[] = [];
    const y: number[] = [];
    fill(b, x, y);
    for (let t = 0; t < length; t++) {
      inputs[t * lanes + b] = x[t] ?? 0;
      targets[t * lanes + b] = y[t] ?? -1;
    }
  }
  return { lanes, length, inputs, targets };
}

/**
 * Memorise one fixed random sequence S of `length` symbols: the input is a
 * start marker then S, the target at each step is the next symbol of S.
 */
export function memorisationEpisodes(length: number, symbols: number, seed: number): EpisodeSource {
  const rng = createRng(seed, 11);
  const sequence = Array.from({ length }, () => randInt(rng, symbols));
  const start = symbols;
  return {
    inputSize: symbols + 1,
    outputSize: symbols,
    length,
    next: (lanes) =>
      batchOf(lanes, length, (_, x, y) => {
        for (let t = 0; t < length; t++) {
          x.push(t === 0 ? start : (sequence[t - 1] as number));
          y.push(sequence[t] as number);
        }
      }),
  };
}

/**
 * Recall the first symbol after `gap` distractors: a cue in {0, 1}, `gap`
 * filler symbols, then a query; only the query is scored, with the cue as
 * its target (the seed's 0,0,...,0,1 test).
 */
export function longTermEpisodes(gap: number, seed: number): EpisodeSource {
  const rng = createRng(seed, 12);
  const filler = 2;
  const query = 3;
  const length = gap + 2;
  return {
    inputSize: 4,
    outputSize: 2,
    length,
    next: (lanes) =>
      batchOf(lanes, length, (_, x, y) => {
        const cue = randInt(rng, 2);
        x.push(cue);
        y.push(-1);
        for (let i = 0; i < gap; i++) {
          x.push(filler);
          y.push(-1);
        }
        x.push(query);
        y.push(cue);
      }),
  };
}

/**
 * A circuit driven by random inputs, as episodes from a random start state;
 * the first `warmup` targets are not scored (the state is unknown until the
 * inputs have synchronised it). `compose` feeds the first circuit's outputs
 * into a second one (A then B), whose outputs are the targets.
 */
export function circuitEpisodes(circuits: readonly Circuit[], length: number, warmup: number, seed: number): EpisodeSource {
  const rng = createRng(seed, 13);
  const first = circuits[0] as Circuit;
  const last = circuits[circuits.length - 1] as Circuit;
  return {
    inputSize: first.symbols,
    outputSize: last.outputs,
    length,
    next: (lanes) =>
      batchOf(lanes, length, (_, x, y) => {
        const states = circuits.map((c) => randInt(rng, c.states));
        for (let t = 0; t < length; t++) {
          const input = randInt(rng, first.symbols);
          let signal = input;
          circuits.forEach((c, i) => {
            const cell = (states[i] as number) * c.symbols + signal;
            signal = c.out[cell] as number;
            states[i] = c.next[cell] as number;
          });
          x.push(input);
          y.push(t >= warmup ? signal : -1);
        }
      }),
  };
}

/** A copy of a circuit with `cells` output entries changed (the "X + delta" of the transfer test). */
export function perturbCircuit(c: Circuit, cells: number, rng: Rng): Circuit {
  const out = c.out.slice();
  for (let i = 0; i < cells; i++) {
    const cell = randInt(rng, out.length);
    out[cell] = ((out[cell] as number) + 1 + randInt(rng, c.outputs - 1)) % c.outputs;
  }
  return { ...c, out };
}

/**
 * Recall-`delay` episodes with a burst of garbage in the middle: the clean
 * part scores as usual; the burst and the `delay` symbols after it are not
 * scored. `garbage` is a symbol never seen in training, or 'random' for
 * random symbols of the alphabet.
 */
export function recallEpisodes(
  delay: number,
  symbols: number,
  length: number,
  seed: number,
  burst: { at: number; length: number; garbage: number | 'random' } | null = null,
): EpisodeSource {
  const rng = createRng(seed, 14);
  return {
    inputSize: symbols + 1, // the last symbol is reserved for garbage
    outputSize: symbols,
    length,
    next: (lanes) =>
      batchOf(lanes, length, (_, x, y) => {
        for (let t = 0; t < length; t++) {
          const inBurst = burst !== null && t >= burst.at && t < burst.at + burst.length;
          const symbol = inBurst && burst.garbage !== 'random' ? burst.garbage : randInt(rng, symbols);
          x.push(symbol);
          const tainted = burst !== null && t >= burst.at && t < burst.at + burst.length + delay;
          y.push(t >= delay && !tainted ? (x[t - delay] as number) : -1);
        }
      }),
  };
}
