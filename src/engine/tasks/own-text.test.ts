import { describe, expect, it } from 'vitest';
import { installOwnData, ownDataSnapshot, restoreOwnData } from '../datasets/own-data';
import { evaluationBatch } from '../training/held-out';
import { createOwnTextStream, HELD_OUT_SHARE, MAX_TEXT_ALPHABET, MIN_TEXT_CHARS, parseOwnText, type OwnText } from './own-text';
import { createTaskStream, taskInfo, taskSizes } from './task-registry';

const ok = (text: string): OwnText => {
  const r = parseOwnText(text);
  if ('problem' in r) throw new Error(r.problem);
  return r;
};
const problem = (text: string): string => {
  const r = parseOwnText(text);
  return 'problem' in r ? r.problem : 'accepted';
};

describe('own text task', () => {
  it('refuses a text too short to train and hold out, and one of a single character', () => {
    expect(problem('ab'.repeat(MIN_TEXT_CHARS / 2 - 1))).toMatch(`${MIN_TEXT_CHARS - 2} characters; at least ${MIN_TEXT_CHARS}`);
    expect(problem('z'.repeat(1000))).toMatch('only one distinct character ("z")');
    expect(problem(' '.repeat(1000))).toMatch('(space)');
  });

  it('takes the alphabet from the text, most frequent first, ties by code point', () => {
    const t = ok('aab'.repeat(100) + 'c'.repeat(100) + 'é');
    expect(t.alphabet).toEqual(['a', 'b', 'c', 'é']);
    expect(t.other).toBe(false);
    expect(t.length).toBe(401);
  });

  it('counts code points, not UTF-16 units (an emoji is one symbol)', () => {
    const t = ok('😀a'.repeat(150));
    expect(t.alphabet).toEqual(['a', '😀']);
    expect(t.length).toBe(300);
  });

  it('caps the alphabet, folding the rarest characters into one "other" symbol', () => {
    // 200 distinct characters, character k appearing k + 1 times.
    const chars = Array.from({ length: 200 }, (_, k) => String.fromCodePoint(0x100 + k).repeat(k + 1)).join('');
    const t = ok(chars);
    expect(t.alphabet).toHaveLength(MAX_TEXT_ALPHABET);
    expect(t.other).toBe(true);
    expect(t.alphabet.at(-1)).toBe('other');
    expect(t.alphabet[0]).toBe(String.fromCodePoint(0x100 + 199));
    const codes = [...t.train, ...t.heldOut];
    expect(Math.max(...codes)).toBe(MAX_TEXT_ALPHABET - 1);
    // The rarest character (k = 0) maps to "other".
    expect(codes[0]).toBe(MAX_TEXT_ALPHABET - 1);
  });

  it('holds out the last tenth: the two parts are the text, in order, without overlap', () => {
    const text = Array.from({ length: 1000 }, (_, i) => 'abcdefghij'[(i * 7) % 10]).join('');
    const t = ok(text);
    expect(t.train.length).toBe(Math.floor(1000 * (1 - HELD_OUT_SHARE)));
    expect(t.train.length + t.heldOut.length).toBe(1000);
    const decode = (codes: Int32Array) => Array.from(codes, (c) => t.alphabet[c]).join('');
    expect(decode(t.train) + decode(t.heldOut)).toBe(text);
  });

  it('streams read only their own part: the held-out stream never shows a trained position', () => {
    // Train part only 'a'/'b', held-out part only 'c'/'d': any crossing shows.
    const text = 'ab'.repeat(450) + 'cd'.repeat(50);
    const t = ok(text);
    const trainSymbols = new Set(createOwnTextStream(t, 8, 1, 'train').next(2000).inputs);
    const heldSymbols = new Set(createOwnTextStream(t, 8, 1, 'heldOut').next(2000).inputs);
    const code = (ch: string) => t.alphabet.indexOf(ch);
    expect([...trainSymbols].sort()).toEqual([code('a'), code('b')].sort());
    expect([...heldSymbols].sort()).toEqual([code('c'), code('d')].sort());
  });

  it('the registry serves the installed text: sizes, chance, and the evaluation batch from the held-out end', () => {
    const before = ownDataSnapshot();
    try {
      expect(() => taskSizes('own-text')).toThrow('no text file is loaded');
      installOwnData({ kind: 'text', name: 'notes.txt', text: 'xy'.repeat(450) + 'zw'.repeat(50) });
      expect(taskSizes('own-text')).toEqual({ inputSize: 4, outputSize: 4 });
      expect(taskInfo('own-text').chance).toBe(1 / 4);
      expect(taskInfo('own-text').description).toMatch('"notes.txt"');
      const t = ok('xy'.repeat(450) + 'zw'.repeat(50));
      const held = new Set([t.alphabet.indexOf('z'), t.alphabet.indexOf('w')]);
      expect(new Set(evaluationBatch('own-text', 3).inputs)).toEqual(held);
      expect(new Set(createTaskStream('own-text', 4, 3, 9).next(500).inputs).has(t.alphabet.indexOf('z'))).toBe(false);
    } finally {
      restoreOwnData(before);
    }
  });
});
