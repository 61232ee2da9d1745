/**
 * Compares Stowage's result lines with the real library's, line by line, and describes the
 * first disagreement so that a failure names the operation and both answers.
 *
 * Layer: conformance tooling (no engine imports).
 *
 * Invariants:
 * 1. Two lines agree when they are equal after one normalisation: on the result of a
 *    `c_get GET_RECNO` line, the `key` field is dropped from both. Through the Perl module
 *    the real library returns there a key read from memory it never wrote (it changes from
 *    run to run); only `data`, the record number, is meaningful. Nothing else is ignored.
 * 2. A missing line (one side stopped early) is a disagreement like any other.
 * 3. Reports cut long lines (dumps of large scripts) to a window around the first
 *    character that differs, so the difference is always shown.
 */
import type { ScriptLine } from './script.js';

/** The first line where two runs of one script disagree. */
export interface Difference {
  /** Operation index (`i`), 0-based. */
  index: number;
  /** The script line of that operation, if the script has one there. */
  line: ScriptLine | undefined;
  expected: string | undefined;
  actual: string | undefined;
}

/** A result line as compared (invariant 1). */
export function comparable(result: string, line: ScriptLine | undefined): string {
  if (line?.op.op !== 'c_get' || line.op.flag !== 'GET_RECNO') return result;
  const value = JSON.parse(result) as Record<string, unknown>;
  delete value['key'];
  return JSON.stringify(value);
}

/** The first disagreement of `actual` with `expected`, or undefined when they agree. */
export function firstDifference(script: readonly ScriptLine[], expected: readonly string[],
  actual: readonly string[]): Difference | undefined {
  const count = Math.max(expected.length, actual.length);
  for (let index = 0; index < count; index++) {
    const e = expected[index];
    const a = actual[index];
    const line = script[index];
    if (e !== undefined && a !== undefined && comparable(e, line) === comparable(a, line)) {
      continue;
    }
    return { index, line, expected: e, actual: a };
  }
  return undefined;
}

const WINDOW = 300;

/** `text` cut to a window around `at` when it is long (invariant 3). */
function around(text: string, at: number): string {
  if (text.length <= 2 * WINDOW) return text;
  const start = Math.max(0, at - WINDOW / 2);
  const end = Math.min(text.length, start + WINDOW);
  const head = start > 0 ? `…(${start} chars)` : '';
  const tail = end < text.length ? `(${text.length - end} more chars)…` : '';
  return `${head}${text.slice(start, end)}${tail}`;
}

function firstDifferentChar(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** A readable report of `d`: the operation, the real library's answer, Stowage's. */
export function describeDifference(d: Difference): string {
  const e = d.expected ?? '(no line: the run stopped before)';
  const a = d.actual ?? '(no line: the run stopped before)';
  const at = firstDifferentChar(e, a);
  const where = d.line === undefined ? '(no operation)'
    : `script line ${d.line.lineNumber}: ${around(d.line.text, 0)}`;
  return [`operation ${d.index}, ${where}`,
    `  Berkeley DB: ${around(e, at)}`,
    `  Stowage:     ${around(a, at)}`].join('\n');
}
