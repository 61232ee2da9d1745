/**
 * The order-preserving 8-byte form of an IEEE 754 double, shared by `codecs.key` (numbers and
 * Dates) and `codecs.float64`.
 *
 * Layer: codec (rank 1). Imports nothing.
 *
 * Transform: take the big-endian bits; a non-negative double gets its sign bit set, a negative
 * double has every bit inverted. Unsigned byte order of the results is then numeric order:
 * -Infinity < negatives < 0 < positives < +Infinity < NaN (NaN only where a caller allows it).
 *
 * Invariants:
 * 1. `-0` is written exactly as `0`: the two are one key, as in `Map`.
 * 2. Any NaN payload is written as the one canonical quiet NaN (0x7FF8000000000000).
 * 3. `readOrderedDouble(writeOrderedDouble(x))` is `x` for every double except -0 (gives 0)
 *    and NaN payloads (give the canonical NaN).
 */

const scratchView = new DataView(new ArrayBuffer(8));

/** Bytes in the ordered form. */
export const ORDERED_DOUBLE_SIZE = 8;

/**
 * Writes the ordered form of `value` into `target[offset, offset + 8)`.
 * @requires `target.length >= offset + 8`.
 */
export function writeOrderedDouble(value: number, target: Uint8Array, offset: number): void {
  // `value === 0` is true for -0 too; NaN !== NaN selects the canonical NaN.
  const normal = value === 0 ? 0 : value !== value ? Number.NaN : value;
  scratchView.setFloat64(0, normal);
  const high = scratchView.getUint8(0);
  if (high & 0x80) {
    for (let i = 0; i < 8; i++) target[offset + i] = ~scratchView.getUint8(i) & 0xff;
  } else {
    target[offset] = high | 0x80;
    for (let i = 1; i < 8; i++) target[offset + i] = scratchView.getUint8(i);
  }
}

/**
 * Reads the double whose ordered form is `bytes[offset, offset + 8)`.
 * @requires `bytes.length >= offset + 8`.
 */
export function readOrderedDouble(bytes: Uint8Array, offset: number): number {
  const high = bytes[offset]!;
  if (high & 0x80) {
    scratchView.setUint8(0, high & 0x7f);
    for (let i = 1; i < 8; i++) scratchView.setUint8(i, bytes[offset + i]!);
  } else {
    for (let i = 0; i < 8; i++) scratchView.setUint8(i, ~bytes[offset + i]! & 0xff);
  }
  return scratchView.getFloat64(0);
}
