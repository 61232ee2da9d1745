/**
 * The meta page (page 0) every database file starts with: identity, format version, page
 * size, access method, root, allocation state and the record count.
 *
 * Layer: am/common (rank 5).
 *
 * | offset | size | field        | meaning                                                  |
 * | -----: | ---: | ------------ | -------------------------------------------------------- |
 * |      0 |   40 | header       | common page header (page/header.ts), type META           |
 * |     40 |    4 | magic        | 0x53544F57 ("STOW")                                      |
 * |     44 |    4 | version      | on-disk format version, `FORMAT_VERSION`                 |
 * |     48 |    4 | pageSize     | bytes per page of this file                              |
 * |     52 |    1 | amType       | `AmType` (1: btree, 2: hash)                             |
 * |     53 |    1 | flags        | bit 0: keys ordered by a user comparator                 |
 * |     56 |    4 | rootPgno     | root page of the access method                           |
 * |     60 |    4 | lastPgno     | highest page number ever allocated                       |
 * |     64 |    4 | freeHead     | first page of the free list (chained by nextPgno), 0     |
 * |     68 |    4 | freeCount    | pages on the free list                                   |
 * |     72 |    8 | recordCount  | records stored (a safe integer, low word first)          |
 * |     80 |    8 | syncedLsn    | the log was durable through this LSN when a checkpoint    |
 * |        |      |              | last wrote this file (offset word, then file word; 0: none)|
 *
 * Invariants:
 * 1. Page 0 is always the meta page; no other page has type META.
 * 2. Every page in 1..lastPgno is either reachable from the root or on the free list.
 * 3. `syncedLsn` is set only by checkpoints, outside any transaction and unlogged: it is a
 *    lower bound on where the log must end (a log that ends before it lost records). Redo
 *    of an older image of the meta page may set it back, which only weakens the bound.
 */
import {
  type Lsn, type Pgno, CorruptionError, InvalidArgumentError, VersionMismatchError, ZERO_LSN,
  lsnFile, lsnOffset, makeLsn, pgno,
} from '../../util/index.js';
import { type Page, PageType, getType, isValidFilePageSize } from '../../page/index.js';

export const META_MAGIC = 0x53544f57;
export const FORMAT_VERSION = 1;
export const META_PGNO = pgno(0);

/** Access methods, as stored in the meta page. Never renumber. */
export const AmType = { BTREE: 1, HASH: 2 } as const;
export type AmType = (typeof AmType)[keyof typeof AmType];

export const META_FLAG_USER_COMPARATOR = 1;

const OFF_MAGIC = 40;
const OFF_VERSION = 44;
const OFF_PAGE_SIZE = 48;
const OFF_AM_TYPE = 52;
const OFF_FLAGS = 53;
const OFF_ROOT = 56;
const OFF_LAST = 60;
const OFF_FREE_HEAD = 64;
const OFF_FREE_COUNT = 68;
const OFF_COUNT = 72;
const OFF_SYNCED_LSN = 80;

/** The byte ranges [from, to) allocation changes: lastPgno, and freeHead with freeCount. */
export const META_LAST_RANGE = [OFF_LAST, OFF_LAST + 4] as const;
export const META_FREE_RANGE = [OFF_FREE_HEAD, OFF_FREE_COUNT + 4] as const;

export const metaRoot = (p: Page): Pgno => p.view.getUint32(OFF_ROOT, true) as Pgno;
export const setMetaRoot = (p: Page, v: Pgno): void => p.view.setUint32(OFF_ROOT, v, true);
export const metaLast = (p: Page): Pgno => p.view.getUint32(OFF_LAST, true) as Pgno;
export const setMetaLast = (p: Page, v: Pgno): void => p.view.setUint32(OFF_LAST, v, true);
export const metaFreeHead = (p: Page): Pgno => p.view.getUint32(OFF_FREE_HEAD, true) as Pgno;
export const setMetaFreeHead = (p: Page, v: Pgno): void =>
  p.view.setUint32(OFF_FREE_HEAD, v, true);
export const metaFreeCount = (p: Page): number => p.view.getUint32(OFF_FREE_COUNT, true);
export const setMetaFreeCount = (p: Page, v: number): void =>
  p.view.setUint32(OFF_FREE_COUNT, v, true);
export const metaAmType = (p: Page): number => p.data[OFF_AM_TYPE]!;
export const metaFlags = (p: Page): number => p.data[OFF_FLAGS]!;
export const metaPageSize = (p: Page): number => p.view.getUint32(OFF_PAGE_SIZE, true);

export function metaCount(p: Page): number {
  return p.view.getUint32(OFF_COUNT, true) + p.view.getUint32(OFF_COUNT + 4, true) * 2 ** 32;
}
export function setMetaCount(p: Page, v: number): void {
  p.view.setUint32(OFF_COUNT, v % 2 ** 32, true);
  p.view.setUint32(OFF_COUNT + 4, Math.floor(v / 2 ** 32), true);
}

/** The `syncedLsn` field (invariant 3), as a number of the `Lsn` packing. */
export function metaSyncedLsn(p: Page): Lsn {
  return syncedLsnAt(p.view);
}
export function setMetaSyncedLsn(p: Page, lsn: Lsn): void {
  p.view.setUint32(OFF_SYNCED_LSN, lsnOffset(lsn), true);
  p.view.setUint32(OFF_SYNCED_LSN + 4, lsnFile(lsn), true);
}
function syncedLsnAt(view: DataView): Lsn {
  return makeLsn(view.getUint32(OFF_SYNCED_LSN + 4, true), view.getUint32(OFF_SYNCED_LSN, true));
}

/**
 * The `syncedLsn` of a database file from its first bytes, or ZERO_LSN when they do not
 * hold a Stowage meta page (other checks report such a file when it is opened).
 */
export function sniffSyncedLsn(head: Uint8Array): Lsn {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.length < OFF_SYNCED_LSN + 8 || view.getUint32(OFF_MAGIC, true) !== META_MAGIC) {
    return ZERO_LSN;
  }
  return syncedLsnAt(view);
}

/** Fills a fresh meta page. The caller sets the root. */
export function initMeta(p: Page, pageSize: number, amType: AmType, flags: number): void {
  p.view.setUint32(OFF_MAGIC, META_MAGIC, true);
  p.view.setUint32(OFF_VERSION, FORMAT_VERSION, true);
  p.view.setUint32(OFF_PAGE_SIZE, pageSize, true);
  p.data[OFF_AM_TYPE] = amType;
  p.data[OFF_FLAGS] = flags;
  setMetaLast(p, pgno(0));
  setMetaFreeHead(p, pgno(0));
  setMetaFreeCount(p, 0);
  setMetaCount(p, 0);
}

/**
 * Reads the page size from the first bytes of a file, checking that it is a Stowage file.
 * @param head at least the first 64 bytes of the file
 */
export function sniffMeta(head: Uint8Array, fileName: string): number {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.length < 64 || view.getUint32(OFF_MAGIC, true) !== META_MAGIC) {
    throw new InvalidArgumentError(
      `${fileName} is not a Stowage database file (no Stowage magic number in its first page)`,
    );
  }
  const version = view.getUint32(OFF_VERSION, true);
  if (version !== FORMAT_VERSION) {
    throw new VersionMismatchError(
      `${fileName} has on-disk format version ${version}; this Stowage reads version ` +
        `${FORMAT_VERSION}. Dump it with the Stowage that wrote it and load it here.`,
    );
  }
  const size = view.getUint32(OFF_PAGE_SIZE, true);
  if (!isValidFilePageSize(size)) {
    throw new CorruptionError(`${fileName}: meta page records an invalid page size ${size}`, {
      file: fileName, pgno: 0,
    });
  }
  return size;
}

/**
 * Checks a meta page read through the cache, and that the file holds every page up to the
 * last one the meta page records: a file is only ever written up to it (pages are allocated
 * in the cache and written whole), so a shorter file was truncated.
 */
export function checkMeta(p: Page, fileName: string, pageSize: number, pagesOnDisk: number): void {
  if (getType(p) !== PageType.META || metaPageSize(p) !== pageSize) {
    throw new CorruptionError(`${fileName}: page 0 is not a valid meta page`, {
      file: fileName, pgno: 0,
    });
  }
  const last = metaLast(p);
  if (pagesOnDisk <= last) {
    throw new CorruptionError(
      `${fileName} holds ${pagesOnDisk} pages but its meta page records pages up to ${last}: ` +
        'the file was truncated; restore it from a backup',
      { file: fileName, pgno: pgno(pagesOnDisk) },
    );
  }
}
