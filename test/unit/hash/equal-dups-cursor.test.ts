/**
 * Cursors on unsorted duplicates with equal values, btree and hash side by side: equal
 * copies are told apart by their place only, so a cursor keeps its place when a copy is
 * deleted (`db.delPair`, which removes the first equal pair) or put first by another
 * cursor, and a walk that deletes each copy it visits visits every copy. Seen through the
 * containers as a `MultiSet` walk that calls `deleteOne` on each element it visits.
 *
 * Layer: test (unit). In memory (MemFs).
 */
import { describe, expect, it } from 'vitest';
import { Environment, MultiSet } from '../../../src/index.js';
import { MemFs } from '../../../src/os/index.js';

const key = new Uint8Array([1]);
const empty = new Uint8Array(0);

function openEnv(): Environment {
  return Environment.open('/mem', { fileSystem: new MemFs(), transactional: false });
}

describe.each(['btree', 'hash'] as const)('%s, unsorted duplicates with equal values', (type) => {
  it('a cursor on the deleted first copy goes on to the next copy', () => {
    const env = openEnv();
    const db = env.openDatabase('d', { type, duplicates: 'unsorted' });
    for (let i = 0; i < 10; i++) db.put(key, empty);
    const c = db.cursor();
    let visits = 0;
    for (let ok = c.first(); ok; ok = c.next()) {
      visits++;
      db.delPair(key, empty); // removes the first copy: the cursor's own
    }
    c.close();
    expect({ visits, left: db.count() }).toEqual({ visits: 10, left: 0 }); // hash: 5 and 5
    env.close();
  });

  it('a cursor keeps its place when a copy behind it is deleted', () => {
    const env = openEnv();
    const db = env.openDatabase('d', { type, duplicates: 'unsorted' });
    for (let i = 0; i < 10; i++) db.put(key, empty);
    const c = db.cursor();
    c.first();
    for (let i = 0; i < 3; i++) c.next(); // on the 4th copy
    db.delPair(key, empty); // removes the 1st copy, behind the cursor
    let after = 0;
    while (c.next()) after++;
    c.close();
    expect(after).toBe(6); // hash: 5
    env.close();
  });

  it('a cursor keeps its place when a copy is put first, before it (another cursor)', () => {
    const env = openEnv();
    const db = env.openDatabase('d', { type, duplicates: 'unsorted' });
    for (let i = 0; i < 10; i++) db.put(key, empty);
    const c = db.cursor();
    c.first();
    for (let i = 0; i < 3; i++) c.next(); // on the 4th copy
    const writer = db.cursor();
    writer.putKey(key, empty, 'first');
    writer.close();
    let after = 0;
    while (c.next()) after++;
    c.close();
    expect(after).toBe(6); // hash: 7 (a copy shown again)
    env.close();
  });

  it('MultiSet: deleteOne of each element visited empties the set', () => {
    const ms = new MultiSet<string>({ type });
    for (let i = 0; i < 10; i++) ms.add('a');
    let visits = 0;
    for (const e of ms) {
      visits++;
      ms.deleteOne(e);
    }
    expect({ visits, size: ms.size }).toEqual({ visits: 10, size: 0 }); // hash: 5 and 5
  });
});
