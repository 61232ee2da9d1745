/**
 * The env layer (rank 6): environments and low-level database handles.
 */
export {
  CoreEnvironment, type DatabaseConfig, type EnvironmentStat,
} from './environment.js';
export { Database, type DatabaseStat, type DatabaseType } from './database.js';
export type { EnvironmentOptions, Durability, ResolvedOptions } from './options.js';
export { parseDbConfig, type DbConfigOverrides } from './db-config.js';
