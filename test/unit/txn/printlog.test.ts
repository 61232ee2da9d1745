/**
 * `env.printLog()`: one `db_printlog`-style line per record of the environment's log, with
 * the record's LSN, type name and id, hex transaction id, prevLsn and every field. Guards
 * against records missing from the dump (buffered, not yet written), transaction chains that
 * do not link (prevlsn), ids printed in decimal, and the txn layer's records (commit, abort,
 * checkpoint, file registration) or the page records printing without their fields.
 */
import { describe, expect, it } from 'vitest';
import { Environment } from '../../../src/index.js';
import { MemFs } from '../../../src/os/index.js';

/** One parsed line: `[f][o] name: rec: N txnid 0x.. prevlsn [f][o] fields...`. */
interface Line {
  lsn: string;
  name: string;
  typeId: number;
  txnId: string;
  prevLsn: string;
  fields: string;
  text: string;
}

const LSN = String.raw`\[\d+\]\[\d+\]`;
const LINE = new RegExp(
  String.raw`^(${LSN}) ([a-z_]+): rec: (\d+) txnid (0x[0-9a-f]+) prevlsn (${LSN})(.*)$`,
);

function parse(text: string): Line {
  const m = LINE.exec(text);
  if (!m) throw new Error(`not a printLog line: ${text}`);
  return {
    lsn: m[1]!, name: m[2]!, typeId: Number(m[3]), txnId: m[4]!, prevLsn: m[5]!,
    fields: m[6]!.trim(), text,
  };
}

/** `[f][o]` as a comparable number. */
function lsnValue(lsn: string): number {
  const [, file, offset] = /^\[(\d+)\]\[(\d+)\]$/.exec(lsn)!;
  return Number(file) * 2 ** 32 + Number(offset);
}

function hex(id: number): string {
  return `0x${id.toString(16)}`;
}

/** A committed, an aborted and an open transaction, then a checkpoint. */
function scenario() {
  const env = Environment.open('/env', { fileSystem: new MemFs() });
  const map = env.openMap<string, string>('m');
  const committed = env.begin();
  map.set('k1', 'v1');
  map.set('k2', 'v2');
  committed.commit();
  const aborted = env.begin();
  map.set('k3', 'v3');
  aborted.abort();
  env.checkpoint();
  const open = env.begin();
  map.delete('k1');
  return { env, committed: committed.id, aborted: aborted.id, open: open.id };
}

describe('env.printLog', () => {
  it('prints every record with its LSN, type, hex txn id and prevlsn, in LSN order', () => {
    const { env } = scenario();
    const lines = env.printLog().map(parse);
    expect(lines.length).toBeGreaterThan(8);
    for (let i = 1; i < lines.length; i++) {
      expect(lsnValue(lines[i]!.lsn)).toBeGreaterThan(lsnValue(lines[i - 1]!.lsn));
    }
    // The open transaction's buffered record is printed too.
    expect(lsnValue(lines.at(-1)!.lsn)).toBeLessThan(env.endLsn!);
    // Each transaction's records form a chain through prevlsn, starting at [0][0].
    const lastOf = new Map<string, string>();
    for (const line of lines.filter((l) => l.txnId !== '0x0')) {
      expect(line.prevLsn, line.text).toBe(lastOf.get(line.txnId) ?? '[0][0]');
      lastOf.set(line.txnId, line.lsn);
    }
    env.close();
  });

  it('prints commit and abort records of each transaction, ids in hex', () => {
    const { env, committed, aborted, open } = scenario();
    const lines = env.printLog().map(parse);
    const of = (id: number) => lines.filter((l) => l.txnId === hex(id));
    expect(hex(committed)).toBe('0x80000001');
    const c = of(committed);
    expect(c.map((l) => l.name)).toEqual(['pg_insert', 'pg_insert', 'pg_count', 'txn_commit']);
    expect(c[3]!.typeId).toBe(1);
    expect(c[3]!.fields).toMatch(/^timestampMs: \d+$/);
    const a = of(aborted);
    expect(a.map((l) => l.name)).toEqual(['pg_insert', 'pg_delete', 'txn_abort']);
    expect(a[1]!.fields).toContain('clr: true');
    expect(a[2]!.typeId).toBe(2);
    expect(of(open).map((l) => l.name)).toEqual(['pg_delete']);
    env.close();
  });

  it('prints page records with their fields: file id, page, index, item bytes, clr', () => {
    const { env, committed } = scenario();
    const inserts = env.printLog().map(parse)
      .filter((l) => l.name === 'pg_insert' && l.txnId === hex(committed));
    expect(inserts).toHaveLength(2);
    const hexOf = (s: string) => Buffer.from(s).toString('hex');
    inserts.forEach((line, index) => {
      expect(line.typeId).toBe(20);
      expect(line.fields).toMatch(new RegExp(
        `^fileId: \\d+ pgno: \\d+ index: ${index} item: 0x[0-9a-f]*${hexOf(`k${index + 1}`)}` +
          `[0-9a-f]*${hexOf(`v${index + 1}`)} clr: false undoNext: \\[0\\]\\[0\\]$`,
      ));
    });
    env.close();
  });

  it('prints file registrations and checkpoints with their fields', () => {
    const { env, committed } = scenario();
    const lines = env.printLog().map(parse);
    const registers = lines.filter((l) => l.name === 'dbreg_register');
    expect(registers.length).toBeGreaterThanOrEqual(2);
    for (const r of registers) {
      expect(r.typeId).toBe(4);
      expect(r.txnId).toBe('0x0');
      expect(r.fields).toMatch(/^fileId: \d+ name: "m\.db"$/);
    }
    const checkpoints = lines.filter((l) => l.name === 'txn_ckp');
    expect(checkpoints.length).toBeGreaterThanOrEqual(2);
    const last = checkpoints.at(-1)!;
    expect(last.typeId).toBe(3);
    const m = new RegExp(
      String.raw`^redoLsn: (${LSN}) scanLsn: (${LSN}) nextTxnId: (\d+) timestampMs: \d+$`,
    ).exec(last.fields);
    expect(m, last.text).not.toBeNull();
    // The checkpoint registers the open files first; the redo point is the first of those.
    const redo = lsnValue(m![1]!);
    expect(redo).toBeLessThan(lsnValue(last.lsn));
    expect(lines.find((l) => l.lsn === m![1])?.name).toBe('dbreg_register');
    expect(m![2]).toBe(m![1]);
    expect(Number(m![3])).toBe(committed + 2);
    env.close();
  });

  it('prints the records of earlier sessions after a reopen, and nothing when not logging', () => {
    const fs = new MemFs();
    const env = Environment.open('/env', { fileSystem: fs });
    env.openMap<string, string>('m').set('k', 'v');
    const before = env.printLog();
    env.close();
    const again = Environment.open('/env', { fileSystem: fs });
    const after = again.printLog();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.length).toBeGreaterThan(before.length);
    again.close();
    const plain = Environment.open('/plain', { fileSystem: fs, transactional: false });
    expect(plain.printLog()).toEqual([]);
    plain.close();
  });
});
