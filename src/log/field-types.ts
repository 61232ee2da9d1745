/**
 * Field kinds of declared log records: for each kind, its TypeScript value type, its byte
 * encoding, its size and its printed form. `record-type.ts` composes these into whole bodies.
 *
 * Layer: log (rank 2). Imports util only.
 *
 * Encodings (all integers little-endian, like every other log structure):
 *
 *   KIND        SIZE            ENCODING
 *   u8          1               unsigned byte
 *   u16         2               unsigned 16-bit
 *   u32         4               unsigned 32-bit
 *   i32         4               two's-complement 32-bit
 *   bool        1               0 or 1
 *   u53         8               low u32, then high u32 (a safe integer, 0 .. 2^53-1)
 *   f64         8               IEEE-754 double
 *   lsn         8               file number u32, then byte offset u32
 *   pgno        4               u32, typed `Pgno`
 *   fileId      4               u32, typed `FileId`
 *   txnId       4               u32, typed `TxnId`
 *   bytes       4 + n           u32 length n, then n bytes
 *   string      4 + n           u32 length n, then n bytes of UTF-8
 *   bytesList   4 + sum(4 + n)  u32 count, then each item as `bytes`
 *   u32List     4 + 4 * count   u32 count, then each item as `u32`
 *
 * Invariants:
 * 1. `size(v)` equals the number of bytes `write(w, v)` advances `w.pos` by.
 * 2. `read` of what `write` wrote yields an equal value; `bytes` values are fresh copies that
 *    never alias the buffer they were read from, unless the reader was made with
 *    `shareBytes` (then they are views of the reader's own bytes, which the caller owns).
 * 3. `write` rejects a value outside its kind's range with `InvalidArgumentError` before it
 *    writes a byte of it; `read` past the end of its input throws `CorruptionError`.
 */
import {
  CorruptionError,
  InvalidArgumentError,
  makeLsn,
  lsnFile,
  lsnOffset,
  formatLsn,
  toHex,
} from '../util/index.js';
import type { FileId, Lsn, Pgno, TxnId } from '../util/index.js';

/** The value type of each field kind. */
export interface FieldValueMap {
  u8: number;
  u16: number;
  u32: number;
  i32: number;
  bool: boolean;
  u53: number;
  f64: number;
  lsn: Lsn;
  pgno: Pgno;
  fileId: FileId;
  txnId: TxnId;
  bytes: Uint8Array;
  string: string;
  bytesList: readonly Uint8Array[];
  u32List: readonly number[];
}

/** A field kind name: one key of `FieldValueMap`. */
export type FieldKind = keyof FieldValueMap;

/** A record's fields: name to kind, in encoding order. */
export type FieldSpec = Readonly<Record<string, FieldKind>>;

/** The body type a field spec declares. */
export type BodyOf<F extends FieldSpec> = { -readonly [K in keyof F]: FieldValueMap[F[K]] };

/** A write position in a byte array; reused across records so encoding allocates nothing. */
export class ByteWriter {
  bytes: Uint8Array;
  view: DataView;
  pos = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Points the writer at a new array (after the owner grew its buffer). */
  reset(bytes: Uint8Array, pos: number): void {
    if (bytes !== this.bytes) {
      this.bytes = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    this.pos = pos;
  }
}

/**
 * A bounded read position in a byte array. `name` names the input in error messages (a
 * function is only called when an error needs it); `view` may be passed when the caller
 * already has one over all of `bytes`; with `shareBytes`, byte fields are read as views of
 * `bytes` instead of copies.
 */
export class ByteReader {
  readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    readonly end: number,
    private readonly name: string | (() => string),
    view?: DataView,
    readonly shareBytes = false,
  ) {
    this.view = view ?? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** What is being read, for error messages. */
  get what(): string {
    return typeof this.name === 'string' ? this.name : this.name();
  }

  /** Throws `CorruptionError` unless `count` more bytes are available. */
  need(count: number): void {
    if (this.pos + count > this.end) {
      throw new CorruptionError(
        `${this.what}: field runs past the end of the record (${count} bytes needed at ` +
          `${this.pos}, record ends at ${this.end})`,
      );
    }
  }
}

/** How one field kind is sized, written, read and printed. */
export interface FieldCodec {
  /** The encoded size when it does not depend on the value. */
  readonly fixedSize: number | undefined;
  size(value: unknown, name: string): number;
  write(w: ByteWriter, value: unknown, name: string): void;
  read(r: ByteReader): unknown;
  print(value: unknown): string;
}

const TWO_32 = 2 ** 32;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** How many bytes or list items `print` shows before it elides the rest. */
const PRINT_BYTES_MAX = 32;
const PRINT_ITEMS_MAX = 8;
const PRINT_CHARS_MAX = 64;

function bad(name: string, kind: string, value: unknown): InvalidArgumentError {
  const simple = typeof value === 'number' || typeof value === 'boolean';
  const shown = simple ? String(value) : typeof value;
  return new InvalidArgumentError(`log field '${name}' must be a ${kind}, got ${shown}`);
}

function isUint(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;
}

function uintCodec(sizeBytes: 1 | 2 | 4, kind: string): FieldCodec {
  const max = 2 ** (8 * sizeBytes) - 1;
  return {
    fixedSize: sizeBytes,
    size: () => sizeBytes,
    write(w, value, name) {
      if (!isUint(value, max)) throw bad(name, kind, value);
      if (sizeBytes === 1) w.view.setUint8(w.pos, value);
      else if (sizeBytes === 2) w.view.setUint16(w.pos, value, true);
      else w.view.setUint32(w.pos, value, true);
      w.pos += sizeBytes;
    },
    read(r) {
      r.need(sizeBytes);
      const v =
        sizeBytes === 1
          ? r.view.getUint8(r.pos)
          : sizeBytes === 2
            ? r.view.getUint16(r.pos, true)
            : r.view.getUint32(r.pos, true);
      r.pos += sizeBytes;
      return v;
    },
    print: (value) => String(value),
  };
}

const i32Codec: FieldCodec = {
  fixedSize: 4,
  size: () => 4,
  write(w, value, name) {
    const ok = typeof value === 'number' && Number.isInteger(value);
    if (!ok || value < -(2 ** 31) || value > 2 ** 31 - 1) throw bad(name, 'i32', value);
    w.view.setInt32(w.pos, value, true);
    w.pos += 4;
  },
  read(r) {
    r.need(4);
    const v = r.view.getInt32(r.pos, true);
    r.pos += 4;
    return v;
  },
  print: (value) => String(value),
};

const boolCodec: FieldCodec = {
  fixedSize: 1,
  size: () => 1,
  write(w, value, name) {
    if (typeof value !== 'boolean') throw bad(name, 'boolean', value);
    w.view.setUint8(w.pos, value ? 1 : 0);
    w.pos += 1;
  },
  read(r) {
    r.need(1);
    const v = r.view.getUint8(r.pos);
    if (v > 1) throw new CorruptionError(`${r.what}: boolean byte ${v} at ${r.pos}`);
    r.pos += 1;
    return v === 1;
  },
  print: (value) => String(value),
};

/** Writes a non-negative safe integer as two u32 words (low first). */
function writeU53(w: ByteWriter, value: number): void {
  w.view.setUint32(w.pos, value >>> 0, true);
  w.view.setUint32(w.pos + 4, Math.floor(value / TWO_32), true);
  w.pos += 8;
}

function readU53(r: ByteReader): number {
  r.need(8);
  const low = r.view.getUint32(r.pos, true);
  const high = r.view.getUint32(r.pos + 4, true);
  r.pos += 8;
  return high * TWO_32 + low;
}

const u53Codec: FieldCodec = {
  fixedSize: 8,
  size: () => 8,
  write(w, value, name) {
    if (!isUint(value, Number.MAX_SAFE_INTEGER)) throw bad(name, 'u53 (safe integer)', value);
    writeU53(w, value);
  },
  read(r) {
    const v = readU53(r);
    if (!Number.isSafeInteger(v)) throw new CorruptionError(`${r.what}: u53 out of range`);
    return v;
  },
  print: (value) => String(value),
};

const f64Codec: FieldCodec = {
  fixedSize: 8,
  size: () => 8,
  write(w, value, name) {
    if (typeof value !== 'number') throw bad(name, 'number', value);
    w.view.setFloat64(w.pos, value, true);
    w.pos += 8;
  },
  read(r) {
    r.need(8);
    const v = r.view.getFloat64(r.pos, true);
    r.pos += 8;
    return v;
  },
  print: (value) => String(value),
};

const lsnCodec: FieldCodec = {
  fixedSize: 8,
  size: () => 8,
  write(w, value, name) {
    if (!isUint(value, Number.MAX_SAFE_INTEGER)) throw bad(name, 'lsn', value);
    const lsn = value as Lsn;
    w.view.setUint32(w.pos, lsnFile(lsn), true);
    w.view.setUint32(w.pos + 4, lsnOffset(lsn), true);
    w.pos += 8;
  },
  read(r) {
    r.need(8);
    const file = r.view.getUint32(r.pos, true);
    const offset = r.view.getUint32(r.pos + 4, true);
    r.pos += 8;
    return makeLsn(file, offset);
  },
  print: (value) => formatLsn(value as Lsn),
};

function readLength(r: ByteReader): number {
  r.need(4);
  const n = r.view.getUint32(r.pos, true);
  r.pos += 4;
  return n;
}

function readBytes(r: ByteReader): Uint8Array {
  const n = readLength(r);
  r.need(n);
  const v = r.shareBytes ? r.bytes.subarray(r.pos, r.pos + n) : r.bytes.slice(r.pos, r.pos + n);
  r.pos += n;
  return v;
}

function writeBytes(w: ByteWriter, value: Uint8Array): void {
  w.view.setUint32(w.pos, value.length, true);
  w.bytes.set(value, w.pos + 4);
  w.pos += 4 + value.length;
}

/** Printable ASCII text in quotes when every byte is printable, else hex; long values elided. */
export function printBytes(value: Uint8Array): string {
  const shown = value.length > PRINT_BYTES_MAX ? value.subarray(0, PRINT_BYTES_MAX) : value;
  const more = value.length > PRINT_BYTES_MAX ? `...(${value.length} bytes)` : '';
  let printable = shown.length > 0;
  for (const b of shown) {
    if (b < 0x20 || b > 0x7e || b === 0x22 || b === 0x5c) {
      printable = false;
      break;
    }
  }
  if (printable) return `"${String.fromCharCode(...shown)}"${more}`;
  return `0x${toHex(shown)}${more}`;
}

const bytesCodec: FieldCodec = {
  fixedSize: undefined,
  size(value, name) {
    if (!(value instanceof Uint8Array)) throw bad(name, 'Uint8Array', value);
    return 4 + value.length;
  },
  write: (w, value) => writeBytes(w, value as Uint8Array),
  read: readBytes,
  print: (value) => printBytes(value as Uint8Array),
};

const stringCodec: FieldCodec = {
  fixedSize: undefined,
  size(value, name) {
    if (typeof value !== 'string') throw bad(name, 'string', value);
    return 4 + Buffer.byteLength(value, 'utf8');
  },
  write(w, value) {
    const target = w.bytes.subarray(w.pos + 4);
    const { written } = textEncoder.encodeInto(value as string, target);
    w.view.setUint32(w.pos, written, true);
    w.pos += 4 + written;
  },
  read(r) {
    const n = readLength(r);
    r.need(n);
    let v: string;
    try {
      v = textDecoder.decode(r.bytes.subarray(r.pos, r.pos + n));
    } catch {
      throw new CorruptionError(`${r.what}: string field is not valid UTF-8`);
    }
    r.pos += n;
    return v;
  },
  print(value) {
    const s = value as string;
    const shown = s.length > PRINT_CHARS_MAX ? `${s.slice(0, PRINT_CHARS_MAX)}...` : s;
    return JSON.stringify(shown);
  },
};

function printList(items: readonly unknown[], each: (item: unknown) => string): string {
  const shown = items.slice(0, PRINT_ITEMS_MAX).map(each);
  if (items.length > PRINT_ITEMS_MAX) shown.push(`...(${items.length} items)`);
  return `[${shown.join(', ')}]`;
}

const bytesListCodec: FieldCodec = {
  fixedSize: undefined,
  size(value, name) {
    if (!Array.isArray(value)) throw bad(name, 'Uint8Array[]', value);
    let total = 4;
    for (const item of value) {
      if (!(item instanceof Uint8Array)) throw bad(name, 'Uint8Array[]', item);
      total += 4 + item.length;
    }
    return total;
  },
  write(w, value) {
    const list = value as readonly Uint8Array[];
    w.view.setUint32(w.pos, list.length, true);
    w.pos += 4;
    for (const item of list) writeBytes(w, item);
  },
  read(r) {
    const count = readLength(r);
    // Each item takes at least 4 bytes, which bounds the loop by the record's size.
    r.need(count * 4);
    const list: Uint8Array[] = [];
    for (let i = 0; i < count; i++) list.push(readBytes(r));
    return list;
  },
  print: (value) => printList(value as readonly Uint8Array[], (b) => printBytes(b as Uint8Array)),
};

const u32ListCodec: FieldCodec = {
  fixedSize: undefined,
  size(value, name) {
    if (!Array.isArray(value)) throw bad(name, 'number[]', value);
    for (const item of value) if (!isUint(item, TWO_32 - 1)) throw bad(name, 'u32 list', item);
    return 4 + 4 * value.length;
  },
  write(w, value) {
    const list = value as readonly number[];
    w.view.setUint32(w.pos, list.length, true);
    w.pos += 4;
    for (const item of list) {
      w.view.setUint32(w.pos, item, true);
      w.pos += 4;
    }
  },
  read(r) {
    const count = readLength(r);
    r.need(count * 4);
    const list: number[] = [];
    for (let i = 0; i < count; i++) list.push(r.view.getUint32(r.pos + 4 * i, true));
    r.pos += count * 4;
    return list;
  },
  print: (value) => printList(value as readonly number[], String),
};

const u32Codec = uintCodec(4, 'u32');

/** The codec of every field kind. */
export const FIELD_CODECS: Readonly<Record<FieldKind, FieldCodec>> = {
  u8: uintCodec(1, 'u8'),
  u16: uintCodec(2, 'u16'),
  u32: u32Codec,
  i32: i32Codec,
  bool: boolCodec,
  u53: u53Codec,
  f64: f64Codec,
  lsn: lsnCodec,
  pgno: u32Codec,
  fileId: u32Codec,
  txnId: u32Codec,
  bytes: bytesCodec,
  string: stringCodec,
  bytesList: bytesListCodec,
  u32List: u32ListCodec,
};

/** True when `kind` names a field kind. */
export function isFieldKind(kind: unknown): kind is FieldKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(FIELD_CODECS, kind);
}
