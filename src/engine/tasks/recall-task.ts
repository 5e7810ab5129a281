import { createRng, randInt } from '../random';
import type { TaskBatch, TaskStream } from './task';

export interface RecallOptions {
  /** How many symbols back the answer lies. */
  delay: number;
  /** Alphabet size. */
  symbols: number;
}

/** Output the symbol seen `delay` steps ago: needs exactly `delay` steps of memory. */
export function createRecallStream(lanes: number, seed: number, opts: RecallOptions): TaskStream {
  const rng = createRng(seed, 1);
  const history: number[][] = Array.from({ length: lanes }, () => []);
  return {
    inputSize: opts.symbols,
    outputSize: opts.symbols,
    next(length: number): TaskBatch {
      const inputs = new Int32Array(length * lanes);
      const targets = new Int32Array(length * lanes);
      for (let t = 0; t < length; t++) {
        for (let b = 0; b < lanes; b++) {
          const seen = history[b] as number[];
          const x = randInt(rng, opts.symbols);
          seen.push(x);
          inputs[t * lanes + b] = x;
          targets[t * lanes + b] = seen.length > opts.delay ? (seen[seen.length - 1 - opts.delay] as number) : -1;
          if (seen.length > opts.delay + 1) seen.shift();
        }
      }
      return { lanes, length, inputs, targets };
    },
  };
}
