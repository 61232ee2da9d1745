/**
 * The util layer (rank 0): errors, assertions, branded ids, bytes, checksums, safe
 * descriptions of user values for messages, option objects read safely.
 * Every other layer imports these through this file.
 */
export * from './errors.js';
export * from './assert.js';
export * from './ids.js';
export * from './crc32.js';
export * from './bytes.js';
export * from './alloc.js';
export * from './describe-value.js';
export * from './option-bag.js';
