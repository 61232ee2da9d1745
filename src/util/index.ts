/**
 * The util layer (rank 0): errors, assertions, branded ids, bytes, checksums.
 * Every other layer imports these through this file.
 */
export * from './errors.js';
export * from './assert.js';
export * from './ids.js';
export * from './crc32.js';
export * from './bytes.js';
export * from './alloc.js';
