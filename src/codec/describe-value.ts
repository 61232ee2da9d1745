/**
 * Short, safe descriptions of arbitrary values for error messages.
 *
 * Layer: codec (rank 1). Imports nothing.
 *
 * Invariants:
 * 1. Never throws, whatever the input (proxies, getters and `toString` that throw included).
 * 2. Output is at most about 80 characters.
 */

const TEXT_LIMIT = 60;

/** The type of `value` as a user thinks of it: `null`, `object (User)`, `Map`, `bigint`... */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  const kind = typeof value;
  if (kind !== 'object') return kind;
  if (Array.isArray(value)) return 'array';
  try {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)
      ?.constructor?.name;
    if (typeof name === 'string' && name !== '' && name !== 'Object') return `object (${name})`;
    return 'object';
  } catch {
    return 'object';
  }
}

/** A short rendering of `value`: `"abc"`, `12`, `5n`, `Date(2024-01-01T00:00:00.000Z)`... */
export function describeValue(value: unknown): string {
  try {
    return clip(render(value, 0));
  } catch {
    return describeType(value);
  }
}

function render(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(clip(value));
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${clip(value.toString())}n`;
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'symbol':
      return value.toString();
    case 'function':
      return `function ${value.name || '(anonymous)'}`;
    default:
      return renderObject(value as object | null, depth);
  }
}

function renderObject(value: object | null, depth: number): string {
  if (value === null) return 'null';
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? 'Date(Invalid Date)' : `Date(${value.toISOString()})`;
  }
  if (value instanceof Uint8Array) {
    const hex = Buffer.from(value.buffer, value.byteOffset, Math.min(value.length, 16))
      .toString('hex');
    return `Uint8Array(${value.length})[${hex}${value.length > 16 ? '...' : ''}]`;
  }
  if (Array.isArray(value)) {
    if (depth >= 2) return '[...]';
    const shown = value.slice(0, 4).map((item: unknown) => render(item, depth + 1));
    return `[${shown.join(', ')}${value.length > 4 ? ', ...' : ''}]`;
  }
  return describeType(value);
}

function clip(text: string): string {
  return text.length > TEXT_LIMIT ? `${text.slice(0, TEXT_LIMIT)}...` : text;
}
