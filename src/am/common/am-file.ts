/**
 * `AmFile`: what every access method needs of an open database file: its cached pages,
 * its page size, its name for messages, and the way pages are changed (logged or not).
 *
 * Layer: am/common (rank 5).
 */
import type { Pgno } from '../../util/index.js';
import type { Frame, MPoolFile } from '../../mpool/index.js';
import type { PageChanges } from './changes.js';

export interface AmFile {
  readonly mp: MPoolFile;
  readonly pageSize: number;
  readonly name: string;
  /** How pages change; swapped per operation by the transaction layer. */
  changes: PageChanges;
}

/** Pins page `pgno` for reading, after announcing the read (locks, in a transaction). */
export function pinPage(f: AmFile, pgno: Pgno): Frame {
  f.changes.willRead(f.mp, pgno);
  return f.mp.get(pgno);
}
