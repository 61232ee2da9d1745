/**
 * `Environment`: the public environment, an engine environment plus the container factories
 * (`openMap`). Lives here because containers sit above the engine.
 *
 * Layer: collections (rank 7).
 */
import { CoreEnvironment } from '../env/index.js';
import { type MapOptions, PersistentMap, checkMapOptions } from './persistent-map.js';

export class Environment extends CoreEnvironment {
  /**
   * Opens (creating when allowed) the map stored in database `name`. The options are checked
   * before the database is opened: a bad one is `InvalidArgumentError` and creates nothing.
   */
  openMap<K, V>(name: string, options?: MapOptions<K, V>): PersistentMap<K, V> {
    const checked = checkMapOptions<K, V>(options);
    const db = this.openDatabase(name, { type: checked.type ?? 'btree' });
    return new PersistentMap<K, V>(db, checked);
  }
}
