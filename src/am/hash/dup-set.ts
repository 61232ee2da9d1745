/**
 * The values of an item: one value, or a key's duplicate set kept on the bucket page (each
 * value as a 4-byte length and its bytes, in the set's order: sorted by the duplicate
 * order, or insertion order).
 *
 * Layer: am/hash (rank 5).
 *
 * Invariants:
 * 1. A duplicate set holds at least one value. A set whose part outgrows the page's inline
 *    value limit is kept whole on an overflow chain instead (flags ITEM_DUPS and
 *    ITEM_VALUE_OVERFLOW), so a value may be as long as any value.
 * 2. Views of a set on the page are valid until the page changes (page-items.ts
 *    invariant 2); a set on a chain is read as a copy.
 */
import type { Frame } from '../../mpool/index.js';
import type { AmFile } from '../common/index.js';
import { DUP_VALUE_HEADER, ITEM_DUPS } from './format.js';
import { flagsOf, itemValue } from './page-items.js';

/** Values of the item at `index` of `frame`. */
export function valueCount(f: AmFile, frame: Frame, index: number): number {
  if (!(flagsOf(frame, index) & ITEM_DUPS)) return 1;
  return setSize(setPart(f, frame, index));
}

/** The duplicate set part of the item at `index` (from its chain when it is on one). */
export function setPart(f: AmFile, frame: Frame, index: number): Uint8Array {
  return itemValue(f, frame, index);
}

/** Value `d` of the item at `index` of `frame` (a view, or a copy from an overflow chain). */
export function valueAt(f: AmFile, frame: Frame, index: number, d: number): Uint8Array {
  if (!(flagsOf(frame, index) & ITEM_DUPS)) return itemValue(f, frame, index);
  return setValueAt(setPart(f, frame, index), d);
}

/** Number of values in a duplicate set's part. */
export function setSize(part: Uint8Array): number {
  let n = 0;
  for (let at = 0; at < part.length; at += DUP_VALUE_HEADER + lengthAt(part, at)) n++;
  return n;
}

function lengthAt(part: Uint8Array, at: number): number {
  return part[at]! | (part[at + 1]! << 8) | (part[at + 2]! << 16) | (part[at + 3]! << 24);
}

function writeLength(part: Uint8Array, at: number, length: number): void {
  part[at] = length & 0xff;
  part[at + 1] = (length >>> 8) & 0xff;
  part[at + 2] = (length >>> 16) & 0xff;
  part[at + 3] = length >>> 24;
}

/** Byte offset of value `d` in a set's part (the part's length for d = size). */
function offsetOf(part: Uint8Array, d: number): number {
  let at = 0;
  for (let i = 0; i < d; i++) at += DUP_VALUE_HEADER + lengthAt(part, at);
  return at;
}

/** Value `d` of a set's part. */
export function setValueAt(part: Uint8Array, d: number): Uint8Array {
  const at = offsetOf(part, d);
  return part.subarray(at + DUP_VALUE_HEADER, at + DUP_VALUE_HEADER + lengthAt(part, at));
}

/** Every value of a set's part, as views. */
export function setValues(part: Uint8Array): Uint8Array[] {
  const values: Uint8Array[] = [];
  for (let at = 0; at < part.length; at += DUP_VALUE_HEADER + lengthAt(part, at)) {
    values.push(part.subarray(at + DUP_VALUE_HEADER, at + DUP_VALUE_HEADER + lengthAt(part, at)));
  }
  return values;
}

/** Bytes a value takes in a set. */
export function setEntryLength(value: Uint8Array): number {
  return DUP_VALUE_HEADER + value.length;
}

/** A set's part holding `values` in order. */
export function encodeSet(values: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const v of values) length += setEntryLength(v);
  const part = new Uint8Array(length);
  let at = 0;
  for (const v of values) {
    writeLength(part, at, v.length);
    part.set(v, at + DUP_VALUE_HEADER);
    at += setEntryLength(v);
  }
  return part;
}

/** A copy of `part` with `value` inserted as value `d`. */
export function insertIntoSet(part: Uint8Array, d: number, value: Uint8Array): Uint8Array {
  const at = offsetOf(part, d);
  const out = new Uint8Array(part.length + setEntryLength(value));
  out.set(part.subarray(0, at));
  writeLength(out, at, value.length);
  out.set(value, at + DUP_VALUE_HEADER);
  out.set(part.subarray(at), at + setEntryLength(value));
  return out;
}

/** A copy of `part` without value `d`. */
export function removeFromSet(part: Uint8Array, d: number): Uint8Array {
  const at = offsetOf(part, d);
  const end = at + DUP_VALUE_HEADER + lengthAt(part, at);
  const out = new Uint8Array(part.length - (end - at));
  out.set(part.subarray(0, at));
  out.set(part.subarray(end), at);
  return out;
}

/** A copy of `part` with value `d` replaced by `value`. */
export function replaceInSet(part: Uint8Array, d: number, value: Uint8Array): Uint8Array {
  return insertIntoSet(removeFromSet(part, d), d, value);
}
