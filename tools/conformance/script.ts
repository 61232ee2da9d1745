/**
 * Oracle scripts and their results as text: the JSON-lines format that
 * test/compat/oracle/bdb_oracle.pl reads and prints, shared by the runner, the generator,
 * the differ and the CLI.
 *
 * Layer: conformance tooling (outside the engine; imports nothing from src/).
 *
 * Invariants:
 * 1. A script is one JSON object a line; blank lines and lines starting with `#` are
 *    skipped, as the oracle skips them, so operation `i` is the i-th remaining line.
 * 2. Every parsed line keeps its 1-based line number in the file and its text, so an error
 *    can name the line a user has to look at.
 * 3. Result lines are canonical JSON: object keys sorted at every level, no spaces, exactly
 *    what JSON::PP `canonical(1)` prints for the same value.
 */
import * as fs from 'node:fs';

/** One operation of an oracle script (the fields bdb_oracle.pl reads). */
export interface OracleOp {
  op: string;
  type?: string;
  flags?: string[];
  flag?: string;
  txn?: boolean;
  file?: string;
  pagesize?: number;
  /** Hash table settings of an `open` (DB->set_h_ffactor, DB->set_h_nelem). */
  h_ffactor?: number;
  h_nelem?: number;
  key?: string;
  data?: string;
  c?: number;
}

/** One operation with where it came from. */
export interface ScriptLine {
  /** 1-based line number in the script file. */
  lineNumber: number;
  /** The line as written. */
  text: string;
  op: OracleOp;
}

/** A line that is neither blank, a comment, nor a JSON object. */
export class ScriptSyntaxError extends Error {
  override name = 'ScriptSyntaxError';
}

const SKIPPED = /^\s*(#|$)/;

/** Parses script text; throws `ScriptSyntaxError` naming the first bad line. */
export function parseScript(text: string): ScriptLine[] {
  const lines: ScriptLine[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (SKIPPED.test(line)) return;
    lines.push({ lineNumber: index + 1, text: line, op: parseOp(line, index + 1) });
  });
  return lines;
}

function parseOp(line: string, lineNumber: number): OracleOp {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    throw new ScriptSyntaxError(`line ${lineNumber}: not JSON (${(e as Error).message}): ${line}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ScriptSyntaxError(`line ${lineNumber}: not a JSON object: ${line}`);
  }
  if (typeof (value as { op?: unknown }).op !== 'string') {
    throw new ScriptSyntaxError(`line ${lineNumber}: no "op" string: ${line}`);
  }
  return value as OracleOp;
}

/** Reads and parses a script file. */
export function readScript(file: string): ScriptLine[] {
  return parseScript(fs.readFileSync(file, 'utf8'));
}

/** The non-blank, non-comment lines of a result or script file. */
export function readResultLines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((line) => !SKIPPED.test(line));
}

/** JSON with object keys sorted at every level (JSON::PP `canonical(1)`). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  });
}

/** Script text for `ops`, one canonical line each, after optional `#` comment lines. */
export function formatScript(ops: readonly OracleOp[], comments: readonly string[] = []): string {
  const head = comments.map((c) => `# ${c}\n`).join('');
  return head + ops.map((o) => `${JSON.stringify(o)}\n`).join('');
}
