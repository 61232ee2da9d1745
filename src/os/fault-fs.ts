/**
 * `FaultFs`: a `FileSystem` wrapper that counts operations and fails chosen ones, for tests
 * of I/O-error handling and (with a `MemFs` inside) of crash recovery at every sync point.
 *
 * Layer: os (rank 1). Imports util only.
 *
 * Operation kinds. 'write' is `FileHandle.write`. 'sync' is `FileHandle.sync` and
 * `FileSystem.syncDir`: every point where durable state can change. Every call through this
 * wrapper counts as an operation ('any'), except `FileHandle.close` and `FileSystem.exists`,
 * which never fail here. Whole-file helpers (`readFile`, `writeFileAtomic`,
 * `createExclusive`) run through this wrapper's own primitives, so each of their steps counts
 * and can fail.
 *
 * Invariants:
 * 1. Counters count attempts: an operation failed on purpose still counts.
 * 2. A rule `failAt({ op, nth })` fires on the nth operation of kind `op` counted from the
 *    `failAt` call (1-based); with `sticky` it also fires on every later one.
 * 3. An operation failed on purpose reaches the inner file system not at all, except a write
 *    with `prefixBytes`, which first writes that many leading bytes (a short write before
 *    ENOSPC, say). A failed sync therefore syncs nothing.
 * 4. `onSync(syncCount)` runs after each sync that succeeded, before it returns. A hook that
 *    throws makes that sync throw, which lets a test halt a workload at a crash point.
 * 5. `createExclusive` here is atomic only within one process (check, then write): FaultFs
 *    serves tests, which share one process.
 */

import { assertNever, InvalidArgumentError, IoError } from '../util/index.js';
import {
  readFileVia,
  writeFileAtomicVia,
  type FileHandle,
  type FileSystem,
  type OpenMode,
} from './fs.js';

/** Which operations a fault rule counts. */
export type FaultOp = 'write' | 'sync' | 'any';

/** The errno an injected fault carries. */
export type FaultErrno = 'EIO' | 'ENOSPC';

/** One injected fault. */
export interface FaultSpec {
  /** The kind of operation counted. */
  op: FaultOp;
  /** Fail the nth operation of that kind from now on (1 = the very next one). */
  nth: number;
  /** The errno of the thrown `IoError`. */
  errno: FaultErrno;
  /** Also fail every later operation of that kind. Default false. */
  sticky?: boolean;
  /** For a failed write: how many leading bytes still reach the inner file. Default 0. */
  prefixBytes?: number;
}

/** An armed rule: the spec and the count of its kind at which it first fires. */
interface FaultRule {
  spec: FaultSpec;
  fireAt: number;
}

/** The kind of one operation, for counting. */
type OpKind = 'write' | 'sync' | 'other';

/** What a handle needs from its FaultFs: counting, rule matching, the sync hook. */
interface FaultProbe {
  /** Counts an operation of `kind`; returns the rule that fires on it, if any. */
  fault(kind: OpKind): FaultRule | undefined;
  /** Counts an operation of `kind`; throws the injected error if a rule fires. */
  beforeOp(kind: OpKind, operation: string, path: string): void;
  /** Runs the crash-point hook after a successful sync. */
  afterSync(): void;
}

/** A handle whose operations are counted and may fail. */
class FaultHandle implements FileHandle {
  constructor(
    private readonly probe: FaultProbe,
    private readonly inner: FileHandle,
  ) {}

  get path(): string {
    return this.inner.path;
  }

  read(target: Uint8Array, position: number): number {
    this.probe.beforeOp('other', 'read', this.path);
    return this.inner.read(target, position);
  }

  write(source: Uint8Array, position: number): void {
    const rule = this.probe.fault('write');
    if (rule === undefined) {
      this.inner.write(source, position);
      return;
    }
    const prefixBytes = Math.min(rule.spec.prefixBytes ?? 0, source.length);
    if (prefixBytes > 0) this.inner.write(source.subarray(0, prefixBytes), position);
    throw injected(rule.spec, 'write', this.path);
  }

  sync(): void {
    this.probe.beforeOp('sync', 'fdatasync', this.path);
    this.inner.sync();
    this.probe.afterSync();
  }

  size(): number {
    this.probe.beforeOp('other', 'fstat', this.path);
    return this.inner.size();
  }

  truncate(sizeBytes: number): void {
    this.probe.beforeOp('other', 'ftruncate', this.path);
    this.inner.truncate(sizeBytes);
  }

  close(): void {
    this.inner.close();
  }
}

/** Wraps a file system; counts operations and fails the ones `failAt` names. */
export class FaultFs implements FileSystem {
  private writes = 0;
  private syncs = 0;
  private ops = 0;
  private fired = 0;
  private rules: FaultRule[] = [];

  private readonly probe: FaultProbe = {
    fault: (kind) => this.fault(kind),
    beforeOp: (kind, operation, path) => this.beforeOp(kind, operation, path),
    afterSync: () => this.afterSync(),
  };

  /** Called after each successful sync with the sync count (invariant 4). */
  onSync: ((syncCount: number) => void) | undefined;

  constructor(readonly inner: FileSystem) {}

  /** `FileHandle.write` calls so far. */
  get writeCount(): number {
    return this.writes;
  }

  /** `FileHandle.sync` and `syncDir` calls so far: the sync points of a workload. */
  get syncCount(): number {
    return this.syncs;
  }

  /** Every counted operation so far. */
  get opCount(): number {
    return this.ops;
  }

  /** How many operations failed on purpose so far. */
  get faultCount(): number {
    return this.fired;
  }

  /** Arms a fault (invariant 2). Several rules may be armed at once. */
  failAt(spec: FaultSpec): void {
    if (!Number.isSafeInteger(spec.nth) || spec.nth < 1) {
      throw new InvalidArgumentError(`failAt nth must be an integer >= 1, got ${spec.nth}`);
    }
    const prefixBytes = spec.prefixBytes ?? 0;
    if (!Number.isSafeInteger(prefixBytes) || prefixBytes < 0) {
      throw new InvalidArgumentError(`failAt prefixBytes must be >= 0, got ${prefixBytes}`);
    }
    this.rules.push({ spec: { ...spec }, fireAt: this.countOf(spec.op) + spec.nth });
  }

  /** Disarms every fault; the file system behaves like its inner one again. */
  clearFaults(): void {
    this.rules = [];
  }

  /** Sets every counter to zero. Armed rules keep counting from where they were armed. */
  resetCounters(): void {
    for (const rule of this.rules) rule.fireAt -= this.countOf(rule.spec.op);
    this.writes = 0;
    this.syncs = 0;
    this.ops = 0;
    this.fired = 0;
  }

  open(path: string, mode: OpenMode): FileHandle {
    this.beforeOp('other', `open (${mode})`, path);
    return new FaultHandle(this.probe, this.inner.open(path, mode));
  }

  exists(path: string): boolean {
    return this.inner.exists(path);
  }

  remove(path: string): void {
    this.beforeOp('other', 'unlink', path);
    this.inner.remove(path);
  }

  rename(source: string, target: string): void {
    this.beforeOp('other', 'rename', `${source}' to '${target}`);
    this.inner.rename(source, target);
  }

  list(dir: string): string[] {
    this.beforeOp('other', 'readdir', dir);
    return this.inner.list(dir);
  }

  mkdir(dir: string): void {
    this.beforeOp('other', 'mkdir', dir);
    this.inner.mkdir(dir);
  }

  readFile(path: string): Uint8Array {
    return readFileVia(this, path);
  }

  writeFileAtomic(path: string, data: Uint8Array): void {
    writeFileAtomicVia(this, path, data);
  }

  syncDir(dir: string): void {
    this.beforeOp('sync', 'fsync directory', dir);
    this.inner.syncDir(dir);
    this.afterSync();
  }

  createExclusive(path: string, data: Uint8Array): boolean {
    if (this.exists(path)) return false;
    writeFileAtomicVia(this, path, data);
    return true;
  }

  /** Counts an operation of `kind` and throws the injected `IoError` if a rule fires. */
  private beforeOp(kind: OpKind, operation: string, path: string): void {
    const rule = this.fault(kind);
    if (rule !== undefined) throw injected(rule.spec, operation, path);
  }

  /** Counts an operation of `kind` and returns the rule that fires on it, if any. */
  private fault(kind: OpKind): FaultRule | undefined {
    this.ops += 1;
    if (kind === 'write') this.writes += 1;
    if (kind === 'sync') this.syncs += 1;
    for (const rule of this.rules) {
      if (rule.spec.op !== 'any' && rule.spec.op !== kind) continue;
      const count = this.countOf(rule.spec.op);
      if (count === rule.fireAt || (rule.spec.sticky === true && count > rule.fireAt)) {
        this.fired += 1;
        return rule;
      }
    }
    return undefined;
  }

  /** Runs the crash-point hook after a successful sync. */
  private afterSync(): void {
    this.onSync?.(this.syncs);
  }

  private countOf(op: FaultOp): number {
    switch (op) {
      case 'write':
        return this.writes;
      case 'sync':
        return this.syncs;
      case 'any':
        return this.ops;
      default:
        return assertNever(op, 'fault op');
    }
  }
}

/** The error an armed rule throws. */
function injected(spec: FaultSpec, operation: string, path: string): IoError {
  return new IoError(`${operation} '${path}' failed (${spec.errno}): injected fault`, spec.errno);
}
