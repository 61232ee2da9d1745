/**
 * The collections layer (rank 7): the containers users hold, and the public environment.
 */
export { PersistentMap, type MapOptions, type RangeOptions } from './persistent-map.js';
export { PersistentSet, type SetOptions } from './persistent-set.js';
export { MultiMap, type MultiMapOptions } from './multi-map.js';
export { MultiSet } from './multi-set.js';
export type { SetLike } from './set-algebra.js';
export { Environment } from './environment.js';
