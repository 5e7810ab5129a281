import { createRng, randInt } from '../random';
import type { TaskBatch, TaskStream } from './task';

/**
 * The opening of Lewis Carroll's "Alice's Adventures in Wonderland" (1865,
 * public domain), lower-cased. Short on purpose: the task is a quick test of
 * memory and routing, not language modelling.
 */
export const ALICE_OPENING =
  'alice was beginning to get very tired of sitting by her sister on the bank, and of having ' +
  'nothing to do: once or twice she had peeped into the book her sister was reading, but it had ' +
  'no pictures or conversations in it, and what is the use of a book, thought alice, without ' +
  'pictures or conversations? so she was considering in her own mind (as well as she could, for ' +
  'the hot day made her feel very sleepy and stupid), whether the pleasure of making a ' +
  'daisy-chain would be worth the trouble of getting up and picking the daisies, when suddenly ' +
  'a white rabbit with pink eyes ran close by her. there was nothing so very remarkable in that; ' +
  'nor did alice think it so very much out of the way to hear the rabbit say to itself, oh dear! ' +
  'oh dear! i shall be late! but when the rabbit actually took a watch out of its ' +
  'waistcoat-pocket, and looked at it, and then hurried on, alice started to her feet, for it ' +
  'flashed across her mind that she had never before seen a rabbit with either a ' +
  'waistcoat-pocket, or a watch to take out of it, and burning with curiosity, she ran across ' +
  'the field after it, and fortunately was just in time to see it pop down a large rabbit-hole ' +
  'under the hedge. ';

/** Characters the text task knows; anything else maps to the last one (space). */
export const TEXT_ALPHABET = 'abcdefghijklmnopqrstuvwxyz.,!?:;()-\' ';

export function encodeText(text: string): Int32Array {
  const space = TEXT_ALPHABET.length - 1;
  return Int32Array.from(text, (ch) => {
    const i = TEXT_ALPHABET.indexOf(ch);
    return i < 0 ? space : i;
  });
}

/** Next-character prediction over a fixed text; each lane reads from its own random offset. */
export function createTextStream(lanes: number, seed: number, text = ALICE_OPENING): TaskStream {
  return createCodeStream(lanes, seed, encodeText(text));
}

/** Next-symbol prediction over encoded text of an alphabet of `size` symbols; each lane reads on from its own random offset, wrapping. */
export function createCodeStream(lanes: number, seed: number, codes: Int32Array, size: number = TEXT_ALPHABET.length): TaskStream {
  const rng = createRng(seed, 3);
  const cursor = Int32Array.from({ length: lanes }, () => randInt(rng, codes.length));
  return {
    inputSize: size,
    outputSize: size,
    next(length: number): TaskBatch {
      const inputs = new Int32Array(length * lanes);
      const targets = new Int32Array(length * lanes);
      for (let t = 0; t < length; t++) {
        for (let b = 0; b < lanes; b++) {
          const at = cursor[b] as number;
          inputs[t * lanes + b] = codes[at] as number;
          targets[t * lanes + b] = codes[(at + 1) % codes.length] as number;
          cursor[b] = (at + 1) % codes.length;
        }
      }
      return { lanes, length, inputs, targets };
    },
  };
}
