/**
 * Partial records (Berkeley DB's DB_DBT_PARTIAL): a window of `length` bytes at `offset` of
 * a value, read clipped to the value and written by splicing into it.
 *
 * Layer: env (rank 6).
 *
 * Invariants:
 * 1. A window is two integers from 0 to 2^32 - 1 (Berkeley DB's `doff` and `dlen`); anything
 *    else is `InvalidArgumentError`, raised before any page is touched.
 * 2. Reading a stored value never fails: the window's bytes past the value's end are simply
 *    not returned (an empty result past the end).
 * 3. Writing replaces the window's bytes that exist with the new bytes, so the value grows
 *    or shrinks by the difference; a window starting past the end first pads the value with
 *    NUL bytes up to `offset`. An absent value is written as if it were empty.
 */
import { InvalidArgumentError, describeValue } from '../util/index.js';

/** A window into a value: `length` bytes starting `offset` bytes in. */
export interface RecordWindow {
  offset: number;
  length: number;
}

const MAX_WINDOW = 0xffffffff;

/** Checks `window` (invariant 1); `what` names the call in the error. */
export function checkWindow(window: RecordWindow, what: string): void {
  if (typeof window !== 'object' || window === null) {
    throw new InvalidArgumentError(`${what}: the window must be { offset, length }, got ` +
      describeValue(window));
  }
  for (const field of ['offset', 'length'] as const) {
    const n = window[field];
    if (!Number.isInteger(n) || n < 0 || n > MAX_WINDOW) {
      throw new InvalidArgumentError(`${what}: window.${field} must be an integer from 0 to ` +
        `${MAX_WINDOW}, got ${describeValue(n)}`);
    }
  }
}

/** The window's bytes of `value`, clipped to it (a copy). */
export function readWindow(value: Uint8Array, window: RecordWindow): Uint8Array {
  const start = Math.min(window.offset, value.length);
  const end = Math.min(window.offset + window.length, value.length);
  return value.slice(start, end);
}

/** `value` (undefined: empty) with the window's bytes replaced by `bytes` (invariant 3). */
export function writeWindow(value: Uint8Array | undefined, window: RecordWindow,
  bytes: Uint8Array): Uint8Array {
  const old = value ?? new Uint8Array(0);
  const tailFrom = window.offset + window.length;
  const tail = tailFrom < old.length ? old.subarray(tailFrom) : old.subarray(old.length);
  const out = new Uint8Array(window.offset + bytes.length + tail.length);
  out.set(old.subarray(0, Math.min(window.offset, old.length)));
  out.set(bytes, window.offset);
  out.set(tail, window.offset + bytes.length);
  return out;
}
