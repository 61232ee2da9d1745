/**
 * Lock object ids for pages: one safe integer per (file, page), so the lock table needs no
 * string keys. Berkeley DB locks a 28-byte DBT (file id, page number, type); the numeric id
 * keeps the same identity at Map-lookup speed.
 *
 * Layer: lock (rank 2). Imports only src/util.
 *
 * Invariants:
 * 1. `pageLockObject(file, pgno) === file * 2^32 + pgno`, a safe integer for every file id
 *    below 2^21 and page number below 2^32; distinct pairs give distinct ids.
 * 2. Ids below 2^32 (file 0) name no page of an open database: they are free for
 *    environment-wide and application locks, which therefore never collide with page locks.
 */

/** The factor that separates the file id from the page number in a page lock object id. */
const FILE_FACTOR = 2 ** 32;

/** The lock object id of page `pgno` of the database file with id `file` (>= 1). */
export function pageLockObject(file: number, pgno: number): number {
  return file * FILE_FACTOR + pgno;
}

/** `'file F page P'` for a page lock object id, `'object N'` for ids below 2^32. */
export function describePageLockObject(objectId: number): string {
  if (objectId < FILE_FACTOR) return `object ${objectId}`;
  return `file ${Math.floor(objectId / FILE_FACTOR)} page ${objectId % FILE_FACTOR}`;
}
