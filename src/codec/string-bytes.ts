/**
 * JS strings to bytes and back: UTF-8, extended to WTF-8 so that every JS string round-trips.
 *
 * Layer: codec (rank 1). Imports util only.
 *
 * A JS string is a sequence of UTF-16 code units and may hold lone surrogates, which UTF-8
 * cannot represent. WTF-8 (https://simonsapin.github.io/wtf-8/) writes a lone surrogate as
 * the 3-byte generalised UTF-8 form of its code point (ED A0 80 .. ED BF BF) and everything
 * else exactly as UTF-8. Pure ASCII takes a plain char loop on encode and the engine's native
 * UTF-8 slice on decode: the hot path of 16-byte string keys.
 *
 * Invariants:
 * 1. `readString(writeString(s))` is `s` for every JS string, lone surrogates included.
 * 2. Unsigned byte order of encodings equals code point order of the strings, where a lone
 *    surrogate counts as the code point of its own value (as `for...of` yields it). UTF-8 has
 *    this property and WTF-8 places U+D800..U+DFFF between U+D7FF and U+E000, as needed.
 * 3. A well-formed string encodes to standard UTF-8, byte for byte.
 * 4. The encoding never holds the byte 0xFF, and holds 0x00 only for U+0000.
 */
import { CodecError, allocBytes } from '../util/index.js';

type Slicer = (this: Uint8Array, start: number, end: number) => string;

/**
 * Node's native `Buffer.prototype.utf8Slice` (what `buf.toString('utf8')` runs), used on a
 * plain Uint8Array to skip building a Buffer view. It is not in the typings, so it is looked
 * up defensively; `TextDecoder` takes over if a Node release ever drops it.
 */
const nativeUtf8Slice: Slicer | undefined = (() => {
  const candidate: unknown = Reflect.get(Buffer.prototype, 'utf8Slice');
  return typeof candidate === 'function' ? (candidate as Slicer) : undefined;
})();
const looseDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
const strictDecoder = new TextDecoder('utf-8', { ignoreBOM: true, fatal: true });
const textEncoder = new TextEncoder();

/** Bytes `writeString` needs for `text` (a lone surrogate takes 3 bytes, like U+FFFD). */
export function stringByteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** True when `text` has no lone surrogate (it is valid Unicode, so strict UTF-8 holds it). */
export function isWellFormedString(text: string): boolean {
  return firstLoneSurrogate(text) < 0;
}

/** The index of the first lone surrogate in `text`, or -1. */
export function firstLoneSurrogate(text: string): number {
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    if (unit <= 0xdbff && i + 1 < length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}

/**
 * Writes the WTF-8 bytes of `text` into `target` at `offset`.
 * @requires `target.length - offset >= stringByteLength(text)`.
 * @returns the offset just past the last byte written.
 */
export function writeString(text: string, target: Uint8Array, offset: number): number {
  const length = text.length;
  let i = 0;
  for (; i < length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0x80) break;
    target[offset + i] = unit;
  }
  if (i === length) return offset + length;
  const rest = text.slice(i);
  const restOffset = offset + i;
  if (isWellFormedString(rest)) {
    return restOffset + textEncoder.encodeInto(rest, target.subarray(restOffset)).written;
  }
  return writeWtf8(rest, target, restOffset);
}

/** The WTF-8 bytes of `text` in a fresh array. */
export function stringToBytes(text: string): Uint8Array {
  const target = allocBytes(stringByteLength(text));
  writeString(text, target, 0);
  return target;
}

/** Code-unit-by-code-unit WTF-8 writer for strings that hold lone surrogates. */
function writeWtf8(text: string, target: Uint8Array, offset: number): number {
  let at = offset;
  for (let i = 0; i < text.length; i++) {
    let point = text.charCodeAt(i);
    if (point >= 0xd800 && point <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        point = 0x10000 + ((point - 0xd800) << 10) + (next - 0xdc00);
        i++;
      }
    }
    if (point < 0x80) {
      target[at++] = point;
    } else if (point < 0x800) {
      target[at++] = 0xc0 | (point >> 6);
      target[at++] = 0x80 | (point & 0x3f);
    } else if (point < 0x10000) {
      target[at++] = 0xe0 | (point >> 12);
      target[at++] = 0x80 | ((point >> 6) & 0x3f);
      target[at++] = 0x80 | (point & 0x3f);
    } else {
      target[at++] = 0xf0 | (point >> 18);
      target[at++] = 0x80 | ((point >> 12) & 0x3f);
      target[at++] = 0x80 | ((point >> 6) & 0x3f);
      target[at++] = 0x80 | (point & 0x3f);
    }
  }
  return at;
}

/** Longest ASCII string `shortAscii` builds: below it a native decode costs more. */
const SHORT_ASCII = 8;
const fromCodes = String.fromCharCode;

/**
 * The ASCII string of the `n` (at most `SHORT_ASCII`) bytes at `s`, built from char codes:
 * for short strings twice as fast as the native UTF-8 decode, whose call costs the most.
 */
function shortAscii(b: Uint8Array, s: number, n: number): string {
  switch (n) {
    case 0: return '';
    case 1: return fromCodes(b[s]!);
    case 2: return fromCodes(b[s]!, b[s + 1]!);
    case 3: return fromCodes(b[s]!, b[s + 1]!, b[s + 2]!);
    case 4: return fromCodes(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!);
    case 5: return fromCodes(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!);
    case 6: return fromCodes(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!);
    case 7:
      return fromCodes(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!);
    default:
      return fromCodes(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!,
        b[s + 7]!);
  }
}

/**
 * Reads the WTF-8 string in `bytes[start, end)`.
 * Malformed input that is not WTF-8 decodes with U+FFFD replacements, as `TextDecoder` does;
 * a malformed surrogate sequence throws `CodecError`.
 */
export function readString(bytes: Uint8Array, start: number, end: number): string {
  let i = start;
  while (i < end && bytes[i]! < 0x80) i++;
  if (i === end && end - start <= SHORT_ASCII) return shortAscii(bytes, start, end - start);
  if (i < end && hasEncodedSurrogate(bytes, i, end)) return readWtf8(bytes, start, end);
  if (nativeUtf8Slice !== undefined) return nativeUtf8Slice.call(bytes, start, end);
  return looseDecoder.decode(bytes.subarray(start, end));
}

/**
 * Reads strict UTF-8 in `bytes[start, end)`.
 * @throws CodecError when the bytes are not valid UTF-8 (including WTF-8 lone surrogates).
 */
export function readStrictUtf8(bytes: Uint8Array, start: number, end: number): string {
  let i = start;
  while (i < end && bytes[i]! < 0x80) i++;
  if (i === end && nativeUtf8Slice !== undefined) return nativeUtf8Slice.call(bytes, start, end);
  try {
    return strictDecoder.decode(bytes.subarray(start, end));
  } catch (cause) {
    throw new CodecError('the bytes are not valid UTF-8', undefined, { cause });
  }
}

/** True when `bytes[from, end)` holds the WTF-8 form of a lone surrogate (ED A0..BF). */
function hasEncodedSurrogate(bytes: Uint8Array, from: number, end: number): boolean {
  for (let i = from; i + 1 < end; i++) {
    if (bytes[i] === 0xed && bytes[i + 1]! >= 0xa0) return true;
  }
  return false;
}

/** Full WTF-8 decoder, used only when an encoded lone surrogate is present. */
function readWtf8(bytes: Uint8Array, start: number, end: number): string {
  const units: number[] = [];
  let i = start;
  while (i < end) {
    const lead = bytes[i]!;
    const size = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
    if (lead >= 0x80 && lead < 0xc0) throw malformed(i);
    if (i + size > end) throw malformed(i);
    let point = size === 1 ? lead : lead & (0xff >> (size + 1));
    for (let k = 1; k < size; k++) {
      const trail = bytes[i + k]!;
      if ((trail & 0xc0) !== 0x80) throw malformed(i + k);
      point = (point << 6) | (trail & 0x3f);
    }
    if (point >= 0x10000) {
      point -= 0x10000;
      units.push(0xd800 + (point >> 10), 0xdc00 + (point & 0x3ff));
    } else {
      units.push(point);
    }
    i += size;
  }
  let text = '';
  const chunkUnits = 4096;
  for (let k = 0; k < units.length; k += chunkUnits) {
    text += String.fromCharCode(...units.slice(k, k + chunkUnits));
  }
  return text;
}

function malformed(offset: number): CodecError {
  return new CodecError(`malformed WTF-8 string bytes at offset ${offset}`);
}
