/**
 * CRC-32 of a byte range, the checksum of every page and log record.
 *
 * Layer: util (rank 0).
 *
 * Uses `zlib.crc32` (native, Node >= 20.15) so checksumming a 4 KiB page costs about a
 * microsecond; the table fallback below keeps older runtimes correct, not fast.
 */
import * as zlib from 'node:zlib';

type NativeCrc = (data: Uint8Array, value?: number) => number;
const native: NativeCrc | undefined = (zlib as unknown as { crc32?: NativeCrc }).crc32;

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
}

/** CRC-32 (IEEE) of `data`, continuing from `seed`. */
export function crc32(data: Uint8Array, seed = 0): number {
  if (native) return native(data, seed) >>> 0;
  const t = crcTable();
  let c = ~seed >>> 0;
  for (let i = 0; i < data.length; i++) c = (t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8)) >>> 0;
  return ~c >>> 0;
}
