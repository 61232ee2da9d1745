/**
 * am/btree (rank 5): the B+tree access method.
 */
export { Btree, ROOT_PGNO, type ChangeListener } from './btree.js';
export { BtreeCursor, type CursorPosition } from './cursor.js';
export type { Comparator } from './comparator.js';
export { checkBtreePage, verifyBtree, type BtreeVerifyReport } from './verify.js';
export { truncateBtree } from './truncate.js';
export { maxKeyBytes, maxItemBytes } from './format.js';
