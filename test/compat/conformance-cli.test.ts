/**
 * The user-facing conformance runner as a user runs it: `npm run --silent conformance --
 * SCRIPT.jsonl` builds the tool (build output on stderr only) and prints exactly the
 * oracle's result lines; `--out DIR` writes `DIR/NAME.txt`; a script that stops exits
 * non-zero naming the line; `--generate` writes seeded scripts.
 *
 * Layer: test (compat).
 *
 * Invariants:
 * 1. The first run goes through npm (as on a fresh clone after `npm ci`); the others run the
 *    built entry point directly, which that run has just built.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { tempDir } from '../support/temp-dir.js';

const ROOT = path.resolve(__dirname, '../..');
const EXAMPLES = path.join(__dirname, 'oracle');
const CLI = path.join(ROOT, 'build/conformance/tools/conformance/cli.js');

function run(command: string, args: string[], cwd = ROOT) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 120_000,
    env: { ...process.env, INIT_CWD: cwd } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cli = (args: string[], cwd = ROOT) => run(process.execPath, [CLI, ...args], cwd);
const expected = (name: string) => fs.readFileSync(path.join(EXAMPLES, `${name}.expected.txt`),
  'utf8');

describe('npm run conformance', () => {
  let first: ReturnType<typeof run>;

  beforeAll(() => {
    first = run('npm', ['run', '--silent', 'conformance', '--',
      'btree_nodup_cursor_edges.jsonl'], EXAMPLES);
  });

  it('builds, then prints exactly the real library\'s lines for a script it can run', () => {
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe(expected('btree_nodup_cursor_edges'));
  });

  it('writes DIR/NAME.txt for each script with --out', () => {
    const out = tempDir();
    const scripts = ['btree_nodup_cursor_edges', 'recno_renumber_txn']
      .map((n) => path.join(EXAMPLES, `${n}.jsonl`));
    const r = cli(['--out', out, ...scripts]);
    expect(r.stdout).toBe('');
    expect(fs.readFileSync(path.join(out, 'btree_nodup_cursor_edges.txt'), 'utf8'))
      .toBe(expected('btree_nodup_cursor_edges'));
    expect(r.status, 'recno cannot run: exit 1').toBe(1);
    expect(fs.existsSync(path.join(out, 'recno_renumber_txn.txt'))).toBe(false);
    expect(r.stderr).toMatch(/recno_renumber_txn\.jsonl: line 1: ScriptUnsupportedError: .*recno/);
  });

  it('runs a sorted-duplicate script as the real library does', () => {
    const r = cli([path.join(EXAMPLES, 'btree_dupsort_cursor.jsonl')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(expected('btree_dupsort_cursor'));
  });

  it('prints the lines before a line that stops the script, then the line on stderr', () => {
    const script = path.join(tempDir(), 'bad.jsonl');
    fs.writeFileSync(script, '# a comment\n{"op":"open","type":"btree"}\n\n' +
      '{"op":"put","key":"a","data":"1"}\n{"op":"c_get","c":5,"flag":"FIRST"}\n');
    const r = cli([script]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('{"i":0,"op":"open","rc":0}\n{"i":1,"op":"put","rc":0}\n');
    expect(r.stderr).toMatch(/line 5: ScriptUnsupportedError: no open cursor 5\n {2}\{"op":/);
  });

  it('rejects a wrong command line with exit 2 and the usage', () => {
    const r = cli([path.join(EXAMPLES, 'queue_consume.jsonl'),
      path.join(EXAMPLES, 'heap_append_delete.jsonl')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/several scripts need --out DIR\nusage:/);
  });

  it('--generate writes the same scripts for the same seed', () => {
    const [a, b] = [tempDir(), tempDir()];
    for (const dir of [a, b]) {
      const r = cli(['--generate', dir, '--family', 'btree', '--count', '2', '--seed', '5']);
      expect(r.status).toBe(0);
      expect(r.stderr).toContain('seed 5');
    }
    const names = fs.readdirSync(a).sort();
    expect(names).toHaveLength(2);
    for (const n of names) {
      const text = (dir: string) => fs.readFileSync(path.join(dir, n), 'utf8');
      expect(text(b)).toBe(text(a));
    }
  });
});
