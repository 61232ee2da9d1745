/**
 * The keys and data a script draws from: a few one-letter keys and short values for small
 * scripts; hundreds of keys, overflow keys, values of several KB and hot keys with hundreds
 * of duplicates for large ones. All are printable ASCII (JSON strings).
 *
 * Layer: conformance tooling (no engine imports).
 *
 * Invariants:
 * 1. Every string is non-empty printable ASCII (0x20-0x7e), so it survives the oracle's
 *    JSON, Perl strings and Stowage's UTF-8 unchanged.
 * 2. A key is either short (at most 40 bytes) or long (more than a quarter page), never in
 *    between, so the `long-keys` group is exactly the overflow keys.
 * 3. The same generator state gives the same strings.
 * 4. Limits (`VocabularyLimits`) only cap what is drawn: the generator draws the same
 *    numbers with them as without, so the scripts of the families without limits do not
 *    change.
 */
import type { Prng } from './prng.js';

/** Small scripts: stored keys, and keys before, between and after them that may miss. */
export const SMALL_KEYS = ['a', 'b', 'c', 'd', 'e', 'f'];
export const SMALL_MISSES = ['0', 'bb', 'c0', 'dd', 'g', 'z'];
/** Small data, including JSON-escaped characters; few enough that GET_BOTH often hits. */
export const SMALL_DATA = ['1', '2', '3', 'x', 'yy', 'q"uote', 'back\\slash', 'a b'];

const FILLER = 'abcdefghijklmnopqrstuvwxyz0123456789-_.~ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** `length` printable characters, varied by `salt`. */
export function filler(length: number, salt: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += FILLER[(salt * 7 + i * 13) % FILLER.length];
  return out;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** What a family's large scripts must stay within (invariant 4). */
export interface VocabularyLimits {
  /** The shortest value to give (shorter ones are padded); undefined: from 1 byte. */
  shortestData?: number;
  /** The longest value to give; undefined: values of several KB too. */
  longestData?: number;
}

/** The keys and data of one large script. */
export class LargeVocabulary {
  /** Key numbers that get an overflow key (more than a quarter page). */
  private readonly longKeys = new Set<number>();

  constructor(
    private readonly prng: Prng,
    readonly keyCount: number,
    private readonly pageSize: number,
    private readonly limits: VocabularyLimits = {},
  ) {
    for (let i = 0; i < keyCount; i++) if (prng.chance(0.1)) this.longKeys.add(i);
  }

  /** Key number `i` (short, or long for about one key in ten). */
  key(i: number): string {
    const base = `k${pad(i, 4)}`;
    if (!this.longKeys.has(i)) return base;
    const length = this.pageSize / 4 + 1 + ((i * 37) % (this.pageSize * 2));
    return `${base}-${filler(length - base.length - 1, i)}`;
  }

  /** A random key number's key: about one draw in eight is a key no one stores. */
  anyKey(): string {
    if (this.prng.chance(0.125)) return `k${pad(this.prng.int(this.keyCount), 4)}+`;
    return this.key(this.prng.int(this.keyCount));
  }

  /**
   * A value: mostly short, some of a few hundred bytes, some of several KB (overflow); under
   * a `longestData` limit the longer ones are up to the limit instead.
   */
  data(tag: string): string {
    const roll = this.prng.next();
    const longest = this.limits.longestData;
    const length = roll < 0.7 ? this.prng.between(1, 12)
      : roll < 0.9 ? this.prng.between(50, Math.min(400, longest ?? 400))
        : longest === undefined ? this.prng.between(1500, 6000)
          : this.prng.between(longest - 20, longest);
    const head = `${tag}.`;
    return this.fit(length <= head.length ? head : head + filler(length - head.length, length));
  }

  /** Duplicate number `j` of a hot key (sorts by `j`; a few are long). */
  dupData(j: number): string {
    const base = `h${pad(j, 4)}`;
    if (!this.prng.chance(0.05)) return this.fit(base);
    const longest = this.limits.longestData;
    const tail = longest === undefined ? this.prng.between(200, 2500)
      : this.prng.between(longest - base.length - 21, longest - base.length - 1);
    return this.fit(`${base}.${filler(tail, j)}`);
  }

  /**
   * `value` within the limits: padded (`value`, a dot, filler) to `shortestData` and cut to
   * `longestData`. The same value always gives the same result, so a short form of a hot
   * key's duplicate (`h0042`) names the duplicate that `dupData` stored.
   */
  fit(value: string): string {
    const { shortestData, longestData } = this.limits;
    let out = value;
    if (shortestData !== undefined && out.length < shortestData) {
      out = `${out}.${filler(shortestData - out.length - 1, out.length)}`;
    }
    return longestData !== undefined && out.length > longestData ? out.slice(0, longestData) : out;
  }
}
