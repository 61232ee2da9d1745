/**
 * Small byte arrays carved from shared slabs. In V8 every `new Uint8Array(n)` creates its own
 * ArrayBuffer, which costs several hundred nanoseconds; a view on an existing slab costs a
 * few dozen. Keys, values and log records on the hot paths are allocated here.
 *
 * Layer: util (rank 0).
 *
 * Invariants:
 * 1. A returned array never overlaps another live one; slabs are never reused, only dropped
 *    when no view references them (garbage collection frees them).
 * 2. Arrays above `SMALL_MAX_BYTES` get their own buffer, so one kept value pins at most one
 *    slab of `SLAB_BYTES`.
 * 3. As with Node's `Buffer.allocUnsafe`, `array.buffer` may be larger than the array: use
 *    `byteOffset`/`byteLength` (or copy) when handing the buffer elsewhere.
 */

/** Size of one slab. Small enough that a retained value pins little memory. */
const SLAB_BYTES = 16 * 1024;
/** Arrays bigger than this are allocated on their own. */
const SMALL_MAX_BYTES = 1024;

let slab = new ArrayBuffer(SLAB_BYTES);
let slabOffset = 0;

/** A zero-filled array of `length` bytes, usually a view on a shared slab. */
export function allocBytes(length: number): Uint8Array {
  if (length > SMALL_MAX_BYTES) return new Uint8Array(length);
  if (slabOffset + length > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabOffset = 0;
  }
  const out = new Uint8Array(slab, slabOffset, length);
  slabOffset += (length + 7) & ~7;
  return out;
}

/** A copy of `source` in a fresh array the caller may keep. */
export function copyOf(source: Uint8Array): Uint8Array {
  const out = allocBytes(source.length);
  out.set(source);
  return out;
}

/**
 * A view of bytes [from, to) of `bytes`, sharing its memory: `subarray` without the species
 * constructor lookup `subarray` makes, which costs it several times more.
 */
export function viewOf(bytes: Uint8Array, from: number, to: number): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset + from, to - from);
}
