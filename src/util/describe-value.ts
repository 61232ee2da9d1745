/**
 * Short, safe descriptions of arbitrary values for error messages. Every message that shows
 * a value a user passed in builds it with these, never with `String(x)`, `JSON.stringify(x)`
 * or a template literal of `x`: those throw on symbols, bigints (JSON), objects without a
 * prototype, throwing `toString` methods and getters, and proxies.
 *
 * Layer: util (rank 0). Imports nothing.
 *
 * Invariants:
 * 1. Never throws, whatever the input (proxies, revoked proxies, getters and `toString`
 *    that throw, circular objects included). It calls no `toString` and reads no property
 *    of an object but array items, the prototype chain and a function's own `name`.
 * 2. Output is at most about 80 characters.
 */

const TEXT_LIMIT = 60;

/** The type of `value` as a user thinks of it: `null`, `object (User)`, `Map`, `bigint`... */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  const kind = typeof value;
  if (kind !== 'object') return kind;
  try {
    if (Array.isArray(value)) return 'array';
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

/**
 * The message of a thrown value, for a message that reports it as a cause: an `Error`'s own
 * `message` when it is a string, else the value described.
 */
export function describeError(error: unknown): string {
  try {
    if (error instanceof Error && typeof error.message === 'string') return clip(error.message);
  } catch {
    // A proxy or a throwing getter: fall through to the description.
  }
  return describeValue(error);
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
      return clip(Symbol.prototype.toString.call(value));
    case 'function':
      return `function ${functionName(value)}`;
    default:
      return renderObject(value as object | null, depth);
  }
}

/** A function's own `name` when it is a plain data property holding a string. */
function functionName(fn: unknown): string {
  const descriptor = Object.getOwnPropertyDescriptor(fn, 'name');
  const name: unknown = descriptor?.value;
  return typeof name === 'string' && name !== '' ? clip(name) : '(anonymous)';
}

function renderObject(value: object | null, depth: number): string {
  if (value === null) return 'null';
  if (value instanceof Date) {
    const time = Date.prototype.getTime.call(value);
    return Number.isNaN(time) ? 'Date(Invalid Date)' : `Date(${new Date(time).toISOString()})`;
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
