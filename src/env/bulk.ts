/**
 * Bulk calls (Berkeley DB's DB_MULTIPLE and DB_MULTIPLE_KEY): many pairs read, stored or
 * removed by one call, each as the single call would do it.
 *
 * Layer: env (rank 6).
 *
 * Invariants:
 * 1. A bulk write is one write of its `Database`: in a transactional environment one
 *    transaction (all or nothing); without transactions the pairs before a failing one stay,
 *    as in Berkeley DB.
 * 2. Every key and value is checked before the first one is stored or removed.
 * 3. A batch read (`readBatch`) holds whole pairs only: as many consecutive pairs as fit the
 *    buffer, at least one; a first pair larger than the buffer is `BufferSmallError` naming
 *    the size needed, and the cursor stays where it was.
 * 4. Buffers are Berkeley DB's: at least a page, and a multiple of 1024 bytes.
 */
import { BufferSmallError, InvalidArgumentError, copyBytes, describeValue } from '../util/index.js';
import type { AmCursor } from '../am/common/index.js';

/** A key and one of its values. */
export interface BytePair {
  key: Uint8Array;
  value: Uint8Array;
}

/**
 * Bytes a pair takes in a batch buffer: its key and value and the four 4-byte offsets and
 * lengths Berkeley DB's DB_MULTIPLE_KEY buffer keeps for it.
 */
export function batchBytes(key: Uint8Array, value: Uint8Array): number {
  return key.length + value.length + 16;
}

/** Checks a batch buffer size (invariant 4) for a database of `pageSize`-byte pages. */
export function checkBufferSize(bufferSize: number, pageSize: number, what: string): void {
  if (!Number.isInteger(bufferSize) || bufferSize < pageSize || bufferSize % 1024 !== 0) {
    throw new InvalidArgumentError(`${what}: the buffer must be a multiple of 1024 bytes and ` +
      `at least the page size (${pageSize}), got ${describeValue(bufferSize)}`);
  }
}

/**
 * The pairs after the cursor's position (from the first when it is unpositioned) that fit
 * `bufferSize` bytes (invariant 3): Berkeley DB's DBC->get(DB_NEXT | DB_MULTIPLE_KEY). The
 * cursor ends on the last pair returned; an empty batch means the end.
 */
export function readBatch(cursor: AmCursor, bufferSize: number): BytePair[] {
  checkFirstFits(cursor, bufferSize);
  const batch: BytePair[] = [];
  let used = 0;
  while (cursor.next()) {
    const key = cursor.key();
    const value = cursor.value();
    used += batchBytes(key, value);
    if (used > bufferSize) {
      cursor.prev();
      break;
    }
    batch.push({ key, value });
  }
  return batch;
}

/** Throws `BufferSmallError` when the pair after the cursor cannot fit the buffer. */
function checkFirstFits(cursor: AmCursor, bufferSize: number): void {
  const probe = cursor.dup();
  try {
    if (!probe.next()) return;
    const bytes = batchBytes(probe.key(), probe.value());
    if (bytes > bufferSize) {
      throw new BufferSmallError(`a batch of ${bufferSize} bytes cannot hold the next pair ` +
        `(${bytes} bytes with its offsets)`, roundUp(bytes));
    }
  } finally {
    probe.close();
  }
}

/** The smallest valid buffer size (a multiple of 1024) of at least `bytes`. */
function roundUp(bytes: number): number {
  return Math.ceil(bytes / 1024) * 1024;
}

/** Copies `pairs` into an array of checked pairs (invariant 2). */
export function collectPairs(pairs: Iterable<readonly [Uint8Array, Uint8Array]>,
  check: (bytes: Uint8Array, what: string) => void): BytePair[] {
  const out: BytePair[] = [];
  for (const pair of pairs) {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new InvalidArgumentError(`a bulk pair is [key, value], got ${describeValue(pair)}`);
    }
    check(pair[0], 'key');
    check(pair[1], 'value');
    out.push({ key: copyBytes(pair[0]), value: copyBytes(pair[1]) });
  }
  return out;
}

/** Copies `keys` into an array of checked keys (invariant 2). */
export function collectKeys(keys: Iterable<Uint8Array>,
  check: (bytes: Uint8Array, what: string) => void): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const key of keys) {
    check(key, 'key');
    out.push(copyBytes(key));
  }
  return out;
}
