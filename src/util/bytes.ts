/**
 * Byte helpers shared by every layer: comparison, equality, copying, hex.
 *
 * Layer: util (rank 0).
 */
import { copyOf } from './alloc.js';

/** Lexicographic byte comparison: negative, zero or positive, like `Buffer.compare`. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const len = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < len; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** True when both arrays hold the same bytes. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A fresh copy the caller may keep (see alloc.ts for how it is allocated). */
export function copyBytes(src: Uint8Array): Uint8Array {
  return copyOf(src);
}

/** Lower-case hex of the bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Parses lower- or upper-case hex. */
export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
