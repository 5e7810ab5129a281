import { afterEach, describe, expect, it, vi } from 'vitest';
import { CliFlags } from './cli-flags';

describe('command-line flags', () => {
  afterEach(() => vi.restoreAllMocks());
  const exits = (): void => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(process, 'exit').mockImplementation((code) => { throw new Error(`exit ${String(code)}`); });
  };

  it('reads values, lists, switches and seeds', () => {
    const f = new CliFlags('x', ['--seeds', '2', '--density', '100,50', '--write', '--lr', '0.5']);
    expect(f.seeds()).toEqual([1, 2]);
    expect(f.list('density', ['5'])).toEqual(['100', '50']);
    expect(f.has('write')).toBe(true);
    expect(f.number('lr', 1)).toBe(0.5);
    expect(f.int('steps', 7)).toBe(7);
    expect(() => f.done()).not.toThrow();
  });

  it('collects the files after a list switch, and refuses a stray argument elsewhere', () => {
    const f = new CliFlags('results', ['--merge', 'a.jsonl', 'b.jsonl', '--out', 'x.md'], [], ['merge']);
    expect(f.has('merge')).toBe(true);
    expect(f.positional).toEqual(['a.jsonl', 'b.jsonl']);
    expect(f.string('out', 'docs/RESULTS.md')).toBe('x.md');
    expect(f.string('runs')).toBeUndefined();
    exits();
    expect(() => new CliFlags('results', ['stray'])).toThrow('exit 2');
  });

  it('refuses unknown flags, bad integers and items outside the allowed list', () => {
    exits();
    expect(() => new CliFlags('x', ['--nope', '1']).done()).toThrow('exit 2');
    expect(() => new CliFlags('x', ['--seeds', '0']).seeds()).toThrow('exit 2');
    expect(() => new CliFlags('x', ['--kinds', 'a,c']).list('kinds', ['a'], ['a', 'b'])).toThrow('exit 2');
    expect(() => new CliFlags('x', ['--steps'])).toThrow('exit 2');
  });
});
