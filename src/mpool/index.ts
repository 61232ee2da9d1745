/**
 * The mpool layer (rank 3): the page cache shared by every database file of an environment.
 */
export { MPool, CACHE_SIZE_MIN_BYTES, type MPoolOptions } from './pool.js';
export { MPoolFile } from './pool-file.js';
export { Frame } from './frame.js';
export type { MPoolStats } from './stats.js';
