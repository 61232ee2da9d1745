/**
 * Making a new hash database file and opening an existing one.
 *
 * Layer: am/hash (rank 5).
 *
 * A new table has two buckets, or with a fill factor and an expected size as many as hold
 * that size at the fill factor, rounded up to a power of two (Berkeley DB's h_nelem with
 * h_ffactor). Its buckets are pages 1 .. n, formatted at creation.
 *
 * Invariants:
 * 1. Opening checks the meta page (am/common/meta.ts `checkMeta`) and the shape
 *    (shape.ts) before anything else, and changes nothing.
 */
import { CorruptionError, InvalidArgumentError, pgno } from '../../util/index.js';
import {
  PAGE_EXTRA_BYTES, PAGE_SIZE_MAX, PageType, createdPageSizeOf, initPage,
} from '../../page/index.js';
import {
  type AmFile, AmType, META_PGNO, checkMeta, initMeta, metaFlags, setMetaLast, setMetaRoot,
} from '../common/index.js';
import { initialMasks } from './addressing.js';
import { SPARE_COUNT, type TableState, readTable, writeTable } from './format.js';
import { HashTable, type HashShape } from './table.js';
import { HASH_PROBE, checkHashShape, hashShapeFlags } from './shape.js';
import { formatBucketPage } from './split.js';

/** Buckets of a new table (see the file header). */
export function initialBuckets(shape: HashShape): number {
  if (shape.fillFactor === 0 || shape.expectedSize === 0) return 2;
  const wanted = Math.ceil(shape.expectedSize / shape.fillFactor);
  let n = 2;
  while (n < wanted) n *= 2;
  if (n > 2 ** 24) {
    throw new InvalidArgumentError(`an expected size of ${shape.expectedSize} at fill factor ` +
      `${shape.fillFactor} asks for ${n} buckets; at most 2^24 are made at creation`);
  }
  return n;
}

/** Formats a new, empty file of `shape`; returns the open table. */
export function createHash(file: AmFile, shape: HashShape): HashTable {
  const table = new HashTable(file, shape);
  const buckets = initialBuckets(shape);
  const meta = file.mp.create(META_PGNO);
  try {
    file.changes.rewrite(file.mp, meta, () => {
      initPage(meta, META_PGNO, PageType.META);
      initMeta(meta, file.pageSize, AmType.HASH, hashShapeFlags(shape));
      setMetaRoot(meta, pgno(1));
      setMetaLast(meta, pgno(buckets));
      writeTable(meta, newTable(buckets, shape, table.hash(HASH_PROBE)));
    });
  } finally {
    file.mp.release(meta);
  }
  for (let p = 1; p <= buckets; p++) formatBucketPage(table, pgno(p));
  return table;
}

function newTable(buckets: number, shape: HashShape, probe: number): TableState {
  const spares = new Uint32Array(SPARE_COUNT);
  // Buckets 0 .. n-1 are pages 1 .. n: every level's bucket b is on page b + 1.
  for (let level = 0; 2 ** level < buckets; level++) spares[level] = 1;
  return {
    ...initialMasks(buckets), fillFactor: shape.fillFactor, expected: shape.expectedSize,
    probe, spares,
  };
}

/** Opens an existing hash file, checking that `shape` is its own (invariant 1). */
export function openHash(file: AmFile, shape: HashShape): HashTable {
  const created = createdPageSizeOf(file.pageSize);
  if (created !== PAGE_SIZE_MAX && created + PAGE_EXTRA_BYTES !== file.pageSize) {
    throw new CorruptionError(`${file.name}: a hash file's pages are ${PAGE_EXTRA_BYTES} bytes ` +
      `larger than a valid page size below 64 KiB; this one's are ${file.pageSize} bytes`, {
      file: file.name, pgno: 0,
    });
  }
  const table = new HashTable(file, shape);
  const meta = file.mp.get(META_PGNO);
  try {
    checkMeta(meta, file.name, file.pageSize, file.mp.pagesOnDisk());
    const state = readTable(meta);
    checkHashShape(metaFlags(meta), state.probe, state, shape, table.hash, file.name);
  } finally {
    file.mp.release(meta);
  }
  return table;
}
