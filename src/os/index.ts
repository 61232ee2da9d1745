/**
 * The os layer (rank 1): the synchronous file-system interface and its implementations
 * (real files, in-memory with a durable image, fault injection), the environment lock file
 * and the process and thread liveness checks it relies on. Every other layer imports these
 * through this file; this layer imports util only.
 */
export * from './fs.js';
export * from './node-fs.js';
export * from './mem-fs.js';
export * from './fault-fs.js';
export * from './liveness.js';
export * from './lock-file.js';
