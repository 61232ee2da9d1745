/**
 * What the hash derives from a bucket page's bytes and keeps beside them on the frame while
 * they are unchanged (`frame.derived`, valid at `frame.version`): the real library's cost of
 * its items (capacity.ts), and the hash of every key, so that a look-up compares 32-bit
 * numbers and reads a key's bytes only for a match.
 *
 * Layer: am/hash (rank 5).
 *
 * Invariants:
 * 1. A view is used only while its `version` is the frame's (every change of the bytes
 *    bumps the frame's version first: mpool/frame.ts invariant 3).
 * 2. `hashes[i]` is the table's hash of item i's key; it is built at a page's second
 *    look-up after a change (a page changed between every two look-ups never pays), and
 *    never for a page with a key on an overflow chain (`null`).
 */
import type { Frame } from '../../mpool/index.js';
import { getSlotCount, slotOffset } from '../../page/index.js';
import { ITEM_HEADER, ITEM_KEY_OVERFLOW, itemFlags, keyPartLength } from './format.js';

export interface PageView {
  version: number;
  /** The real library's bytes of the page's items, or -1 while not counted. */
  used: number;
  /** Look-ups since the page last changed. */
  searches: number;
  hashes: Uint32Array | null | undefined;
}

/** The view of `frame`'s current bytes (invariant 1). */
export function pageView(frame: Frame): PageView {
  const known = frame.derived as PageView | undefined;
  if (known !== undefined && known.version === frame.version && 'searches' in known) return known;
  const view: PageView = { version: frame.version, used: -1, searches: 0, hashes: undefined };
  frame.derived = view;
  return view;
}

/** The key hashes of `frame` when built, building them at the second look-up (invariant 2). */
export function keyHashes(frame: Frame, hash: (key: Uint8Array) => number):
  Uint32Array | null | undefined {
  const view = pageView(frame);
  if (view.hashes !== undefined || ++view.searches < 2) return view.hashes;
  const n = getSlotCount(frame);
  const hashes = new Uint32Array(n);
  const d = frame.data;
  for (let i = 0; i < n; i++) {
    const at = slotOffset(frame, i);
    if (itemFlags(d, at) & ITEM_KEY_OVERFLOW) {
      view.hashes = null;
      return null;
    }
    hashes[i] = hash(d.subarray(at + ITEM_HEADER, at + ITEM_HEADER + keyPartLength(d, at)));
  }
  view.hashes = hashes;
  return hashes;
}
