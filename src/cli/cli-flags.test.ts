import { afterEach, describe, expect, it, vi } from 'vitest';
import { StudyFlags } from './study-command';

describe('study flags', () => {
  afterEach(() => vi.restoreAllMocks());
  const exits = (): void => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(process, 'exit').mockImplementation((code) => { throw new Error(`exit ${String(code)}`); });
  };

  it('reads values, lists, switches and seeds', () => {
    const f = new StudyFlags('x', ['--seeds', '2', '--density', '100,50', '--write', '--lr', '0.5']);
    expect(f.seeds()).toEqual([1, 2]);
    expect(f.list('density', ['5'])).toEqual(['100', '50']);
    expect(f.has('write')).toBe(true);
    expect(f.number('lr', 1)).toBe(0.5);
    expect(f.int('steps', 7)).toBe(7);
    expect(() => f.done()).not.toThrow();
  });

  it('refuses unknown flags, bad integers and items outside the allowed list', () => {
    exits();
    expect(() => new StudyFlags('x', ['--nope', '1']).done()).toThrow('exit 2');
    expect(() => new StudyFlags('x', ['--seeds', '0']).seeds()).toThrow('exit 2');
    expect(() => new StudyFlags('x', ['--kinds', 'a,c']).list('kinds', ['a'], ['a', 'b'])).toThrow('exit 2');
    expect(() => new StudyFlags('x', ['--steps'])).toThrow('exit 2');
  });
});
