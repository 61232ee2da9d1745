/**
 * Which Stowage errors are Berkeley DB answers, and which code name each one stands for.
 *
 * Layer: conformance tooling; imports the public surface of src/ only.
 *
 * Invariants:
 * 1. The mapping is by error type only, never by message text: `KeyExistsError` →
 *    DB_KEYEXIST, `KeyEmptyError` → DB_KEYEMPTY, `InvalidArgumentError` → EINVAL,
 *    `NotFoundError` → DB_NOTFOUND, `DeadlockError` → DB_LOCK_DEADLOCK.
 * 2. Any other error (a closed handle, a failed assertion, an unsupported operation) is not
 *    an answer: the runner stops the script with it instead of printing a guessed code.
 */
import {
  DeadlockError, InvalidArgumentError, KeyEmptyError, KeyExistsError, NotFoundError,
} from '../../src/index.js';

/** The Berkeley DB code name a Stowage error stands for, or undefined (not an answer). */
export function codeOf(error: unknown): string | undefined {
  if (error instanceof KeyExistsError) return 'DB_KEYEXIST';
  if (error instanceof KeyEmptyError) return 'DB_KEYEMPTY';
  if (error instanceof InvalidArgumentError) return 'EINVAL';
  if (error instanceof NotFoundError) return 'DB_NOTFOUND';
  if (error instanceof DeadlockError) return 'DB_LOCK_DEADLOCK';
  return undefined;
}

/**
 * The script needs something Stowage cannot express yet (an access method, a database
 * flag, an operation, or an engine call that has not landed). The message names it.
 */
export class ScriptUnsupportedError extends Error {
  override name = 'ScriptUnsupportedError';
}
