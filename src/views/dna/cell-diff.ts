/**
 * What changed in the DNA layer between two frames, and the short-lived
 * flashes that show it: born cells flash green, dead ones red, each fading
 * out over about a second from where the cell was drawn.
 */

export interface CellDiff {
  /** Positions in `next` of cells that were not in `prev`. */
  readonly born: number[];
  /** Positions in `prev` of cells that are not in `next`. */
  readonly dead: number[];
}

const NO_CHANGE: CellDiff = { born: [], dead: [] };

/** True when both frames hold the same cells in the same order (the common case: cells change only at extinction events). */
export function sameCells(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Born and dead cells between two frames' cell id lists. */
export function diffCells(prev: Int32Array, next: Int32Array): CellDiff {
  if (sameCells(prev, next)) return NO_CHANGE;
  const before = new Set<number>(prev);
  const after = new Set<number>(next);
  const born: number[] = [];
  const dead: number[] = [];
  for (let k = 0; k < next.length; k++) if (!before.has(next[k] as number)) born.push(k);
  for (let k = 0; k < prev.length; k++) if (!after.has(prev[k] as number)) dead.push(k);
  return { born, dead };
}

export type FlashKind = 'birth' | 'death';

export interface Flash {
  readonly kind: FlashKind;
  /** Input and output index the cell joins (a dead cell's last known endpoints). */
  readonly input: number;
  readonly output: number;
  /** Sideways bend of its line (parallel cells), CSS pixels. */
  readonly bend: number;
  /** performance.now() when it happened. */
  readonly at: number;
}

/** How long a birth or death stays visible, ms. */
export const FLASH_MS = 1000;
/** Most flashes kept at once; an extinction of 10% of 7,840 cells makes ~1,600. */
export const MAX_FLASHES = 4000;

/** Opacity of a flash `age` ms old: 1 at once, 0 after FLASH_MS, easing out. */
export function flashAlpha(age: number, ms = FLASH_MS): number {
  if (age <= 0) return 1;
  if (age >= ms) return 0;
  const t = 1 - age / ms;
  return t * t;
}

/** Recent births and deaths, oldest first. */
export class FlashList {
  private items: Flash[] = [];

  get size(): number {
    return this.items.length;
  }

  get all(): readonly Flash[] {
    return this.items;
  }

  push(kind: FlashKind, input: number, output: number, at: number, bend = 0): void {
    this.items.push({ kind, input, output, bend, at });
    // Past the cap the oldest go first: they are the faintest.
    if (this.items.length > MAX_FLASHES) this.items.splice(0, this.items.length - MAX_FLASHES);
  }

  /** Drops flashes that have faded by `now`; true while any remain. */
  prune(now: number, ms = FLASH_MS): boolean {
    let drop = 0;
    while (drop < this.items.length && now - (this.items[drop] as Flash).at >= ms) drop++;
    if (drop > 0) this.items.splice(0, drop);
    return this.items.length > 0;
  }

  clear(): void {
    this.items = [];
  }
}
