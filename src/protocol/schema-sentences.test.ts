import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorSentences, issueSentence } from './schema-sentences';

const schema = z.object({ a: z.number().int().min(1).max(10), b: z.enum(['x', 'y']), c: z.string(), d: z.array(z.number()).min(2), e: z.number().gt(0) }).strict();
const sentences = (v: unknown) => (schema.safeParse(v).error?.issues ?? []).map((i) => issueSentence(i));
const good = { a: 1, b: 'x', c: '', d: [1, 2], e: 1 };

describe('schema issues as sentences', () => {
  it('names the field and says what it must be', () => {
    expect(sentences({ ...good, a: 1.5 })).toEqual(['a must be a whole number']);
    expect(sentences({ ...good, a: 0 })).toEqual(['a must be at least 1']);
    expect(sentences({ ...good, a: 11 })).toEqual(['a must be at most 10']);
    expect(sentences({ ...good, b: 'q' })).toEqual(['b must be one of x, y']);
    expect(sentences({ ...good, c: 3 })).toEqual(['c must be text']);
    expect(sentences({ ...good, d: [1] })).toEqual(['d must have at least 2 items']);
    expect(sentences({ ...good, e: 0 })).toEqual(['e must be more than 0']);
    expect(sentences({ ...good, a: undefined })).toEqual(['a is missing']);
    expect(sentences({ ...good, extra: 1 })).toEqual(['It has a key the format does not know: extra']);
  });

  it('no sentence carries zod wording', () => {
    const all = sentences({ a: 's', b: 1, c: null, d: 'x', e: 'x', f: 2 }).join(' ');
    expect(all).not.toMatch(/Invalid input|expected .* received|Too small|Too big/);
  });

  it('unknown keys are quoted clipped, never pasted whole', () => {
    const huge = 'k'.repeat(100_000);
    const keys = Object.fromEntries([huge, 'b1', 'b2', 'b3', 'b4', 'b5', 'b6'].map((k) => [k, 1]));
    const text = sentences({ ...good, ...keys }).join(' ');
    expect(text.length).toBeLessThan(200);
    expect(text).toMatch(/and 2 more$/);
  });

  it('a given name replaces the path; many issues are cut to a few', () => {
    const error = schema.safeParse({ a: 0, b: 'q', c: 1, d: [], e: 0 }).error as z.ZodError;
    expect(issueSentence(error.issues[0] as z.core.$ZodIssue, 'nodes=0')).toBe('nodes=0 must be at least 1');
    expect(errorSentences(error, 2)).toBe('a must be at least 1; b must be one of x, y (and 3 more)');
  });
});
