/**
 * The collections layer (rank 7): the containers users hold, and the public environment.
 */
export { PersistentMap, type MapOptions, type RangeOptions } from './persistent-map.js';
export { Environment } from './environment.js';
