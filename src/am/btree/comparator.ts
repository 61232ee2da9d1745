/**
 * Key comparators. The default is unsigned byte order (no function call per comparison);
 * a user comparator replaces it for every search, split and verify.
 *
 * Layer: am/btree (rank 5).
 *
 * Invariants:
 * 1. A comparator is a total order, stable for the life of the database file; a file
 *    created with a user comparator records that fact in its meta page.
 * 2. The tree calls a user comparator only through `checkedComparator`: what the user's
 *    function throws, or a result that is not a number (or is NaN), becomes an
 *    `InvalidArgumentError` naming the database, with the original error as `cause`.
 * 3. Comparisons run only while the tree searches, before the operation changes a page, so
 *    such an error leaves the tree as it was (the searches that call it unpin what they
 *    pinned); the environment stays usable and the transaction can abort or go on.
 */
import { InvalidArgumentError, describeError, describeValue } from '../../util/index.js';

/** Negative, zero or positive, like `Array.prototype.sort`'s compare function. */
export type Comparator = (a: Uint8Array, b: Uint8Array) => number;

/**
 * Wraps the user comparator of database `name` so that its failures are typed errors
 * (invariant 2) rather than bugs of the engine.
 */
export function checkedComparator(user: Comparator, name: string): Comparator {
  return (a, b) => {
    let order: unknown;
    try {
      order = user(a, b);
    } catch (error) {
      throw new InvalidArgumentError(
        `the comparator of database ${name} threw ${describeError(error)}; nothing was changed`,
        { cause: error },
      );
    }
    if (typeof order !== 'number' || Number.isNaN(order)) {
      throw new InvalidArgumentError(
        `the comparator of database ${name} returned ${describeValue(order)}; it must return ` +
          'a negative number, zero or a positive number',
      );
    }
    return order;
  };
}
