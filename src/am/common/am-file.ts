/**
 * `AmFile`: what every access method needs of an open database file: its cached pages,
 * its page size, its name for messages, and the way pages are changed (logged or not).
 *
 * Layer: am/common (rank 5).
 */
import type { MPoolFile } from '../../mpool/index.js';
import type { PageChanges } from './changes.js';

export interface AmFile {
  readonly mp: MPoolFile;
  readonly pageSize: number;
  readonly name: string;
  /** How pages change; swapped per operation by the transaction layer. */
  changes: PageChanges;
}
