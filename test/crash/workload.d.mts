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

export interface MultiMapLike {
  add(key: number, value: string): unknown;
  delete(key: number, value?: string): unknown;
  keys(): Iterable<number>;
  get(key: number): Iterable<string>;
}

export interface Maps {
  a: MapLike;
  b: MapLike;
  m: MultiMapLike;
  r: MapLike;
  h: MapLike;
}

export class MultiModel {
  readonly sets: Map<number, Set<string>>;
  add(key: number, value: string): void;
  delete(key: number, value?: string): boolean;
}

export interface Model {
  a: Map<number, string>;
  b: Map<number, string>;
  m: MultiModel;
  r: Map<number, string>;
  h: Map<number, string>;
}

export interface TxnOp {
  map: 'a' | 'b' | 'm' | 'r' | 'h';
  op: 'set' | 'delete' | 'add' | 'deleteValue';
  key: number;
  value?: string;
}

/** The low-level calls `recordNumberProblem` makes. */
export interface RecordNumbered {
  cursor(): { next(): boolean; recno(): number; close(): void };
  count(): number;
}

export const META_KEY: number;
export const KILL_OPTIONS: {
  durability: 'sync'; logFileSize: number; checkpointBytes: number;
};
export const MAP_NAMES: readonly ['a', 'b'];
export function openContainers(env: unknown, persistentMap: unknown): Maps;
export function recordNumberProblem(db: RecordNumbered): string | undefined;
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
