/**
 * Overflow chains: items too big for a page are stored on a chain of OVERFLOW pages and
 * referenced from the page by (first pgno, total length).
 *
 * Layer: am/common (rank 5).
 *
 * | offset | size | field                                                         |
 * | -----: | ---: | ------------------------------------------------------------- |
 * |      0 |   40 | common header: type OVERFLOW, `extra` = bytes on this page,   |
 * |        |      | `nextPgno` = next page of the chain (0 on the last)           |
 * |     40 |    n | payload                                                       |
 *
 * Invariants:
 * 1. A chain holds exactly the referenced length; its pages are referenced once.
 * 2. Walking a chain is bounded by the length: a longer chain is corruption.
 */
import { type Pgno, CorruptionError } from '../../util/index.js';
import {
  PAGE_HEADER_SIZE, PageType, getExtra, getNext, getType, setExtra, setNext,
} from '../../page/index.js';
import { type AmFile, pinPage } from './am-file.js';
import { allocPage, freePage } from './alloc.js';

/** Bytes of payload one overflow page holds. */
export function overflowCapacity(pageSize: number): number {
  return pageSize - PAGE_HEADER_SIZE;
}

/** Writes `bytes` to a new chain and returns its first page. */
export function writeOverflow(f: AmFile, bytes: Uint8Array): Pgno {
  const cap = overflowCapacity(f.pageSize);
  const pageCount = Math.max(1, Math.ceil(bytes.length / cap));
  const frames = [];
  for (let i = 0; i < pageCount; i++) frames.push(allocPage(f, PageType.OVERFLOW));
  try {
    for (let i = 0; i < pageCount; i++) {
      const frame = frames[i]!;
      const chunk = bytes.subarray(i * cap, Math.min(bytes.length, (i + 1) * cap));
      const next = frames[i + 1]?.pgno ?? 0;
      f.changes.rewrite(f.mp, frame, () => {
        frame.data.set(chunk, PAGE_HEADER_SIZE);
        setExtra(frame, chunk.length);
        setNext(frame, next as Pgno);
      });
    }
    return frames[0]!.pgno;
  } finally {
    for (const frame of frames) f.mp.release(frame);
  }
}

/** Walks a chain, calling `visit` with each page's pgno and payload view. */
function walk(f: AmFile, first: Pgno, length: number, visit: (p: Pgno, b: Uint8Array) => void) {
  const cap = overflowCapacity(f.pageSize);
  const maxPages = Math.max(1, Math.ceil(length / cap));
  let current = first;
  let seen = 0;
  for (let i = 0; i < maxPages; i++) {
    const frame = pinPage(f, current);
    try {
      if (getType(frame) !== PageType.OVERFLOW || getExtra(frame) > cap) {
        f.mp.damageSeen = true;
        throw new CorruptionError(`${f.name}: page ${current} is not a valid overflow page`, {
          file: f.name, pgno: current,
        });
      }
      const len = getExtra(frame);
      if (seen + len > length) {
        f.mp.damageSeen = true;
        throw new CorruptionError(
          `${f.name}: overflow chain at page ${first} holds more than the ${length} bytes ` +
            `its item records (page ${current})`, { file: f.name, pgno: current },
        );
      }
      visit(current, frame.data.subarray(PAGE_HEADER_SIZE, PAGE_HEADER_SIZE + len));
      seen += len;
      current = getNext(frame);
    } finally {
      f.mp.release(frame);
    }
    if (current === 0) break;
  }
  if (seen !== length || current !== 0) {
    f.mp.damageSeen = true;
    throw new CorruptionError(
      `${f.name}: overflow chain at page ${first} holds ${seen} bytes, expected ${length}`,
      { file: f.name, pgno: first },
    );
  }
}

/** Reads a whole chain into a new array. */
export function readOverflow(f: AmFile, first: Pgno, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  walk(f, first, length, (_p, bytes) => {
    out.set(bytes, at);
    at += bytes.length;
  });
  return out;
}

/** The page numbers of a chain (verify uses it). */
export function overflowPages(f: AmFile, first: Pgno, length: number): Pgno[] {
  const pages: Pgno[] = [];
  walk(f, first, length, (p) => pages.push(p));
  return pages;
}

/** Frees every page of a chain. */
export function freeOverflow(f: AmFile, first: Pgno, length: number): void {
  for (const p of overflowPages(f, first, length)) {
    const frame = pinPage(f, p);
    try {
      freePage(f, frame);
    } finally {
      f.mp.release(frame);
    }
  }
}
