/**
 * CRC-32 of a byte range, the checksum of every page and log record.
 *
 * Layer: util (rank 0).
 *
 * Long ranges use `zlib.crc32` (native, Node >= 20.15): a 4 KiB page costs about a
 * microsecond. Below `NATIVE_FROM` bytes (most log records) the call into native code costs
 * more than the sum itself, and a table-driven loop that takes four bytes a step (slicing by
 * four) is about twice as fast; it also keeps older runtimes correct.
 */
import * as zlib from 'node:zlib';

type NativeCrc = (data: Uint8Array, value?: number) => number;
const native: NativeCrc | undefined = (zlib as unknown as { crc32?: NativeCrc }).crc32;

/** Ranges of at least this many bytes go to the native sum (measured crossover: ~250). */
const NATIVE_FROM = 256;

let tables: Uint32Array | undefined;

/** Four 256-entry tables: byte-wise CRC, then the same shifted by one, two, three bytes. */
function crcTables(): Uint32Array {
  if (tables) return tables;
  const t = new Uint32Array(1024);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    for (let k = 1; k < 4; k++) {
      const prev = t[(k - 1) * 256 + i]!;
      t[k * 256 + i] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  tables = t;
  return t;
}

/** CRC-32 (IEEE) of `data`, continuing from `seed`. */
export function crc32(data: Uint8Array, seed = 0): number {
  if (native && data.length >= NATIVE_FROM) return native(data, seed) >>> 0;
  const t = crcTables();
  let c = ~seed;
  let i = 0;
  const whole = data.length & ~3;
  for (; i < whole; i += 4) {
    c ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    c = t[768 + (c & 0xff)]! ^ t[512 + ((c >>> 8) & 0xff)]! ^ t[256 + ((c >>> 16) & 0xff)]! ^
      t[c >>> 24]!;
  }
  for (; i < data.length; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
