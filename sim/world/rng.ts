// Seeded randomness with named sub-streams: adding draws to one stream (say, the workload) does
// not shift the others (faults, scheduling), so seeds stay comparable as the code evolves.
import seedrandom from "seedrandom";
import type { Rng } from "../../src/protocol/ports.js";

export type Seed = number | string;

export class SimRng implements Rng {
  // `state: true` only adds a way to read the generator's position; the numbers drawn are the same.
  private readonly prng: seedrandom.StatefulPRNG<seedrandom.State.Arc4>;
  /** Every stream forked from the same root, in creation order, so exploration can key them all. */
  private readonly family: SimRng[];

  constructor(readonly seed: Seed, readonly stream = "root", family?: SimRng[]) {
    this.prng = seedrandom(`${seed}::${stream}`, { state: true });
    this.family = family ?? [];
    this.family.push(this);
  }
  fork(name: string): SimRng {
    return new SimRng(this.seed, `${this.stream}/${name}`, this.family);
  }
  /**
   * The position of this stream and of every stream forked from the same root: what the world
   * will draw next, wherever it draws from (a stream nobody keyed by hand included).
   */
  positions(): string[] {
    // S is a permutation of 0..255: one character per entry is the cheapest faithful spelling.
    return this.family.map((r) => { const s = r.prng.state(); return `${r.stream}:${s.i},${s.j},${String.fromCharCode(...s.S)}`; });
  }
  next(): number {
    return this.prng();
  }
  int(bound: number): number {
    return Math.floor(this.prng() * bound);
  }
  chance(p: number): boolean {
    return p > 0 && this.prng() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from empty list");
    return items[this.int(items.length)]!;
  }
  id(prefix: string): string {
    return prefix + this.int(2 ** 32).toString(36).padStart(7, "0");
  }
}

/** A seed is a uint32 or a short word; anything else is a usage error. */
export function parseSeed(text: string): Seed {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (Number.isSafeInteger(n) && n < 2 ** 32) return n;
    throw new Error(`seed ${text} is out of range (0 .. 4294967295)`);
  }
  if (/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(text)) return text;
  throw new Error(`bad seed "${text}": use an integer 0 .. 4294967295 or a word of letters, digits, _ and -`);
}

/** Seeds in reading order: two numbers by value, anything else by its text. */
export function compareSeeds(a: Seed, b: Seed): number {
  return typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b));
}
