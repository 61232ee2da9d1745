/**
 * The order a cursor walks buckets in while the table may grow under it.
 *
 * Layer: am/hash (rank 5).
 *
 * A cursor remembers the table's highest bucket when its walk began (`originMax`). A
 * bucket made since then took its pairs from its parent (its number without the top bit:
 * linear hashing splits bucket n - 2^floor(log2 n) to make bucket n), so every bucket
 * belongs to the *group* of the first ancestor at or below `originMax`. The walk goes
 * group by group (0 .. originMax), and in each group its first bucket, then the buckets
 * made from it in ascending order. With no split during the walk that is plain bucket
 * order, the real library's; with splits, every pair stays inside its group, so a group
 * walked whole sees each of its pairs (hash cursor.ts keeps the keys a group has shown).
 *
 * Invariants:
 * 1. `groupOf(b) === b` for b <= originMax, and `groupOf` of a child is its parent's group.
 * 2. `groupBuckets(g)` starts with g, is ascending, and holds exactly the buckets <= max of
 *    group g.
 */

/** The bucket bucket `b` was split from (b >= 2). */
export function parentOf(b: number): number {
  return b - 2 ** (31 - Math.clz32(b));
}

/** The group of bucket `b` (invariant 1). */
export function groupOf(b: number, originMax: number): number {
  let x = b;
  while (x > originMax) x = parentOf(x);
  return x;
}

/** The buckets of group `g` in walk order (invariant 2). */
export function groupBuckets(g: number, originMax: number, max: number): number[] {
  const out = [g];
  const pending = [g];
  while (pending.length > 0) {
    const x = pending.pop()!;
    // Children of x are x + 2^k for every 2^k > x (and 2^k >= 2: buckets 0 and 1 make 2, 3).
    for (let step = x < 2 ? 2 : 2 ** (32 - Math.clz32(x)); x + step <= max; step *= 2) {
      const child = x + step;
      if (child > originMax) {
        out.push(child);
        pending.push(child);
      }
    }
  }
  return out.sort((a, b) => a - b);
}

/** The bucket after `b` in walk order, or undefined after the last. */
export function nextBucket(b: number, originMax: number, max: number): number | undefined {
  const g = groupOf(b, originMax);
  if (max > originMax) {
    const buckets = groupBuckets(g, originMax, max);
    const at = buckets.indexOf(b);
    if (at + 1 < buckets.length) return buckets[at + 1];
  }
  return g + 1 <= originMax ? g + 1 : undefined;
}

/** The bucket before `b` in walk order, or undefined before the first. */
export function prevBucket(b: number, originMax: number, max: number): number | undefined {
  const g = groupOf(b, originMax);
  if (max > originMax && b !== g) {
    const buckets = groupBuckets(g, originMax, max);
    return buckets[buckets.indexOf(b) - 1];
  }
  if (g === 0) return undefined;
  const before = groupBuckets(g - 1, originMax, max);
  return before[before.length - 1];
}
