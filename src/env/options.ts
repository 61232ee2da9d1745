/**
 * Environment options: the public shape, defaults, validation and `DB_CONFIG` overrides.
 *
 * Layer: env (rank 6).
 *
 * Invariants:
 * 1. A resolved option set is fully validated: every later layer may trust it.
 * 2. Precedence: defaults < options passed to `open` < the home's `DB_CONFIG` file.
 * 3. The caller's options object is read once (`readEnvironmentOptions`); an unknown name, a
 *    getter or proxy that throws, or a value of the wrong type is `InvalidArgumentError`
 *    naming the option, thrown before anything is created.
 */
import { InvalidArgumentError, describeValue, optionNames, readOptions } from '../util/index.js';
import { type FileSystem } from '../os/index.js';
import { CACHE_SIZE_MIN_BYTES } from '../mpool/index.js';
import { PAGE_SIZE_MAX, PAGE_SIZE_MIN, isValidPageSize } from '../page/index.js';
import type { DbConfigOverrides } from './db-config.js';

/** How much a commit waits for. */
export type Durability = 'sync' | 'write' | 'none';

/** What `Environment.open` accepts. */
export interface EnvironmentOptions {
  /** Create the home and its files when missing. Default true. */
  create?: boolean;
  /** Logging, locking, transactions and recovery. Default true. */
  transactional?: boolean;
  /** 'sync' (fsync at commit, default), 'write' (to OS buffers) or 'none'. */
  durability?: Durability;
  /**
   * Page cache budget in bytes. Default 64 MiB. A cached page costs its page size and an
   * eighth more (the search index kept beside it).
   */
  cacheSize?: number;
  /** Page size of new databases: a power of two in 512..65536. Default 4096. */
  pageSize?: number;
  /** 'auto' (default) runs recovery after an unclean shutdown; 'catastrophic' replays all logs. */
  recover?: 'auto' | 'catastrophic';
  /** Largest size of one log file in bytes. Default 10 MiB. */
  logFileSize?: number;
  /** Write a checkpoint after this many bytes of log. Default 32 MiB; 0 disables it. */
  checkpointBytes?: number;
  /**
   * Log a page's whole content before its first change after each checkpoint, so that normal
   * recovery repairs a page write a power cut tore. Default true; turn it off only on storage
   * that writes pages atomically (it saves log volume on scattered updates).
   */
  fullPageWrites?: boolean;
  /**
   * Remove the log files recovery no longer needs after every checkpoint. Default true; turn
   * it off to keep every log for catastrophic recovery from a backup (then `archive()` lists
   * the files a backup may move away).
   */
  logAutoRemove?: boolean;
  /** The file system to use; tests pass an in-memory or fault-injecting one. */
  fileSystem?: FileSystem;
}

/** Options after defaults, overrides and validation. */
export interface ResolvedOptions {
  create: boolean;
  transactional: boolean;
  durability: Durability;
  cacheSize: number;
  pageSize: number;
  recover: 'auto' | 'catastrophic';
  logFileSize: number;
  checkpointBytes: number;
  fullPageWrites: boolean;
  logAutoRemove: boolean;
}

const DEFAULTS: ResolvedOptions = {
  create: true,
  transactional: true,
  durability: 'sync',
  cacheSize: 64 * 2 ** 20,
  pageSize: 4096,
  recover: 'auto',
  logFileSize: 10 * 2 ** 20,
  checkpointBytes: 32 * 2 ** 20,
  fullPageWrites: true,
  logAutoRemove: true,
};

/** Every name `Environment.open` accepts: the one list its unknown-option check uses. */
const ENVIRONMENT_OPTION_NAMES = optionNames<EnvironmentOptions>()([
  'create', 'transactional', 'durability', 'cacheSize', 'pageSize', 'recover', 'logFileSize',
  'checkpointBytes', 'fullPageWrites', 'logAutoRemove', 'fileSystem',
]);

/** What a `FileSystem` must have for the environment to use it. */
const FILE_SYSTEM_METHODS = [
  'open', 'exists', 'remove', 'rename', 'list', 'mkdir', 'readFile', 'writeFileAtomic',
  'syncDir',
] as const satisfies readonly (keyof FileSystem)[];

function bad(name: string, expected: string, value: unknown): never {
  throw new InvalidArgumentError(`option ${name} must be ${expected}, got ${describeValue(value)}`);
}

/**
 * A plain, checked copy of the options given to `Environment.open`: unknown names, unreadable
 * options and a `fileSystem` that is not one are `InvalidArgumentError`. Values are checked
 * by `resolveOptions`.
 */
export function readEnvironmentOptions(options: unknown): EnvironmentOptions {
  const given = readOptions(options, ENVIRONMENT_OPTION_NAMES, 'environment options');
  const fileSystem = given.fileSystem;
  if (fileSystem !== undefined && !isFileSystem(fileSystem)) {
    bad('fileSystem', `an object with ${FILE_SYSTEM_METHODS.join(', ')}`, fileSystem);
  }
  return given as EnvironmentOptions;
}

function isFileSystem(candidate: unknown): candidate is FileSystem {
  if (typeof candidate !== 'object' || candidate === null) return false;
  try {
    const methods = candidate as Record<string, unknown>;
    return FILE_SYSTEM_METHODS.every((name) => typeof methods[name] === 'function');
  } catch {
    return false;
  }
}

/**
 * Validates `options` (a snapshot from `readEnvironmentOptions`, or a plain object built by
 * the engine) and applies `overrides` (from DB_CONFIG).
 */
export function resolveOptions(
  options: EnvironmentOptions | undefined, overrides: DbConfigOverrides = {},
): ResolvedOptions {
  const given = readEnvironmentOptions(options);
  const merged = { ...DEFAULTS, ...stripUndefined(given), ...stripUndefined(overrides) };
  for (const k of ['create', 'transactional', 'logAutoRemove'] as const) {
    if (typeof merged[k] !== 'boolean') bad(k, 'a boolean', merged[k]);
  }
  if (!['sync', 'write', 'none'].includes(merged.durability as string)) {
    bad('durability', "'sync', 'write' or 'none'", merged.durability);
  }
  if (!['auto', 'catastrophic'].includes(merged.recover as string)) {
    bad('recover', "'auto' or 'catastrophic'", merged.recover);
  }
  if (!Number.isSafeInteger(merged.cacheSize) || merged.cacheSize < CACHE_SIZE_MIN_BYTES) {
    bad('cacheSize', `an integer >= ${CACHE_SIZE_MIN_BYTES} (bytes)`, merged.cacheSize);
  }
  if (!isValidPageSize(merged.pageSize)) {
    bad('pageSize', `a power of two from ${PAGE_SIZE_MIN} to ${PAGE_SIZE_MAX}`, merged.pageSize);
  }
  if (!Number.isSafeInteger(merged.logFileSize) || merged.logFileSize < 64 * 1024) {
    bad('logFileSize', 'an integer >= 65536 (bytes)', merged.logFileSize);
  }
  if (!Number.isSafeInteger(merged.checkpointBytes) || merged.checkpointBytes < 0) {
    bad('checkpointBytes', 'a non-negative integer', merged.checkpointBytes);
  }
  if (typeof merged.fullPageWrites !== 'boolean') {
    bad('fullPageWrites', 'a boolean', merged.fullPageWrites);
  }
  return merged as ResolvedOptions;
}

function stripUndefined(o: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && k !== 'fileSystem') out[k] = v;
  return out;
}
