/** Command-line flags of the lab's commands (results, studies): read once each, unknown ones refused. */
/** `--name value` pairs and bare `--name` switches, read once each; unknown ones are refused by `done()`. */
export class CliFlags {
  private readonly values = new Map<string, string | true>();
  private readonly read = new Set<string>();
  /** Arguments after a switch that takes a list (`--merge a.jsonl b.jsonl`). */
  readonly positional: string[] = [];

  /** `command` names the program in messages ("results", "study dna-density"). */
  constructor(
    readonly command: string,
    argv: readonly string[],
    switches: readonly string[] = ['write'],
    listSwitches: readonly string[] = [],
  ) {
    let listing = false;
    for (let i = 0; i < argv.length; i++) {
      const flag = argv[i] ?? '';
      if (!flag.startsWith('--')) {
        if (!listing) this.fail(`expected a --flag, got "${flag}"`);
        this.positional.push(flag);
        continue;
      }
      const name = flag.slice(2);
      listing = listSwitches.includes(name);
      if (listing || switches.includes(name)) this.values.set(name, true);
      else this.values.set(name, argv[++i] ?? this.fail(`${flag} needs a value`));
    }
  }

  fail(message: string): never {
    console.error(`${this.command}: ${message}`);
    process.exit(2);
  }

  private take(name: string): string | true | undefined {
    this.read.add(name);
    return this.values.get(name);
  }

  /** A bare switch such as --write. */
  has(name: string): boolean {
    return this.take(name) === true;
  }

  /** A string value, or the fallback. */
  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    const v = this.take(name);
    if (v === true) this.fail(`--${name} needs a value`);
    return v ?? fallback;
  }

  int(name: string, fallback: number, min = 1): number {
    const v = this.take(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (v === true || !Number.isInteger(n) || n < min) this.fail(`--${name} must be an integer >= ${min}`);
    return n;
  }

  number(name: string, fallback: number): number {
    const v = this.take(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (v === true || !Number.isFinite(n)) this.fail(`--${name} must be a number`);
    return n;
  }

  /** A comma-separated list, each item one of `allowed` (when given). */
  list<T extends string>(name: string, fallback: readonly T[], allowed?: readonly T[]): T[] {
    const v = this.take(name);
    if (v === undefined) return [...fallback];
    if (v === true) this.fail(`--${name} needs a value`);
    return v.split(',').map((item) => (allowed && !(allowed as readonly string[]).includes(item) ? this.fail(`unknown --${name} "${item}" (${allowed.join(', ')})`) : (item as T)));
  }

  /** Seeds 1..N from --seeds N (default 3, the lab's standard). */
  seeds(fallback = 3): number[] {
    return Array.from({ length: this.int('seeds', fallback) }, (_, i) => i + 1);
  }

  /** Call after reading every flag: refuses any the study does not know. */
  done(): void {
    for (const name of this.values.keys()) if (!this.read.has(name)) this.fail(`unknown option "--${name}"`);
  }
}
