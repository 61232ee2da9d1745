/**
 * The benchmarks' seeded random numbers: xorshift32, the same sequence on every run, so
 * every system of a side-by-side row draws the same keys.
 */

/** A generator of numbers in [0, 1) seeded by `seed`. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}
