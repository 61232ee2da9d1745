/**
 * Assertions: always-on O(1) `assert`, and `verifyEnabled` for expensive checks that run only
 * when the environment variable `STOWAGE_VERIFY` is set (to anything but `0` or nothing).
 * What the expensive tier checks is described in docs/architecture.md ("Verification tier").
 *
 * Layer: util (rank 0).
 *
 * Invariants:
 * 1. `AssertionError` marks a bug in Stowage; library code never catches it.
 */

/** A broken internal invariant: a bug in Stowage, never a user error. */
export class AssertionError extends Error {
  constructor(message: string) {
    super(`stowage internal assertion failed: ${message}`);
  }
}
Object.defineProperty(AssertionError.prototype, 'name', { value: 'AssertionError' });

/** Throws `AssertionError` when `condition` is false. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Marks a `switch` over a union as exhaustive. */
export function assertNever(value: never, what: string): never {
  throw new AssertionError(`unexpected ${what}: ${String(value)}`);
}

/** True when expensive verification (`STOWAGE_VERIFY`) is switched on for this process. */
export const verifyEnabled: boolean = typeof process !== 'undefined' &&
  !['', '0', undefined].includes(process.env['STOWAGE_VERIFY']);
