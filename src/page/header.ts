/**
 * The common page header every page of every database file starts with, read and written in
 * place through a `DataView` on the cache frame.
 *
 * Layer: page (rank 1). Imports util only.
 *
 * | offset | size | field          | meaning                                                   |
 * | -----: | ---: | -------------- | --------------------------------------------------------- |
 * |      0 |    4 | checksum       | CRC-32 of bytes 4..pageSize, set when the page is written |
 * |      4 |    4 | lsnFile        | log file of the last change (0: never logged)             |
 * |      8 |    4 | lsnOffset      | offset of that record in its log file                     |
 * |     12 |    4 | pgno           | this page's number, checked on every read                 |
 * |     16 |    1 | type           | `PageType`                                                |
 * |     17 |    1 | level          | btree level: 1 for leaves, parents one more               |
 * |     18 |    2 | slotCount      | items on a slotted page                                   |
 * |     20 |    4 | heapStart      | lowest byte used by item data (items grow down from end)  |
 * |     24 |    4 | prevPgno       | left sibling (leaves), 0 when none                        |
 * |     28 |    4 | nextPgno       | right sibling, next overflow or next free page, 0 = none  |
 * |     32 |    4 | garbageBytes   | bytes of dead item data reclaimable by compaction         |
 * |     36 |    4 | extra          | per type: data length on overflow pages                   |
 * |     40 |      | body           | slot array (slotted pages) or payload                     |
 *
 * All integers are little-endian. Invariants:
 * 1. `pgno` equals the page's position in its file; a mismatch is corruption.
 * 2. A page whose bytes are all zero was never written; it reads as an empty page, LSN 0.
 * 3. The checksum covers every byte after itself and is verified on every read from disk.
 */
import { type Lsn, type Pgno, lsnFile, lsnOffset, makeLsn } from '../util/index.js';

/** Size of the common header; the body starts here. */
export const PAGE_HEADER_SIZE = 40;

/** The kinds of page. Values are stored on disk: never renumber. */
export const PageType = {
  /** A page that was never written (all zeros). */
  INVALID: 0,
  META: 1,
  BTREE_INTERNAL: 2,
  BTREE_LEAF: 3,
  OVERFLOW: 4,
  FREE: 5,
  /** A hash bucket's page, primary or one of its chain (am/hash). */
  HASH_BUCKET: 6,
} as const;
export type PageType = (typeof PageType)[keyof typeof PageType];

/** True for the kinds of page whose body is slotted (slotted.ts): the access methods' data. */
export function isSlottedType(type: number): boolean {
  return type === PageType.BTREE_LEAF || type === PageType.BTREE_INTERNAL ||
    type === PageType.HASH_BUCKET;
}

const OFF_CHECKSUM = 0;
const OFF_LSN_FILE = 4;
const OFF_LSN_OFFSET = 8;
const OFF_PGNO = 12;
const OFF_TYPE = 16;
const OFF_LEVEL = 17;
const OFF_SLOT_COUNT = 18;
const OFF_HEAP_START = 20;
const OFF_PREV = 24;
const OFF_NEXT = 28;
const OFF_GARBAGE = 32;
const OFF_EXTRA = 36;

/** Smallest and largest page sizes; both powers of two. */
export const PAGE_SIZE_MIN = 512;
export const PAGE_SIZE_MAX = 65536;

/**
 * Bytes an access method may add to the page size the user chose, for the pages of its
 * files (the hash's pages have room for all that the real library's hold: am/hash).
 */
export const PAGE_EXTRA_BYTES = 16;

/**
 * True for the page size of a file: a valid page size, or one below the largest plus
 * `PAGE_EXTRA_BYTES` (a slot records a 16-bit offset, so no page exceeds `PAGE_SIZE_MAX`).
 */
export function isValidFilePageSize(size: number): boolean {
  return isValidPageSize(size) ||
    (isValidPageSize(size - PAGE_EXTRA_BYTES) && size - PAGE_EXTRA_BYTES < PAGE_SIZE_MAX);
}

/** The page size a file of `size`-byte pages was created with (`isValidFilePageSize`). */
export function createdPageSizeOf(size: number): number {
  return isValidPageSize(size) ? size : size - PAGE_EXTRA_BYTES;
}

/** True for a power of two within 512..65536. */
export function isValidPageSize(size: unknown): size is number {
  return (
    typeof size === 'number' &&
    Number.isInteger(size) &&
    size >= PAGE_SIZE_MIN &&
    size <= PAGE_SIZE_MAX &&
    (size & (size - 1)) === 0
  );
}

/**
 * A page in memory: its bytes and a `DataView` over them. Frames in the cache extend this;
 * accessors below take the `Page` so they work on any buffer holding a page.
 */
export interface Page {
  readonly data: Uint8Array;
  readonly view: DataView;
}

/** Wraps a byte array as a `Page`. */
export function pageOf(data: Uint8Array): Page {
  return { data, view: new DataView(data.buffer, data.byteOffset, data.byteLength) };
}

export const getChecksum = (p: Page): number => p.view.getUint32(OFF_CHECKSUM, true);
export const setChecksum = (p: Page, v: number): void =>
  p.view.setUint32(OFF_CHECKSUM, v, true);

export function getLsn(p: Page): Lsn {
  return makeLsn(p.view.getUint32(OFF_LSN_FILE, true), p.view.getUint32(OFF_LSN_OFFSET, true));
}
export function setLsn(p: Page, lsn: Lsn): void {
  p.view.setUint32(OFF_LSN_FILE, lsnFile(lsn), true);
  p.view.setUint32(OFF_LSN_OFFSET, lsnOffset(lsn), true);
}

export const getPgno = (p: Page): Pgno => p.view.getUint32(OFF_PGNO, true) as Pgno;
export const setPgno = (p: Page, v: Pgno): void => p.view.setUint32(OFF_PGNO, v, true);
export const getType = (p: Page): PageType => p.data[OFF_TYPE] as PageType;
/** The type of the page held in `data`, read without wrapping it. */
export const pageTypeOf = (data: Uint8Array): PageType => data[OFF_TYPE] as PageType;
export const setType = (p: Page, v: PageType): void => {
  p.data[OFF_TYPE] = v;
};
export const getLevel = (p: Page): number => p.data[OFF_LEVEL]!;
export const setLevel = (p: Page, v: number): void => {
  p.data[OFF_LEVEL] = v;
};
export const getSlotCount = (p: Page): number =>
  p.data[OFF_SLOT_COUNT]! | (p.data[OFF_SLOT_COUNT + 1]! << 8);
export const setSlotCount = (p: Page, v: number): void =>
  p.view.setUint16(OFF_SLOT_COUNT, v, true);
export const getHeapStart = (p: Page): number => p.view.getUint32(OFF_HEAP_START, true);
export const setHeapStart = (p: Page, v: number): void =>
  p.view.setUint32(OFF_HEAP_START, v, true);
export const getPrev = (p: Page): Pgno => p.view.getUint32(OFF_PREV, true) as Pgno;
export const setPrev = (p: Page, v: Pgno): void => p.view.setUint32(OFF_PREV, v, true);
export const getNext = (p: Page): Pgno => p.view.getUint32(OFF_NEXT, true) as Pgno;
export const setNext = (p: Page, v: Pgno): void => p.view.setUint32(OFF_NEXT, v, true);
export const getGarbage = (p: Page): number => p.view.getUint32(OFF_GARBAGE, true);
export const setGarbage = (p: Page, v: number): void =>
  p.view.setUint32(OFF_GARBAGE, v, true);
export const getExtra = (p: Page): number => p.view.getUint32(OFF_EXTRA, true);
export const setExtra = (p: Page, v: number): void => p.view.setUint32(OFF_EXTRA, v, true);

/**
 * Resets a page to an empty page of `type`: header zeroed except pgno, type and level, heap
 * starting at the end of the page. The LSN is kept (the caller's log record sets it).
 */
export function initPage(p: Page, pgnoValue: Pgno, type: PageType, level = 0): void {
  const lsn = getLsn(p);
  p.data.fill(0, 0, PAGE_HEADER_SIZE);
  setLsn(p, lsn);
  setPgno(p, pgnoValue);
  setType(p, type);
  setLevel(p, level);
  setHeapStart(p, p.data.length);
}
