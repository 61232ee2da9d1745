/**
 * Page-cache statistics, in the spirit of Berkeley DB's `memp_stat`.
 *
 * Layer: mpool (rank 3).
 */

/** Counters since the cache was created, and its current occupancy. */
export interface MPoolStats {
  /** Page requests (`get` calls). */
  requests: number;
  /** Requests served from memory. */
  hits: number;
  /** Requests that had to read the file (or create a page). */
  misses: number;
  /** Pages read from files. */
  reads: number;
  /** Pages written to files. */
  writes: number;
  /** Frames evicted to make room. */
  evictions: number;
  /** Evictions that had to write a dirty page first. */
  dirtyEvictions: number;
  /** Frames resident now. */
  pagesResident: number;
  /** Dirty frames now. */
  pagesDirty: number;
  /** Bytes of page data resident now. */
  bytesResident: number;
  /** The configured budget. */
  cacheSizeBytes: number;
  /** Pinned frames now. */
  pagesPinned: number;
}

export function emptyStats(cacheSizeBytes: number): MPoolStats {
  return {
    requests: 0, hits: 0, misses: 0, reads: 0, writes: 0, evictions: 0, dirtyEvictions: 0,
    pagesResident: 0, pagesDirty: 0, bytesResident: 0, cacheSizeBytes, pagesPinned: 0,
  };
}
