/**
 * am/hash (rank 5): the hash access method (extended linear hashing). So far its
 * addressing: the default hash function and the bucket map; not yet registered with the
 * environment.
 */
export { type BucketMasks, bucketFor, defaultHash, grow, initialMasks } from './addressing.js';
