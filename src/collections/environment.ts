/**
 * `Environment`: the public environment, an engine environment plus the container factories
 * (`openMap`, `openSet`, `openMultiMap`, `openMultiSet`). Lives here because containers sit
 * above the engine.
 *
 * Layer: collections (rank 7).
 *
 * Invariants:
 * 1. Each factory checks its options before the database is opened: a bad one is
 *    `InvalidArgumentError` and creates nothing.
 * 2. A database created by one factory has the shape its container needs (duplicates or
 *    none; a btree, or a hash with `type: 'hash'`); opening it with another container's
 *    factory, or with another type, is `InvalidArgumentError`.
 */
import { CoreEnvironment } from '../env/index.js';
import { type MapOptions, PersistentMap, checkMapOptions } from './persistent-map.js';
import { PersistentSet, type SetOptions, checkSetOptions } from './persistent-set.js';
import { MultiMap, type MultiMapOptions, checkMultiMapOptions } from './multi-map.js';
import { MultiSet } from './multi-set.js';

export class Environment extends CoreEnvironment {
  /**
   * Opens (creating when allowed) the map stored in database `name`: a btree, or a hash
   * with `options.type` 'hash' (given at every open, as the type is fixed at creation).
   */
  openMap<K, V>(name: string, options?: MapOptions<K, V>): PersistentMap<K, V> {
    const checked = checkMapOptions<K, V>(options);
    const db = this.openDatabase(name, { type: checked.type ?? 'btree' });
    return new PersistentMap<K, V>(db, checked);
  }

  /** Opens (creating when allowed) the set stored in database `name` (a btree or a hash). */
  openSet<T>(name: string, options?: SetOptions<T>): PersistentSet<T> {
    const checked = checkSetOptions<T>(options);
    const db = this.openDatabase(name, { type: checked.type ?? 'btree' });
    return new PersistentSet<T>(db, checked);
  }

  /**
   * Opens (creating when allowed) the multimap stored in database `name` (a btree or a
   * hash), with sorted duplicates unless `options.duplicates` is 'unsorted'.
   */
  openMultiMap<K, V>(name: string, options?: MultiMapOptions<K, V>): MultiMap<K, V> {
    const checked = checkMultiMapOptions<K, V>(options);
    const db = this.openDatabase(name, {
      type: checked.type ?? 'btree', duplicates: checked.duplicates ?? 'sorted',
    });
    return new MultiMap<K, V>(db, checked);
  }

  /** Opens (creating when allowed) the multiset stored in database `name` (btree or hash). */
  openMultiSet<T>(name: string, options?: SetOptions<T>): MultiSet<T> {
    const checked = checkSetOptions<T>(options, 'multiset');
    const db = this.openDatabase(name, { type: checked.type ?? 'btree', duplicates: 'unsorted' });
    return new MultiSet<T>(db, checked);
  }
}
