/**
 * The conformance script generator (tools/conformance/generator) keeps its promises without
 * needing the real library: scripts are deterministic for a seed, small scripts hold every
 * flag, large scripts are large in every way the brief of the generator says, the rules the
 * real library needs hold on every line, and left-out groups are really left out.
 *
 * Layer: test (compat).
 *
 * Invariants:
 * 1. Each check walks whole generated scripts; nothing here depends on Perl or Stowage.
 */
import { describe, expect, it } from 'vitest';
import type { OracleOp } from '../../tools/conformance/script.js';
import {
  CURSOR_GET_FLAGS, CURSOR_PUT_FLAGS, FAMILIES, PAGE_SIZES, PUT_FLAGS, TRAITS,
} from '../../tools/conformance/generator/families.js';
import { generateScript, scriptSpecs } from '../../tools/conformance/generator/generate.js';
import { vocabularyLimits } from '../../tools/conformance/generator/large-script.js';
import { type OpGroup, groupsOfScript } from '../../tools/conformance/generator/op-groups.js';
import { ENABLED_FAMILIES, LEFT_OUT } from './enabled.js';

const SEED = 20240601;
const scriptsOf = (family: (typeof FAMILIES)[number], exclude: readonly OpGroup[] = []) =>
  scriptSpecs(family, 8, SEED, exclude).map(generateScript);

/** Whether a write may give a key its first duplicate (script-builder.ts rule 6). */
const addsDuplicate = (o: OracleOp): boolean => o.op === 'put' ||
  (o.op === 'c_put' && o.flag !== 'CURRENT');

/** Throws unless `ops` keeps every rule of script-builder.ts. */
function checkRules(ops: readonly OracleOp[]): void {
  const txnEnv = ops[0]!.txn === true;
  const hashDups = ops[0]!.type === 'hash' && ops[0]!.flags !== undefined;
  const open = new Set<number>();
  let cursors = 0;
  let inTxn = false;
  ops.forEach((o, i) => {
    const at = `operation ${i} ${JSON.stringify(o)}`;
    if (o.op === 'cursor') open.add(cursors++);
    if (o.c !== undefined) expect(open.has(o.c), `${at}: cursor not open`).toBe(true);
    if (o.op === 'c_close') open.delete(o.c!);
    if (['begin', 'commit', 'abort'].includes(o.op)) {
      expect(txnEnv, `${at}: transaction without "txn": true`).toBe(true);
      expect(open.size, `${at}: cursors open`).toBe(0);
      expect(inTxn, `${at}: nesting`).toBe(o.op !== 'begin');
      inTxn = o.op === 'begin';
    }
    if (txnEnv && !inTxn && (o.op === 'put' || o.op === 'del')) {
      expect(open.size, `${at}: auto-commit write with a cursor open`).toBe(0);
    }
    if (hashDups && addsDuplicate(o)) {
      const others = [...open].filter((c) => c !== o.c);
      expect(others, `${at}: other cursors open at a write that may add a duplicate`)
        .toEqual([]);
    }
  });
  expect(inTxn, 'a transaction left open').toBe(false);
}

describe('conformance script generator', () => {
  it('gives the same script for the same spec, and another for another seed', () => {
    const [spec] = scriptSpecs('btree-dupsort', 2, SEED);
    expect(generateScript(spec!).text).toBe(generateScript(spec!).text);
    expect(generateScript({ ...spec!, seed: spec!.seed + 1 }).text)
      .not.toBe(generateScript(spec!).text);
  });

  it('rotates sizes, transactions and every page size across 40 scripts', () => {
    const specs = scriptSpecs('btree', 40, SEED);
    const small = specs.filter((s) => s.size === 'small');
    expect(new Set(small.map((s) => s.pageSize))).toEqual(new Set(PAGE_SIZES));
    for (const txn of [false, true]) {
      expect(specs.filter((s) => s.txn === txn && s.size === 'large')).toHaveLength(10);
    }
    expect(specs.filter((s) => s.size === 'large').every((s) => s.pageSize === 512)).toBe(true);
  });

  it('writes every put, c_get and c_put flag into each small script', () => {
    for (const family of FAMILIES) {
      for (const script of scriptsOf(family).filter((s) => s.spec.size === 'small')) {
        const seen = new Set(script.ops.flatMap((o) => [o.op, `${o.op} ${o.flag ?? ''}`,
          ...(o.flags ?? []).map((f) => `${o.op} ${f}`)]));
        const wanted = [...PUT_FLAGS.map((f) => `put ${f}`),
          ...CURSOR_GET_FLAGS.map((f) => `c_get ${f}`),
          ...CURSOR_PUT_FLAGS.map((f) => `c_put ${f}`),
          'c_del', 'c_count', 'c_close', 'get GET_BOTH', 'del', 'dump'];
        for (const w of wanted) expect(seen.has(w), `${script.name} lacks ${w}`).toBe(true);
      }
    }
  });

  it('makes large scripts large: keys, overflow keys and data, hot keys, long walks', () => {
    for (const family of FAMILIES) {
      for (const script of scriptsOf(family).filter((s) => s.spec.size === 'large')) {
        const puts = script.ops.filter((o) => o.op === 'put');
        const keys = new Set(puts.map((o) => o.key));
        expect(keys.size, script.name).toBeGreaterThanOrEqual(150);
        expect(puts.some((o) => o.key!.length > 128), `${script.name}: overflow key`).toBe(true);
        checkDataSizes(script.ops, vocabularyLimits(family, script.spec.pageSize), script.name);
        expect(longestRun(script.ops), `${script.name}: walk`).toBeGreaterThanOrEqual(100);
        if (TRAITS[family].duplicates !== 'none') {
          const perKey = new Map<string, number>();
          for (const o of puts) perKey.set(o.key!, (perKey.get(o.key!) ?? 0) + 1);
          expect(Math.max(...perKey.values()), `${script.name}: hot key`).toBeGreaterThan(150);
        }
      }
    }
  });

  it('rotates the four hash table settings, and opens hash scripts with them', () => {
    for (const family of FAMILIES.filter((f) => TRAITS[f].type === 'hash')) {
      const scripts = scriptSpecs(family, 16, SEED).map(generateScript);
      const settings = scripts.map((s) => [s.ops[0]!.h_ffactor !== undefined,
        s.ops[0]!.h_nelem !== undefined].join());
      expect(new Set(settings), family).toEqual(new Set(['false,false', 'true,false',
        'true,true', 'false,true']));
      for (const s of scripts) {
        const open = s.ops[0]!;
        expect([open.type, open.h_ffactor, open.h_nelem], s.name)
          .toEqual(['hash', s.spec.hash?.ffactor, s.spec.hash?.nelem]);
      }
    }
  });

  it('keeps the rules the real library needs, and ends transactions both ways', () => {
    for (const family of FAMILIES) {
      for (const script of scriptsOf(family)) {
        checkRules(script.ops);
        if (!script.spec.txn) continue;
        expect(script.ops.some((o) => o.op === 'commit'), script.name).toBe(true);
        expect(script.ops.some((o) => o.op === 'abort'), script.name).toBe(true);
      }
    }
  });

  it('leaves the left-out groups out, and counts what it left out', () => {
    for (const family of ENABLED_FAMILIES) {
      for (const script of scriptsOf(family, LEFT_OUT)) {
        const present = [...groupsOfScript(script.ops)].filter((g) => LEFT_OUT.includes(g));
        expect(present, script.name).toEqual([]);
        checkRules(script.ops);
      }
      const dropped = scriptsOf(family, LEFT_OUT).reduce((n, s) => n + s.dropped.size, 0);
      expect(dropped).toBeGreaterThan(0);
    }
  });
});

/**
 * Values of several KB, or, under the family's limits (large-script.ts vocabularyLimits),
 * every value within them and some near the longest.
 */
function checkDataSizes(ops: readonly OracleOp[], limits: ReturnType<typeof vocabularyLimits>,
  name: string): void {
  const sizes = ops.filter((o) => o.op === 'put' || o.op === 'c_put').map((o) => o.data!.length);
  const { shortestData, longestData } = limits;
  if (longestData === undefined) {
    expect(Math.max(...sizes), `${name}: KB data`).toBeGreaterThanOrEqual(1500);
    return;
  }
  expect(Math.max(...sizes), `${name}: longest data`).toBeLessThanOrEqual(longestData);
  expect(Math.max(...sizes), `${name}: long data`).toBeGreaterThanOrEqual(longestData - 20);
  expect(Math.min(...sizes), `${name}: shortest data`).toBeGreaterThanOrEqual(shortestData ?? 1);
}

/** The most c_get lines between one cursor's `cursor` and `c_close` lines (a walk). */
function longestRun(ops: readonly OracleOp[]): number {
  const moves = new Map<number, number>();
  let opened = 0;
  for (const o of ops) {
    if (o.op === 'cursor') moves.set(opened++, 0);
    if (o.op === 'c_get') moves.set(o.c!, moves.get(o.c!)! + 1);
  }
  return Math.max(0, ...moves.values());
}
