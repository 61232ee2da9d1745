/**
 * `truncateHash`: removes every pair (DB->truncate). Each bucket keeps its primary page,
 * emptied; the pages of its chain and every overflow chain go to the free list. The table
 * keeps its size (Berkeley DB's truncate does not shrink a hash table either).
 *
 * Layer: am/hash (rank 5).
 *
 * Invariants:
 * 1. Every change is an ordinary logged page change of the caller's transaction.
 * 2. The record count drops by exactly the values removed, which is the return value.
 */
import type { Pgno } from '../../util/index.js';
import { PageType, getNext, getSlotCount, initPage } from '../../page/index.js';
import { freeOverflow, freePage } from '../common/index.js';
import type { HashTable } from './table.js';
import { itemChains } from './page-items.js';
import { valueCount } from './dup-set.js';

/** Removes every pair; returns how many values went. */
export function truncateHash(t: HashTable): number {
  const table = t.table();
  t.beforeChange();
  let removed = 0;
  for (let b = 0; b <= table.maxBucket; b++) removed += emptyBucket(t, b);
  t.file.changes.adjustCount(t.file.mp, -removed);
  return removed;
}

function emptyBucket(t: HashTable, bucket: number): number {
  const f = t.file;
  const pages: Pgno[] = [];
  t.walkChain(bucket, (frame) => void pages.push(frame.pgno));
  let removed = 0;
  pages.forEach((p, n) => {
    const frame = t.pinChainPage(p);
    try {
      for (let i = 0; i < getSlotCount(frame); i++) {
        removed += valueCount(f, frame, i);
        for (const chain of itemChains(frame, i)) freeOverflow(f, chain.pgno, chain.length);
      }
      if (n > 0) {
        freePage(f, frame);
      } else if (getSlotCount(frame) > 0 || getNext(frame) !== 0) {
        f.changes.rewrite(f.mp, frame, () => initPage(frame, p, PageType.HASH_BUCKET));
      }
    } finally {
      t.unpin(frame);
    }
  });
  return removed;
}
