/**
 * A person's own text file as a next-character task: the alphabet is the
 * file's own distinct characters (code points), most frequent first, capped
 * at MAX_TEXT_ALPHABET with the rarest folded into one "other" symbol. The
 * last HELD_OUT_SHARE of the text is held out: training streams read only the
 * first part, the evaluation stream only the last, so held-out loss is on text
 * the model never saw.
 */
import type { TaskStream } from './task';
import { createCodeStream } from './text-task';

/** Most symbols of an own-text alphabet (the model's input and output size); rarer characters share the last one. */
export const MAX_TEXT_ALPHABET = 96;
/** Fewest characters a text may have: the held-out tenth must still give evaluation sequences. */
export const MIN_TEXT_CHARS = 200;
/** The share of the text, from its end, that is held out. */
export const HELD_OUT_SHARE = 0.1;

export interface OwnText {
  /** The symbols, most frequent first; when `other` the last one stands for every rarer character. */
  readonly alphabet: readonly string[];
  /** Whether rarer characters were folded into the last symbol. */
  readonly other: boolean;
  /** Characters (code points) in the text. */
  readonly length: number;
  /** Symbol codes of the trained part and of the held-out end. */
  readonly train: Int32Array;
  readonly heldOut: Int32Array;
}

/** How a symbol reads in a line: visible quotes, whitespace named. */
export function symbolLabel(ch: string): string {
  if (ch === ' ') return 'space';
  if (ch === '\n') return 'newline';
  if (ch === '\t') return 'tab';
  if (ch === '\r') return 'return';
  return JSON.stringify(ch);
}

/** The task of `text` (already decoded, BOM stripped), or why it cannot be one. */
export function parseOwnText(text: string): OwnText | { readonly problem: string } {
  const chars = Array.from(text);
  if (chars.length < MIN_TEXT_CHARS) return { problem: `the text has ${chars.length} characters; at least ${MIN_TEXT_CHARS} are needed to train and hold out the last tenth` };
  const counts = new Map<string, number>();
  for (const ch of chars) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  if (counts.size < 2) return { problem: `the text uses only one distinct character (${symbolLabel(chars[0] ?? '')}); a next-character task needs at least two` };
  // Most frequent first; ties by code point, so the same text always gives the same alphabet.
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([ch]) => ch);
  const other = ranked.length > MAX_TEXT_ALPHABET;
  const kept = other ? ranked.slice(0, MAX_TEXT_ALPHABET - 1) : ranked;
  const index = new Map(kept.map((ch, i) => [ch, i]));
  const otherCode = kept.length;
  const codes = Int32Array.from(chars, (ch) => index.get(ch) ?? otherCode);
  const cut = Math.floor(codes.length * (1 - HELD_OUT_SHARE));
  return {
    alphabet: other ? [...kept, 'other'] : kept,
    other,
    length: codes.length,
    train: codes.slice(0, cut),
    heldOut: codes.slice(cut),
  };
}

/** A stream over the trained part, or (`heldOut`) over the held-out end only. */
export function createOwnTextStream(data: OwnText, lanes: number, seed: number, part: 'train' | 'heldOut'): TaskStream {
  return createCodeStream(lanes, seed, part === 'train' ? data.train : data.heldOut, data.alphabet.length);
}
