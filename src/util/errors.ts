/**
 * The error catalogue: one `DbError` base with a stable string `code`, one subclass per code.
 *
 * Layer: util (rank 0). Imports nothing.
 *
 * Invariants:
 * 1. Codes are stable API; message text is not. Callers branch on `code` or `instanceof`.
 * 2. A miss on a hot path is a value (`undefined`/`false`), never one of these errors.
 * 3. `AssertionError` (see assert.ts) is not a `DbError`: it marks a bug in Stowage itself.
 */

/** Every stable error code. */
export type ErrorCode =
  | 'NOT_FOUND'
  | 'KEY_EXISTS'
  | 'KEY_EMPTY'
  | 'DEADLOCK'
  | 'LOCK_NOT_GRANTED'
  | 'RUN_RECOVERY'
  | 'CORRUPTION'
  | 'IO'
  | 'INVALID_ARGUMENT'
  | 'BUFFER_SMALL'
  | 'UNSUPPORTED'
  | 'TXN_CLOSED'
  | 'CLOSED'
  | 'READ_ONLY'
  | 'CODEC'
  | 'ENV_LOCKED'
  | 'VERSION_MISMATCH';

/** Base class of every error Stowage reports on purpose. */
export class DbError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Thrown by explicit `...OrThrow` calls when the key is absent, and by a cursor's `recno()`
 * on a deleted item (Berkeley DB: DB_NOTFOUND).
 */
export class NotFoundError extends DbError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/** A no-overwrite insert found the key already present. */
export class KeyExistsError extends DbError {
  constructor(message: string) {
    super('KEY_EXISTS', message);
  }
}

/** A record number names a slot that was never written or was deleted. */
export class KeyEmptyError extends DbError {
  constructor(message: string) {
    super('KEY_EMPTY', message);
  }
}

/**
 * A lock request conflicts with a lock held by another open transaction of this thread, so
 * waiting would never end. The requesting transaction must be aborted (and may be retried).
 */
export class DeadlockError extends DbError {
  constructor(
    message: string,
    readonly detail: { lockerId?: number; holderId?: number; objectName?: string } = {},
  ) {
    super('DEADLOCK', message);
  }
}

/** A no-wait lock request could not be granted at once. Abort the transaction. */
export class LockNotGrantedError extends DbError {
  constructor(message: string) {
    super('LOCK_NOT_GRANTED', message);
  }
}

/**
 * The environment hit an I/O error or corruption on a write path; nothing may build on a
 * state that may not be on disk. Close and reopen the environment (recovery runs then).
 */
export class RunRecoveryError extends DbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RUN_RECOVERY', message, options);
  }
}

/** A page or log record failed its checksum or structural checks. */
export class CorruptionError extends DbError {
  constructor(
    message: string,
    readonly detail: { file?: string; pgno?: number; offset?: number } = {},
  ) {
    super('CORRUPTION', message);
  }
}

/** The operating system refused a file operation. `errno` is the OS code (EIO, ENOSPC...). */
export class IoError extends DbError {
  constructor(
    message: string,
    readonly errno: string | undefined,
    options?: { cause?: unknown },
  ) {
    super('IO', message, options);
  }
}

/** An argument or option has the wrong type or value. The message names it. */
export class InvalidArgumentError extends DbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_ARGUMENT', message, options);
  }
}

/**
 * A bulk read's buffer cannot hold even the first item (Berkeley DB: DB_BUFFER_SMALL);
 * `needed` is the smallest buffer that would.
 */
export class BufferSmallError extends DbError {
  constructor(message: string, readonly needed: number) {
    super('BUFFER_SMALL', message);
  }
}

/** The call is not supported by this container, access method or build. */
export class UnsupportedError extends DbError {
  constructor(message: string) {
    super('UNSUPPORTED', message);
  }
}

/** The transaction (or an iterator bound to it) was already committed or aborted. */
export class TransactionClosedError extends DbError {
  constructor(message: string) {
    super('TXN_CLOSED', message);
  }
}

/**
 * The handle was closed: an environment, a database, or a cursor or iterator closed by its
 * owner (one closed because its transaction ended throws `TransactionClosedError`). Nothing
 * was changed; open the handle again to go on.
 */
export class ClosedError extends DbError {
  constructor(message: string) {
    super('CLOSED', message);
  }
}

/** A write was attempted on a read-only environment, database or transaction. */
export class ReadOnlyError extends DbError {
  constructor(message: string) {
    super('READ_ONLY', message);
  }
}

/** A codec failed to encode or decode; nothing was stored. `key` is the user key if known. */
export class CodecError extends DbError {
  constructor(message: string, readonly key?: unknown, options?: { cause?: unknown }) {
    super('CODEC', message, options);
  }
}

/** Another live process owns the environment. `ownerPid` names it. */
export class EnvironmentLockedError extends DbError {
  constructor(message: string, readonly ownerPid: number) {
    super('ENV_LOCKED', message);
  }
}

/** A file was written by an incompatible format version. */
export class VersionMismatchError extends DbError {
  constructor(message: string) {
    super('VERSION_MISMATCH', message);
  }
}

for (const cls of [
  DbError, NotFoundError, KeyExistsError, KeyEmptyError, DeadlockError, LockNotGrantedError,
  RunRecoveryError, CorruptionError, IoError, InvalidArgumentError, BufferSmallError,
  UnsupportedError,
  TransactionClosedError, ClosedError, ReadOnlyError, CodecError, EnvironmentLockedError,
  VersionMismatchError,
]) {
  Object.defineProperty(cls.prototype, 'name', { value: cls.name, enumerable: false });
}
