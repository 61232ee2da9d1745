/**
 * am/btree (rank 5): the B+tree access method.
 */
export { Btree, ROOT_PGNO, type ChangeListener } from './btree.js';
export { BtreeCursor, type CursorPosition } from './cursor.js';
export type { KeyedPosition } from './cursor-writes.js';
export { type BtreeConfig, type Duplicates } from './shape.js';
export {
  PUT_NO_DUP_DATA, PUT_NO_OVERWRITE, PUT_OVERWRITE_DUP, type DupPutResult, countDups,
  locatePair, putDuplicate,
} from './duplicates.js';
export type { Comparator } from './comparator.js';
export { checkBtreePage, verifyBtree, type BtreeVerifyReport } from './verify.js';
export { truncateBtree } from './truncate.js';
export { maxKeyBytes, maxItemBytes } from './format.js';
export { type KeyRange, keyRange } from './key-range.js';
export { BtreeAccess, btreeKind } from './access-method.js';
