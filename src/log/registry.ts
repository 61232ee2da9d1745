/**
 * The log record registry: type id to declared record type, plus one handler per type that a
 * higher layer attaches (the txn layer's redo/undo functions), like Berkeley DB's recovery
 * dispatch table. The log itself only uses the registry to decode and print records.
 *
 * Layer: log (rank 2). Imports util only.
 *
 * Usage (txn layer):
 *   const registry = new LogRecordRegistry<RecoveryHandler>();
 *   registry.register(TxnCommit, commitHandler);       // or register(TxnCommit) then
 *   registry.setHandler(TxnCommit, commitHandler);     // attach the handler later
 *   registry.handler(rec.typeId)?.(...);               // generic dispatch
 *
 * Invariants:
 * 1. A type id and a type name are registered at most once; a duplicate throws
 *    `InvalidArgumentError`.
 * 2. A handler is only ever attached to a registered type id.
 * 3. `registerApp` accepts only type ids >= APP_RECORD_TYPE_MIN; lower ids are the engine's.
 */
import { InvalidArgumentError } from '../util/index.js';
import type { LogRecordType } from './record-type.js';

/** The lowest type id an application may use; lower ids are reserved for the engine. */
export const APP_RECORD_TYPE_MIN = 10000;

/** What readers need from a registry: the type of an id. */
export interface LogRecordLookup {
  get(typeId: number): LogRecordType<unknown> | undefined;
}

/** Maps record type ids to declared types and to handlers of type `H`. */
export class LogRecordRegistry<H = unknown> implements LogRecordLookup {
  private readonly byId = new Map<number, LogRecordType<unknown>>();
  private readonly byName = new Map<string, LogRecordType<unknown>>();
  private readonly handlers = new Map<number, H>();

  /**
   * Adds a record type, with its handler if given.
   * @throws InvalidArgumentError when its type id or name is already registered.
   */
  register<B>(type: LogRecordType<B>, handler?: H): this {
    const known = this.byId.get(type.typeId);
    if (known !== undefined) {
      throw new InvalidArgumentError(
        `log record type id ${type.typeId} (${type.name}) is already registered as ${known.name}`,
      );
    }
    if (this.byName.has(type.name)) {
      throw new InvalidArgumentError(`log record type name ${type.name} is already registered`);
    }
    this.byId.set(type.typeId, type as LogRecordType<unknown>);
    this.byName.set(type.name, type as LogRecordType<unknown>);
    if (handler !== undefined) this.handlers.set(type.typeId, handler);
    return this;
  }

  /**
   * Adds an application record type, whose id must be >= APP_RECORD_TYPE_MIN.
   * @throws InvalidArgumentError on a reserved or duplicate id.
   */
  registerApp<B>(type: LogRecordType<B>, handler?: H): this {
    if (type.typeId < APP_RECORD_TYPE_MIN) {
      throw new InvalidArgumentError(
        `application log record ${type.name}: type id ${type.typeId} is reserved ` +
          `(application ids start at ${APP_RECORD_TYPE_MIN})`,
      );
    }
    return this.register(type, handler);
  }

  /**
   * Attaches (or replaces) the handler of a registered type.
   * @throws InvalidArgumentError when the type is not registered.
   */
  setHandler(type: number | LogRecordType<unknown>, handler: H): void {
    const typeId = typeof type === 'number' ? type : type.typeId;
    if (!this.byId.has(typeId)) {
      throw new InvalidArgumentError(`log record type id ${typeId} is not registered`);
    }
    this.handlers.set(typeId, handler);
  }

  /** The declared type of `typeId`, if registered. Complexity: O(1). */
  get(typeId: number): LogRecordType<unknown> | undefined {
    return this.byId.get(typeId);
  }

  /** The declared type named `name`, if registered. */
  getByName(name: string): LogRecordType<unknown> | undefined {
    return this.byName.get(name);
  }

  /** True when `typeId` is registered. */
  has(typeId: number): boolean {
    return this.byId.has(typeId);
  }

  /** The handler attached to `typeId`, if any. Complexity: O(1). */
  handler(typeId: number): H | undefined {
    return this.handlers.get(typeId);
  }

  /** Every registered type, by ascending type id. */
  types(): LogRecordType<unknown>[] {
    return [...this.byId.values()].sort((a, b) => a.typeId - b.typeId);
  }
}
