/**
 * Tidy checks of the source tree, run as tests so that style is enforced, not reviewed:
 * layers import only downward, cross-folder imports go through a folder's `index.ts`,
 * every file opens with a header comment, lines and functions stay short.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';

const SRC = path.resolve(__dirname, '../../src');

/**
 * Rank of each folder under src/, from docs/architecture.md (and DESIGN.md §1). Every folder
 * under am/ is rank 5: `am/common`, and the access methods, each of which may import
 * am/common and lower ranks but never another access method.
 */
const RANK: Record<string, number> = {
  util: 0, os: 1, codec: 1, page: 1, log: 2, lock: 2, mpool: 3, txn: 4,
  'am/common': 5, rep: 5, env: 6, collections: 7, cli: 8, '.': 8,
};
/** The access methods the design plans (am/<name>); any folder under am/ is one. */
const ACCESS_METHODS = ['btree', 'hash', 'recno', 'queue', 'heap'];
for (const am of ACCESS_METHODS) RANK[`am/${am}`] = 5;
for (const entry of fs.readdirSync(path.join(SRC, 'am'))) RANK[`am/${entry}`] = 5;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

function folderOf(file: string): string {
  const rel = path.relative(SRC, path.dirname(file)).split(path.sep).join('/');
  if (rel === '') return '.';
  return rel.startsWith('am/') ? rel.split('/').slice(0, 2).join('/') : rel.split('/')[0]!;
}

function importsOf(text: string): string[] {
  const specs: string[] = [];
  const re = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s+['"]([^'"]+)['"]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) specs.push((m[1] ?? m[2])!);
  return specs;
}

const files = sourceFiles(SRC);

describe('tidy: layering', () => {
  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  for (const file of files) {
    const rel = path.relative(SRC, file);
    it(`${rel} imports only downward, through index.ts`, () => {
      const from = folderOf(file);
      const text = fs.readFileSync(file, 'utf8');
      for (const spec of importsOf(text)) {
        if (!spec.startsWith('.')) continue;
        const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
        const to = folderOf(target);
        if (to === from) continue;
        expect(RANK[to], `${rel}: unknown folder ${to}`).toBeDefined();
        expect(RANK[from], `${rel}: unknown folder ${from}`).toBeDefined();
        const sameFamily = from.startsWith('am/') && to.startsWith('am/');
        if (sameFamily) {
          const allowed = from !== 'am/common' && to === 'am/common';
          expect(allowed, `${rel}: am/common imports no access method, and an access ` +
            `method imports only am/common, never another access method (${spec})`).toBe(true);
        } else {
          expect(RANK[to]!, `${rel} imports upward: ${spec}`).toBeLessThan(RANK[from]!);
        }
        expect(path.basename(target), `${rel} reaches past ${to}/index.ts: ${spec}`)
          .toBe('index.ts');
      }
    });
  }
});

describe('tidy: shape of each file', () => {
  for (const file of files) {
    const rel = path.relative(SRC, file);
    it(`${rel} has a header comment, short lines and short functions`, () => {
      const text = fs.readFileSync(file, 'utf8');
      expect(text.startsWith('/**'), `${rel} must open with a header comment`).toBe(true);
      const lines = text.split('\n');
      lines.forEach((line, i) => {
        expect(line.length, `${rel}:${i + 1} is longer than 100 columns`).toBeLessThanOrEqual(100);
      });
      expect(lines.length, `${rel} is over 1000 lines`).toBeLessThanOrEqual(1000);
      for (const [name, length] of functionLengths(lines)) {
        expect(length, `${rel}: ${name} is ${length} lines (limit 70)`).toBeLessThanOrEqual(70);
      }
      expect(/\b(TODO|FIXME|XXX)\b|not implemented/i.test(text), `${rel} has a placeholder`)
        .toBe(false);
    });
  }
});

/** Lengths of top-level and class-member functions, found by indentation of braces. */
function functionLengths(lines: string[]): [string, number][] {
  const out: [string, number][] = [];
  const head = /^(\s*)(?:export\s+)?(?:async\s+)?(?:function\s+(\w+)|(?:(?:private|protected|public|static|readonly|get|set)\s+)*(\w+)\s*(?:<[^>]*>)?\s*\()/;
  for (let i = 0; i < lines.length; i++) {
    const m = head.exec(lines[i]!);
    if (!m || !lines[i]!.trimEnd().endsWith('{')) continue;
    const name = m[2] ?? m[3]!;
    if (['if', 'for', 'while', 'switch', 'catch', 'return'].includes(name)) continue;
    const indent = m[1]!;
    for (let j = i + 1; j < lines.length; j++) {
      if (lines[j] === `${indent}}` || lines[j]!.startsWith(`${indent}}`) && lines[j]!.trim().length <= 3) {
        out.push([name, j - i + 1]);
        break;
      }
    }
  }
  return out;
}
