/**
 * am/common (rank 5): what every access method shares: the meta page, page allocation,
 * overflow chains and the `PageChanges` hook through which every page change is made.
 */
export * from './meta.js';
export * from './changes.js';
export * from './am-file.js';
export * from './alloc.js';
export * from './overflow.js';
export * from './slot-check.js';
export * from './page-records.js';
export { TxnChanges } from './txn-changes.js';
export { imageParts } from './page-image.js';
export * from './access-method.js';
