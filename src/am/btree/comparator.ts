/**
 * Key comparators. The default is unsigned byte order (no function call per comparison);
 * a user comparator replaces it for every search, split and verify.
 *
 * Layer: am/btree (rank 5).
 *
 * Invariants:
 * 1. A comparator is a total order, stable for the life of the database file; a file
 *    created with a user comparator records that fact in its meta page.
 */

/** Negative, zero or positive, like `Array.prototype.sort`'s compare function. */
export type Comparator = (a: Uint8Array, b: Uint8Array) => number;
