/**
 * Types of workload.mjs (the crash suite's deterministic workload and model).
 */
export interface MapLike {
  get(key: number): unknown;
  set(key: number, value: string): unknown;
  delete(key: number): boolean;
  entries(): IterableIterator<[number, unknown]>;
  keys(): IterableIterator<number>;
}

export interface Maps {
  a: MapLike;
  b: MapLike;
}

export interface Model {
  a: Map<number, string>;
  b: Map<number, string>;
}

export interface TxnOp {
  map: 'a' | 'b';
  op: 'set' | 'delete';
  key: number;
  value?: string;
}

export const META_KEY: number;
export const KILL_OPTIONS: {
  durability: 'sync'; logFileSize: number; checkpointBytes: number;
};
export const MAP_NAMES: readonly ['a', 'b'];
export function prng(seed: number): () => number;
export function txnOps(i: number): TxnOp[];
export function runTxnOps(maps: Maps | Model, i: number): void;
export function nextTxnFrom(mapA: MapLike): number;
export function modelAfter(k: number): Model;
export function applyTxn(model: Model, i: number): void;
export function diffEntries(
  name: string, actual: [number, unknown][], expected: Map<number, string>,
): string | undefined;
export function matchPrefix(
  maps: Maps, candidates: number[],
): { k: number | undefined; misses?: string[] };
