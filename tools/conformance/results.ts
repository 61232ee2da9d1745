/**
 * The pieces every operation's answer is built from: the result record before it is
 * encoded, and the text ↔ bytes conversion of keys and data.
 *
 * Layer: conformance tooling (no engine imports).
 *
 * Invariants:
 * 1. Keys and data are strings in scripts and results, stored as their UTF-8 bytes; bytes
 *    that are not valid UTF-8 are an error, never a replacement character.
 */

/** One result before encoding; `rc` is 0 or a Berkeley DB code name. */
export type OracleResult = Record<string, unknown> & { rc: number | string };

const utf8 = new TextEncoder();
const text = new TextDecoder('utf-8', { fatal: true });

/** The bytes of a script string (a missing one is the empty string, as in the oracle). */
export function encode(s: string | undefined): Uint8Array {
  return utf8.encode(s ?? '');
}

/** The string a stored byte array stands for. */
export function decode(bytes: Uint8Array): string {
  return text.decode(bytes);
}

/** A successful answer with `fields`. */
export function ok(fields: Record<string, unknown> = {}): OracleResult {
  return { ...fields, rc: 0 };
}
