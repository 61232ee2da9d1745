/**
 * The scripts kept with the real library's answers (test/compat/oracle/*.jsonl, the shared
 * examples, and test/compat/oracle/observed/*.jsonl, the behaviours docs/conformance.md
 * lists): each one Stowage can run must give exactly the answers in `<script>.expected.txt`;
 * and, where Perl's BerkeleyDB module is installed, the real library must still give them
 * (the oracle and the answer files stay in step).
 *
 * Layer: test (compat).
 *
 * Invariants:
 * 1. A script runs through Stowage only when its family is in ENABLED_FAMILIES, none of its
 *    operations is in a LEFT_OUT group (enabled.ts) and it is not ORACLE_ONLY; the others
 *    are listed as skipped with the reason, never answered with guesses.
 * 2. A mismatch fails with the first differing line: the operation, BDB's answer, Stowage's
 *    (the `key` of GET_RECNO lines is ignored, tools/conformance/differ.ts).
 *
 * `STOWAGE_BDB_ORACLE_DIR` points the test at another folder of scripts.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readResultLines, readScript } from '../../tools/conformance/script.js';
import { runScript } from '../../tools/conformance/runner.js';
import { describeDifference, firstDifference } from '../../tools/conformance/differ.js';
import { familyOf, groupsOfScript } from '../../tools/conformance/generator/op-groups.js';
import { ENABLED_FAMILIES, LEFT_OUT } from './enabled.js';
import { probeOracle, runOracle } from './oracle-process.js';
import { tempDir } from '../support/temp-dir.js';

const ORACLE_DIR = process.env['STOWAGE_BDB_ORACLE_DIR'] ?? path.resolve(__dirname, 'oracle');

/** Scripts whose answers show the real library, not a contract Stowage follows. */
const ORACLE_ONLY: Record<string, string> = {
  btree_txn_cursor_after_commit: 'uses a cursor after its transaction committed',
  hash_dup_abort_moved_pair: 'the real library damages a moved pair when it aborts',
  hash_dup_count_after_del: 'the real library counts a set its cursor has left',
  hash_dup_count_runrecovery: 'the real library panics (DB_RUNRECOVERY)',
  hash_dup_cursor_on_new_set: 'the real library leaves a cursor behind its item',
  hash_dup_moved_set: 'the real library destroys a duplicate set it moved',
};

/** The `.jsonl` scripts of `dir` and of its `observed/` folder. */
function scripts(dir: string): string[] {
  const inDir = (d: string) => fs.existsSync(d)
    ? fs.readdirSync(d).filter((f) => f.endsWith('.jsonl')).sort().map((f) => path.join(d, f))
    : [];
  return [...inDir(dir), ...inDir(path.join(dir, 'observed'))];
}

/** Why Stowage cannot run `script` today, or undefined when it can. */
function whyNot(script: string): string | undefined {
  const name = path.basename(script, '.jsonl');
  if (ORACLE_ONLY[name] !== undefined) return ORACLE_ONLY[name];
  const ops = readScript(script).map((l) => l.op);
  const family = ops[0] === undefined ? undefined : familyOf(ops[0]);
  if (family === undefined) return `needs ${String(ops[0]?.type)} (not a generated family)`;
  if (!ENABLED_FAMILIES.includes(family)) return `needs family ${family}`;
  const missing = [...groupsOfScript(ops)].filter((g) => LEFT_OUT.includes(g));
  return missing.length > 0 ? `needs ${missing.join(', ')}` : undefined;
}

const expectedOf = (script: string): string => script.replace(/\.jsonl$/, '.expected.txt');
const label = (script: string): string => path.relative(ORACLE_DIR, script);

describe.skipIf(!fs.existsSync(ORACLE_DIR))(`Berkeley DB 5.3 answer files (${ORACLE_DIR})`, () => {
  for (const script of scripts(ORACLE_DIR)) {
    const reason = whyNot(script);
    it.skipIf(reason !== undefined)(`${label(script)}: Stowage gives the real library's ` +
      `answers${reason === undefined ? '' : ` (skipped: ${reason})`}`, () => {
      const lines = readScript(script);
      const actual = runScript(lines, tempDir());
      const difference = firstDifference(lines, readResultLines(expectedOf(script)), actual);
      if (difference) {
        expect.fail(`${label(script)}: Stowage differs\n${describeDifference(difference)}`);
      }
    });
  }

  const oracle = probeOracle();
  for (const script of scripts(ORACLE_DIR)) {
    it.skipIf(!oracle.available)(`${label(script)}: the real library still gives these answers`,
      async () => {
        const run = await runOracle(script, path.join(tempDir(), 'answers.txt'));
        const lines = readScript(script);
        const difference = firstDifference(lines, readResultLines(expectedOf(script)), run.lines);
        if (difference) {
          expect.fail(`${label(script)}: the oracle differs\n${describeDifference(difference)}`);
        }
      });
  }
});
