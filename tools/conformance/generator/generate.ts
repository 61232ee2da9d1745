/**
 * The seeded script generator's entry point: a spec (family, size, transactional or not,
 * page size, seed, groups to leave out) gives one oracle script, the same for the same spec
 * on any machine; a family, a count and a seed give a rotation of specs.
 *
 * Layer: conformance tooling (no engine imports).
 *
 * Invariants:
 * 1. `generateScript(spec)` is a pure function of `spec`; the script's first lines are
 *    comments naming the spec (the oracle and the runner skip them), so a script on disk
 *    says how to make it again.
 * 2. `scriptSpecs` rotates through small and large, without and with transactions, and the
 *    five page sizes (large scripts always at 512 bytes), each script with a seed of its own
 *    drawn from the given one. Hash families also rotate through four table settings: the
 *    defaults, a fill factor, a fill factor with an expected size, an expected size alone
 *    (which the real library reads only with a fill factor), their values drawn from the
 *    script's seed.
 */
import { type OracleOp, formatScript } from '../script.js';
import { type Family, FAMILIES, type HashSettings, PAGE_SIZES, TRAITS } from './families.js';
import { type OpGroup } from './op-groups.js';
import { Prng } from './prng.js';
import { ScriptBuilder } from './script-builder.js';
import { smallScript } from './small-script.js';
import { largeScript } from './large-script.js';

export type ScriptSize = 'small' | 'large';

export interface ScriptSpec {
  family: Family;
  size: ScriptSize;
  txn: boolean;
  pageSize: number;
  seed: number;
  /** A hash family's table settings (absent: the library's defaults). */
  hash?: HashSettings;
  /** Operation groups to leave out (op-groups.ts). */
  exclude?: readonly OpGroup[];
}

export interface GeneratedScript {
  /** A file name without extension that says what the script is. */
  name: string;
  spec: ScriptSpec;
  ops: OracleOp[];
  /** The script file's text: the spec as comments, then one operation a line. */
  text: string;
  /** How many operations each excluded group took out. */
  dropped: ReadonlyMap<OpGroup, number>;
}

/** The name of the script `spec` gives. */
export function scriptName(spec: ScriptSpec): string {
  const txn = spec.txn ? 'txn' : 'notxn';
  const ffactor = spec.hash?.ffactor === undefined ? '' : `-ff${spec.hash.ffactor}`;
  const nelem = spec.hash?.nelem === undefined ? '' : `-ne${spec.hash.nelem}`;
  return `${spec.family}-${spec.size}-${txn}-p${spec.pageSize}${ffactor}${nelem}-s${spec.seed}`;
}

/** Generates the script of `spec`. */
export function generateScript(spec: ScriptSpec): GeneratedScript {
  const exclude = new Set(spec.exclude ?? []);
  const b = new ScriptBuilder({ family: spec.family, txn: spec.txn, pageSize: spec.pageSize,
    hash: spec.hash ?? {}, exclude });
  const prng = new Prng(spec.seed);
  if (spec.size === 'small') {
    smallScript(b, prng);
    b.finish();
  } else {
    largeScript(b, prng);
  }
  const ops = b.ops;
  const comments = [
    `Stowage conformance script ${scriptName(spec)}`,
    `spec ${JSON.stringify({ ...spec, exclude: [...exclude] })}`,
  ];
  return { name: scriptName(spec), spec, ops, text: formatScript(ops, comments),
    dropped: b.dropped };
}

/** `count` specs for `family` from `seed` (invariant 2). */
export function scriptSpecs(family: Family, count: number, seed: number,
  exclude: readonly OpGroup[] = []): ScriptSpec[] {
  const prng = new Prng((seed ^ Math.imul(FAMILIES.indexOf(family) + 1, 0x9e3779b1)) >>> 0);
  const specs: ScriptSpec[] = [];
  for (let i = 0; i < count; i++) {
    const size: ScriptSize = i % 2 === 0 ? 'small' : 'large';
    const txn = Math.floor(i / 2) % 2 === 1;
    const pageSize = size === 'large' ? 512 : PAGE_SIZES[Math.floor(i / 4) % PAGE_SIZES.length]!;
    const spec: ScriptSpec = { family, size, txn, pageSize, seed: prng.seed(), exclude };
    if (TRAITS[family].type === 'hash') {
      const settings = hashSettings(Math.floor(i / 4) % 4, new Prng(spec.seed ^ 0x68617368));
      if (settings.ffactor !== undefined || settings.nelem !== undefined) spec.hash = settings;
    }
    specs.push(spec);
  }
  return specs;
}

/**
 * Fill factors from one pair a bucket (a split at almost every put) to more pairs than a
 * 512-byte page holds (buckets of several pages); expected sizes that give a new table
 * from two to a few thousand buckets.
 */
const FILL_FACTORS = [1, 2, 3, 5, 8, 20, 60, 200];

/** Table settings number `rotation` (0: defaults, see invariant 2). */
function hashSettings(rotation: number, prng: Prng): HashSettings {
  const ffactor = prng.pick(FILL_FACTORS);
  const nelem = prng.between(1, 3000);
  switch (rotation) {
    case 1: return { ffactor };
    case 2: return { ffactor, nelem };
    case 3: return { nelem };
    default: return {};
  }
}
