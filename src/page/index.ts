/**
 * The page layer (rank 1): the common page header, checksums and slotted-page storage.
 */
export * from './header.js';
export * from './checksum.js';
export * from './slotted.js';
