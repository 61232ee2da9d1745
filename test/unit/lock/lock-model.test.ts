/**
 * Model test of the LockManager against a deliberately naive reference: a flat list of
 * (locker, object, mode set, count) entries, granting iff no entry of a locker that is
 * neither the requester nor one of its ancestors has a mode conflicting with the request.
 *
 * Strategy: fast-check generates sequences of get / get-noWait / tryGet / release /
 * releaseAll / downgrade / inheritToParent / restart (releaseAll + freeLocker + createLocker)
 * over six lockers (three top-level, two children of the first, one grandchild) and four
 * objects, with READ and WRITE favoured so that conflicts and upgrades are frequent.
 *
 * Invariants: after every step `checkInvariants()` passes, the lock list equals the model's
 * entries (modes and counts), `holds` agrees for every (locker, object), a refusal names a
 * holder the model also sees as blocking, and the statistics agree.
 * Replay a failure with FC_SEED=<printed seed>; scale with FC_RUNS.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LockManager,
  LockMode,
  conflicts,
  pageLockObject,
} from '../../../src/lock/index.js';
import { strongestMode } from '../../../src/lock/mode-sets.js';
import {
  DeadlockError,
  InvalidArgumentError,
  LockNotGrantedError,
  type LockerId,
} from '../../../src/util/index.js';

const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);
console.log('fast-check seed', seed);
const numRuns = Number(process.env['FC_RUNS'] ?? 200);

const PARENTS: readonly (number | undefined)[] = [undefined, undefined, undefined, 0, 0, 3];
const RESTARTABLE = [1, 2, 4, 5];
const CHILDREN = [3, 4, 5];
const OBJECTS = [1, 2, pageLockObject(1, 3), pageLockObject(2 ** 20, 2 ** 32 - 1)];
const MODES = [1, 2, 3, 4, 5, 6, 7, 8] as LockMode[];

type Op =
  | { kind: 'get'; slot: number; object: number; mode: LockMode; noWait: boolean }
  | { kind: 'tryGet'; slot: number; object: number; mode: LockMode }
  | { kind: 'release'; slot: number; object: number }
  | { kind: 'releaseAll'; slot: number }
  | { kind: 'downgrade'; slot: number; object: number; mode: LockMode }
  | { kind: 'inherit'; slot: number }
  | { kind: 'restart'; slot: number };

interface Entry { slot: number; object: number; modes: number; count: number }

function refCovers(modes: number, mode: LockMode): boolean {
  if ((modes & (1 << mode)) !== 0) return true;
  const held = MODES.filter((h) => (modes & (1 << h)) !== 0);
  return MODES.every((x) =>
    (!conflicts(mode, x) || held.some((h) => conflicts(h, x))) &&
    (!conflicts(x, mode) || held.some((h) => conflicts(x, h))));
}

class Model {
  entries: Entry[] = [];
  stats = { requests: 0, grants: 0, upgrades: 0, downgrades: 0, releases: 0, deadlocks: 0,
    notGranted: 0 };

  find(slot: number, object: number): Entry | undefined {
    return this.entries.find((e) => e.slot === slot && e.object === object);
  }

  isAncestor(candidate: number, slot: number): boolean {
    for (let p = PARENTS[slot]; p !== undefined; p = PARENTS[p]) if (p === candidate) return true;
    return false;
  }

  /** The slots whose locks block the request (empty: grant, and apply it). */
  request(slot: number, object: number, mode: LockMode): number[] {
    this.stats.requests++;
    const blockers = this.entries.filter((e) => e.object === object && e.slot !== slot &&
      !this.isAncestor(e.slot, slot) && MODES.some((h) =>
        (e.modes & (1 << h)) !== 0 && conflicts(h, mode))).map((e) => e.slot);
    const own = this.find(slot, object);
    if (own !== undefined && refCovers(own.modes, mode)) {
      own.modes |= 1 << mode;
      own.count++;
      this.stats.grants++;
      return [];
    }
    if (blockers.length > 0) return blockers;
    this.stats.grants++;
    if (own === undefined) {
      this.entries.push({ slot, object, modes: 1 << mode, count: 1 });
    } else {
      own.modes |= 1 << mode;
      own.count++;
      this.stats.upgrades++;
    }
    return [];
  }

  releaseAll(slot: number): number {
    const mine = this.entries.filter((e) => e.slot === slot);
    this.entries = this.entries.filter((e) => e.slot !== slot);
    this.stats.releases += mine.length;
    return mine.length;
  }

  inherit(slot: number): void {
    const parent = PARENTS[slot]!;
    for (const entry of this.entries.filter((e) => e.slot === slot)) {
      const target = this.find(parent, entry.object);
      if (target === undefined) {
        entry.slot = parent;
      } else {
        target.modes |= entry.modes;
        target.count += entry.count;
        this.entries = this.entries.filter((e) => e !== entry);
      }
    }
  }
}

class Harness {
  readonly manager = new LockManager();
  readonly model = new Model();
  readonly ids: LockerId[] = [];

  constructor() {
    for (const parent of PARENTS) {
      this.ids.push(this.manager.createLocker(parent === undefined ? undefined : this.ids[parent]));
    }
  }

  slotOf(id: LockerId): number {
    return this.ids.indexOf(id);
  }

  grant(op: { slot: number; object: number; mode: LockMode }, call: () => unknown): void {
    const blockers = this.model.request(op.slot, op.object, op.mode);
    if (blockers.length === 0) {
      expect(call()).toBeDefined();
      return;
    }
    let thrown: unknown;
    try {
      const result = call();
      if (result === undefined) return;
    } catch (error) {
      thrown = error;
    }
    expect(thrown, `request of ${JSON.stringify(op)} should be refused`).toBeDefined();
    const holder = (thrown as DeadlockError).detail?.holderId;
    if (holder !== undefined) expect(blockers).toContain(this.slotOf(holder as LockerId));
  }

  apply(op: Op): void {
    const { manager, model } = this;
    const id = this.ids[op.slot]!;
    switch (op.kind) {
      case 'get':
        this.grant(op, () => {
          try {
            return manager.get(id, op.object, op.mode, op.noWait ? { noWait: true } : undefined);
          } catch (error) {
            if (op.noWait) {
              expect(error).toBeInstanceOf(LockNotGrantedError);
              model.stats.notGranted++;
            } else {
              expect(error).toBeInstanceOf(DeadlockError);
              model.stats.deadlocks++;
            }
            throw error;
          }
        });
        return;
      case 'tryGet':
        this.grant(op, () => {
          const handle = manager.tryGet(id, op.object, op.mode);
          if (handle === undefined) model.stats.notGranted++;
          return handle;
        });
        return;
      default:
        this.applyRelease(op, id);
    }
  }

  applyRelease(op: Exclude<Op, { kind: 'get' | 'tryGet' }>, id: LockerId): void {
    const { manager, model } = this;
    switch (op.kind) {
      case 'release': {
        const own = model.find(op.slot, op.object);
        expect(manager.release(id, op.object)).toBe(own !== undefined);
        if (own === undefined) return;
        model.stats.releases++;
        if (--own.count === 0) model.entries = model.entries.filter((e) => e !== own);
        return;
      }
      case 'releaseAll':
        expect(manager.releaseAll(id)).toBe(model.releaseAll(op.slot));
        return;
      case 'downgrade': {
        const own = model.find(op.slot, op.object);
        if (own === undefined || !refCovers(own.modes, op.mode)) {
          expect(() => manager.downgrade(id, op.object, op.mode)).toThrow(InvalidArgumentError);
          return;
        }
        manager.downgrade(id, op.object, op.mode);
        own.modes = 1 << op.mode;
        model.stats.downgrades++;
        return;
      }
      case 'inherit':
        manager.inheritToParent(id);
        model.inherit(op.slot);
        return;
      case 'restart': {
        expect(manager.releaseAll(id)).toBe(model.releaseAll(op.slot));
        manager.freeLocker(id);
        const parent = PARENTS[op.slot];
        this.ids[op.slot] = manager.createLocker(
          parent === undefined ? undefined : this.ids[parent]);
        return;
      }
    }
  }

  compare(): void {
    const { manager, model } = this;
    manager.checkInvariants();
    const actual = manager.lockList().map((row) => ({
      slot: this.slotOf(row.lockerId), object: row.objectId,
      modes: row.modes.reduce<number>((set, m) => set | (1 << m), 0), count: row.count,
    }));
    const order = (a: Entry, b: Entry): number => a.object - b.object || a.slot - b.slot;
    expect(actual.sort(order)).toEqual([...model.entries].sort(order));
    for (let slot = 0; slot < PARENTS.length; slot++) {
      for (const object of OBJECTS) {
        const entry = model.find(slot, object);
        expect(manager.holds(this.ids[slot]!, object))
          .toBe(entry === undefined ? undefined : strongestMode(entry.modes));
      }
    }
    expect(manager.stats()).toMatchObject({
      ...model.stats,
      conflicts: model.stats.deadlocks + model.stats.notGranted,
      locks: model.entries.length,
      objects: new Set(model.entries.map((e) => e.object)).size,
      lockers: PARENTS.length,
    });
  }
}

const slotArb = fc.integer({ min: 0, max: PARENTS.length - 1 });
const objectArb = fc.constantFrom(...OBJECTS);
const modeArb = fc.oneof(
  { arbitrary: fc.constantFrom(LockMode.READ, LockMode.WRITE), weight: 3 },
  { arbitrary: fc.constantFrom(...MODES), weight: 1 },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('get' as const), slot: slotArb, object: objectArb,
    mode: modeArb, noWait: fc.boolean() }), weight: 8 },
  { arbitrary: fc.record({ kind: fc.constant('tryGet' as const), slot: slotArb,
    object: objectArb, mode: modeArb }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('release' as const), slot: slotArb,
    object: objectArb }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('releaseAll' as const), slot: slotArb }),
    weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('downgrade' as const), slot: slotArb,
    object: objectArb, mode: modeArb }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('inherit' as const),
    slot: fc.constantFrom(...CHILDREN) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('restart' as const),
    slot: fc.constantFrom(...RESTARTABLE) }), weight: 1 },
);

describe('LockManager model test', () => {
  it('agrees with the reference model after every step', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 120, size: 'max' }), (ops) => {
        const harness = new Harness();
        for (const op of ops) {
          harness.apply(op);
          harness.compare();
        }
      }),
      { seed, numRuns },
    );
  });
});
