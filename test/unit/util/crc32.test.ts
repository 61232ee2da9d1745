/**
 * CRC-32 (util/crc32.ts): the table loop used for short ranges and the native sum used for
 * long ones must agree with the standard check value and with each other at every length,
 * offset and seed.
 *
 * Layer: test (util).
 */
import { describe, expect, it } from 'vitest';
import * as zlib from 'node:zlib';
import { crc32 } from '../../../src/util/index.js';

/** Deterministic bytes: every value appears, in no simple pattern. */
function bytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** The textbook bit-at-a-time CRC-32 (IEEE, reflected), as the reference. */
function reference(data: Uint8Array, seed = 0): number {
  let c = ~seed >>> 0;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}

describe('crc32', () => {
  it('gives the standard check value of "123456789"', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('agrees with the reference at every length from 0 to 600, at unaligned offsets', () => {
    const data = bytes(700);
    for (let n = 0; n <= 600; n++) {
      const offset = n % 7;
      const range = data.subarray(offset, offset + n);
      expect(crc32(range), `length ${n}`).toBe(reference(range));
    }
  });

  it('continues from a seed across the short and long paths', () => {
    const data = bytes(1000);
    for (const cut of [0, 1, 3, 100, 255, 256, 257, 999, 1000]) {
      const whole = crc32(data);
      expect(crc32(data.subarray(cut), crc32(data.subarray(0, cut))), `cut ${cut}`).toBe(whole);
      expect(crc32(data.subarray(cut), 0x12345678)).toBe(reference(data.subarray(cut),
        0x12345678));
    }
  });

  const native = (zlib as unknown as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;
  it.skipIf(!native)('matches the native sum (the runtime has one)', () => {
    const data = bytes(4096);
    for (const n of [0, 5, 64, 255, 256, 4096]) {
      expect(crc32(data.subarray(0, n))).toBe(native!(data.subarray(0, n)) >>> 0);
    }
  });
});
