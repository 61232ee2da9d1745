/**
 * am/hash (rank 5): the hash access method (extended linear hashing): Berkeley DB 5.3's
 * default hash function and bucket map, bucket chains, splits, duplicates, cursors,
 * verify, truncate and compaction.
 */
export { type BucketMasks, bucketFor, defaultHash, grow, initialMasks } from './addressing.js';
export { HashAccess, hashKind } from './access-method.js';
export type { HashFunction } from './table.js';
export type { HashDetails } from './verify.js';
