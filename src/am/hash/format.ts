/**
 * The on-disk format of a hash database: the hash fields of its meta page, and the item
 * each pair is stored as on a bucket page.
 *
 * Layer: am/hash (rank 5).
 *
 * Meta page, after the common fields (am/common/meta.ts, bytes 0..88):
 * | offset | size | field      | meaning                                                  |
 * | -----: | ---: | ---------- | -------------------------------------------------------- |
 * |     88 |    4 | maxBucket  | highest bucket number                                    |
 * |     92 |    4 | highMask   | the smallest 2^k - 1 at or above maxBucket               |
 * |     96 |    4 | lowMask    | highMask >>> 1                                           |
 * |    100 |    4 | fillFactor | target pairs per bucket (Berkeley DB's h_ffactor; 0: a   |
 * |        |      |            | bucket splits when a bucket page overflows)              |
 * |    104 |    4 | expected   | the expected size given at creation (h_nelem)            |
 * |    108 |    4 | probe      | the hash of a fixed string (shape.ts), as h_charkey      |
 * |    112 |  128 | spares     | 32 words: bucket b lives on page b + spares[level(b)]    |
 *
 * Meta flag bits (the common `flags` byte): bit 1 duplicates in insertion order, bit 2
 * sorted duplicates, bit 4 a user duplicate comparator, bit 5 a user hash function.
 *
 * A pair is one slotted item:
 * | offset | size | field                                                          |
 * | -----: | ---: | -------------------------------------------------------------- |
 * |      0 |    2 | bits 0-2 flags: 1 key on an overflow chain, 2 value part on an  |
 * |        |      | overflow chain, 4 the value part is a duplicate set; bits 3-15  |
 * |        |      | the bytes of the key part (the key, or an 8-byte reference)     |
 * |      2 |    k | key part                                                        |
 * |  2 + k |    v | value part: the value, an overflow reference (first pgno, length)|
 * |        |      | or a duplicate set (each value as a 4-byte length and its bytes) |
 *
 * A file's pages are `PAGE_EXTRA_BYTES` larger than the page size the database was created
 * with (capacity.ts: room for all the real library's page holds), but for 64 KiB, where a
 * slot's 16-bit offset ends; the meta page records the file's, the hash uses the created
 * one for every count of room and every size limit.
 *
 * Invariants:
 * 1. Buckets of one level (level(b) = floor(log2 b), buckets 0 and 1 at level 0) are
 *    consecutive pages, reserved together when the level's first bucket is made.
 * 2. An item's key part is never longer than `maxInlineKey` and its value part never longer
 *    than `maxInlineValue`: bigger keys and values go to overflow chains.
 */
import { type Pgno, assert } from '../../util/index.js';
import type { Page } from '../../page/index.js';
import type { BucketMasks } from './addressing.js';

export const OFF_MAX_BUCKET = 88;
export const OFF_HIGH_MASK = 92;
export const OFF_LOW_MASK = 96;
export const OFF_FILL_FACTOR = 100;
export const OFF_EXPECTED = 104;
export const OFF_PROBE = 108;
export const OFF_SPARES = 112;
export const SPARE_COUNT = 32;
/** The bytes [from, to) of the meta page a split changes: masks and spares. */
export const META_TABLE_RANGE = [OFF_MAX_BUCKET, OFF_SPARES + 4 * SPARE_COUNT] as const;

export const HASH_FLAG_DUP = 2;
export const HASH_FLAG_DUPSORT = 4;
export const HASH_FLAG_USER_DUP_COMPARATOR = 16;
export const HASH_FLAG_USER_HASH = 32;

export const ITEM_KEY_OVERFLOW = 1;
export const ITEM_VALUE_OVERFLOW = 2;
export const ITEM_DUPS = 4;
const ITEM_FLAG_BITS = 3;
/** Flags and key-part length, in one 16-bit word. */
export const ITEM_HEADER = 2;
/** The longest key part an item header records. */
export const MAX_KEY_PART = 2 ** (16 - ITEM_FLAG_BITS) - 1;
/** An overflow reference: first pgno, total length. */
export const OVERFLOW_REF = 8;
/** Each value of an on-page duplicate set is preceded by its length. */
export const DUP_VALUE_HEADER = 4;

/** The level of bucket `b`: the spare its page is found with. */
export function levelOf(bucket: number): number {
  return bucket < 2 ? 0 : 31 - Math.clz32(bucket);
}

/** The table part of the meta page, as read by `readTable`. */
export interface TableState extends BucketMasks {
  fillFactor: number;
  expected: number;
  probe: number;
  spares: Uint32Array;
}

export function readTable(meta: Page): TableState {
  const v = meta.view;
  const spares = new Uint32Array(SPARE_COUNT);
  for (let i = 0; i < SPARE_COUNT; i++) spares[i] = v.getUint32(OFF_SPARES + 4 * i, true);
  return {
    maxBucket: v.getUint32(OFF_MAX_BUCKET, true),
    highMask: v.getUint32(OFF_HIGH_MASK, true),
    lowMask: v.getUint32(OFF_LOW_MASK, true),
    fillFactor: v.getUint32(OFF_FILL_FACTOR, true),
    expected: v.getUint32(OFF_EXPECTED, true),
    probe: v.getUint32(OFF_PROBE, true),
    spares,
  };
}

export function writeTable(meta: Page, t: TableState): void {
  const v = meta.view;
  v.setUint32(OFF_MAX_BUCKET, t.maxBucket, true);
  v.setUint32(OFF_HIGH_MASK, t.highMask, true);
  v.setUint32(OFF_LOW_MASK, t.lowMask, true);
  v.setUint32(OFF_FILL_FACTOR, t.fillFactor, true);
  v.setUint32(OFF_EXPECTED, t.expected, true);
  v.setUint32(OFF_PROBE, t.probe, true);
  for (let i = 0; i < SPARE_COUNT; i++) v.setUint32(OFF_SPARES + 4 * i, t.spares[i]!, true);
}

/** The primary page of bucket `b` (invariant 1). */
export function bucketPage(t: TableState, bucket: number): Pgno {
  return (bucket + t.spares[levelOf(bucket)]!) as Pgno;
}

/**
 * Longest key kept on the bucket page (a quarter page, as the real library, up to what an
 * item header records); longer keys go to an overflow chain.
 */
export function maxInlineKey(pageSize: number): number {
  return Math.min(pageSize >>> 2, MAX_KEY_PART);
}

/** Longest value kept on the bucket page. */
export function maxInlineValue(pageSize: number): number {
  return pageSize >>> 2;
}

/** An item's flags. */
export function itemFlags(data: Uint8Array, at: number): number {
  return data[at]! & 7;
}

/** Bytes of an item's key part. */
export function keyPartLength(data: Uint8Array, at: number): number {
  return (data[at]! >>> ITEM_FLAG_BITS) | (data[at + 1]! << (8 - ITEM_FLAG_BITS));
}

/** Writes an item's header. */
export function writeItemHeader(data: Uint8Array, at: number, flags: number, keyPart: number):
  void {
  assert(keyPart <= MAX_KEY_PART && flags < 8, 'a hash item header records the key part');
  data[at] = (flags | (keyPart << ITEM_FLAG_BITS)) & 0xff;
  data[at + 1] = keyPart >>> (8 - ITEM_FLAG_BITS);
}

export function readRef(data: Uint8Array, at: number): { pgno: Pgno; length: number } {
  const v = new DataView(data.buffer, data.byteOffset + at, OVERFLOW_REF);
  return { pgno: v.getUint32(0, true) as Pgno, length: v.getUint32(4, true) };
}

export function writeRef(data: Uint8Array, at: number, first: Pgno, length: number): void {
  const v = new DataView(data.buffer, data.byteOffset + at, OVERFLOW_REF);
  v.setUint32(0, first, true);
  v.setUint32(4, length, true);
}
