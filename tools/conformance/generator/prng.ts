/**
 * `Prng`: the small seeded pseudo-random generator the script generator draws from
 * (mulberry32), so a seed always gives the same script, on any machine.
 *
 * Layer: conformance tooling (no engine imports).
 *
 * Invariants:
 * 1. The sequence depends on the 32-bit seed only (no `Math.random`, no time).
 * 2. `int(n)` is in [0, n) for every n ≥ 1; `pick` never reads past its array.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** A whole number in [0, n). */
  int(n: number): number {
    if (!(n >= 1)) throw new RangeError(`Prng.int needs n >= 1, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** A whole number in [low, high]. */
  between(low: number, high: number): number {
    return low + this.int(high - low + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Prng.pick from an empty array');
    return items[this.int(items.length)]!;
  }

  /** A new array with the elements of `items` in a random order. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** A 32-bit seed for a derived generator. */
  seed(): number {
    return Math.floor(this.next() * 2 ** 32) >>> 0;
  }
}
