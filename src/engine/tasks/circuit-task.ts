import { createRng, deriveSeed, randInt, shuffle } from '../random';
import type { TaskBatch, TaskStream } from './task';

export interface CircuitOptions {
  states: number;
  symbols: number;
  outputs: number;
}

/** A random Mealy machine: a transition and an output table over (state, input). */
export interface Circuit {
  readonly states: number;
  readonly symbols: number;
  readonly outputs: number;
  /** next[state * symbols + input] */
  readonly next: Int32Array;
  /** out[state * symbols + input] */
  readonly out: Int32Array;
}

/**
 * Draws a circuit whose output depends on its state: for every input the
 * states map to outputs by a random permutation (when there are as many
 * outputs as states), so no answer can be read off the current input alone;
 * every state can reach every other, so there is no trap state; and the
 * inputs can tell the state (the machine is synchronizing), so the task is
 * learnable at all.
 */
export function randomCircuit(seed: number, opts: CircuitOptions): Circuit {
  const rng = createRng(deriveSeed(seed, 'circuit'), 0);
  const size = opts.states * opts.symbols;
  for (;;) {
    const next = new Int32Array(size);
    const out = new Int32Array(size);
    for (let x = 0; x < opts.symbols; x++) {
      const perm = shuffle(rng, Array.from({ length: Math.max(opts.states, opts.outputs) }, (_, i) => i % opts.outputs));
      for (let st = 0; st < opts.states; st++) {
        next[st * opts.symbols + x] = randInt(rng, opts.states);
        out[st * opts.symbols + x] = perm[st] as number;
      }
    }
    if (dependsOnState(next, out, opts)) return { ...opts, next, out };
  }
}

function dependsOnState(next: Int32Array, out: Int32Array, opts: CircuitOptions): boolean {
  let stateful = 0;
  for (let x = 0; x < opts.symbols; x++) {
    const first = out[x];
    for (let s = 1; s < opts.states; s++) if (out[s * opts.symbols + x] !== first) stateful++;
  }
  return stateful >= opts.symbols && stronglyConnected(next, opts) && synchronizing(next, opts);
}

/**
 * Some input word sends every state to one state (checked pair by pair: each
 * pair of states merges under some word). Without it, e.g. when every input
 * permutes the states, the input history never tells the state and the best
 * possible predictor stays at chance forever (seed 1 of the lab drew such a
 * machine before this check). With random inputs a synchronizing word comes
 * by with probability 1, and from then on the state follows from the inputs.
 */
function synchronizing(next: Int32Array, opts: CircuitOptions): boolean {
  const S = opts.states;
  const key = (a: number, b: number): number => Math.min(a, b) * S + Math.max(a, b);
  for (let p = 0; p < S; p++) {
    for (let q = p + 1; q < S; q++) {
      const seen = new Set([key(p, q)]);
      const stack: [number, number][] = [[p, q]];
      let merged = false;
      while (stack.length > 0 && !merged) {
        const [a, b] = stack.pop() as [number, number];
        for (let x = 0; x < opts.symbols && !merged; x++) {
          const na = next[a * opts.symbols + x] as number;
          const nb = next[b * opts.symbols + x] as number;
          if (na === nb) merged = true;
          else if (!seen.has(key(na, nb))) {
            seen.add(key(na, nb));
            stack.push([na, nb]);
          }
        }
      }
      if (!merged) return false;
    }
  }
  return true;
}

/** Every state reaches every other: no trap state whose constant output a model could learn instead. */
function stronglyConnected(next: Int32Array, opts: CircuitOptions): boolean {
  for (let from = 0; from < opts.states; from++) {
    const seen = new Set([from]);
    const stack = [from];
    while (stack.length > 0) {
      const s = stack.pop() as number;
      for (let x = 0; x < opts.symbols; x++) {
        const t = next[s * opts.symbols + x] as number;
        if (!seen.has(t)) {
          seen.add(t);
          stack.push(t);
        }
      }
    }
    if (seen.size !== opts.states) return false;
  }
  return true;
}

/** Feeds random inputs through the circuit; targets are its outputs, after a short warm-up per lane. */
export function createCircuitStream(lanes: number, seed: number, circuit: Circuit): TaskStream {
  const rng = createRng(seed, 2);
  const state = Int32Array.from({ length: lanes }, () => randInt(rng, circuit.states));
  const seen = new Int32Array(lanes);
  const warmup = circuit.states;
  return {
    inputSize: circuit.symbols,
    outputSize: circuit.outputs,
    next(length: number): TaskBatch {
      const inputs = new Int32Array(length * lanes);
      const targets = new Int32Array(length * lanes);
      for (let t = 0; t < length; t++) {
        for (let b = 0; b < lanes; b++) {
          const x = randInt(rng, circuit.symbols);
          const cell = (state[b] as number) * circuit.symbols + x;
          inputs[t * lanes + b] = x;
          targets[t * lanes + b] = (seen[b] as number) >= warmup ? (circuit.out[cell] as number) : -1;
          state[b] = circuit.next[cell] as number;
          seen[b] = (seen[b] as number) + 1;
        }
      }
      return { lanes, length, inputs, targets };
    },
  };
}
