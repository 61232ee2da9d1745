/**
 * Declared log record types: a record is declared once (name, type id, typed fields) and its
 * body encoder, decoder and printer are derived from that declaration, as Berkeley DB derives
 * them from its `*.src` files.
 *
 * Layer: log (rank 2). Imports util only.
 *
 * Usage:
 *   const BtInsert = defineLogRecord({ name: 'bt_insert', typeId: 20,
 *     fields: { fileId: 'fileId', pgno: 'pgno', index: 'u16', item: 'bytes', pageLsn: 'lsn' } });
 *   type BtInsertBody = LogBody<typeof BtInsert>;   // { fileId: FileId; pgno: Pgno; ... }
 *   const lsn = log.append(BtInsert, txnId, prevLsn, { fileId, pgno, index, item, pageLsn });
 *   const rec = log.readAt(lsn); if (BtInsert.is(rec)) rec.body.item; // typed
 *
 * Invariants:
 * 1. A body is encoded as its fields in declaration order, nothing else: no tags, no padding.
 * 2. `decode(encode(b))` equals `b` field by field, and `decode` consumes its input exactly.
 * 3. A declaration is frozen: its fields cannot change after `defineLogRecord` returns.
 */
import { AssertionError, CorruptionError, InvalidArgumentError } from '../util/index.js';
import { ByteReader, ByteWriter, FIELD_CODECS, isFieldKind } from './field-types.js';
import type { BodyOf, FieldCodec, FieldKind, FieldSpec } from './field-types.js';
import type { LogRecord } from './record-format.js';

/** Type ids are u32; 0 is never a record type. */
const TYPE_ID_MAX = 0xffff_ffff;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What `defineLogRecord` takes. */
export interface LogRecordDeclaration<F extends FieldSpec> {
  /** Printed name, e.g. `bt_insert`. */
  readonly name: string;
  /** Stable on-disk type id, 1 .. 2^32-1; app-defined types use >= 10000. */
  readonly typeId: number;
  /** Field name to kind, in encoding order. */
  readonly fields: F;
}

/** One declared field. */
export interface LogFieldInfo {
  readonly name: string;
  readonly kind: FieldKind;
}

/** A declared record type: everything needed to log, read and print one kind of record. */
export interface LogRecordType<B = unknown> {
  readonly name: string;
  readonly typeId: number;
  readonly fields: readonly LogFieldInfo[];
  /** Encoded body size in bytes. Complexity: O(fields) plus list lengths. */
  bodySize(body: B): number;
  /** Writes the body at `w.pos`, advancing it by `bodySize(body)` bytes. */
  encodeInto(w: ByteWriter, body: B): void;
  /** The body as a fresh byte array. */
  encode(body: B): Uint8Array;
  /** Reads a body from `r.pos` up to exactly `r.end`. */
  decodeFrom(r: ByteReader): B;
  /** Decodes a whole body byte array. @throws CorruptionError when it does not fit. */
  decode(bytes: Uint8Array): B;
  /** `name: value` pairs separated by spaces, values shortened for display. */
  print(body: B): string;
  /** True when `record` is of this type, narrowing its body type. */
  is(record: LogRecord<unknown>): record is LogRecord<B>;
}

/** The body type of a declared record type. */
export type LogBody<T> = T extends LogRecordType<infer B> ? B : never;

interface CompiledField {
  readonly name: string;
  readonly kind: FieldKind;
  readonly codec: FieldCodec;
}

function compileFields(typeName: string, fields: FieldSpec): CompiledField[] {
  const compiled: CompiledField[] = [];
  for (const name of Object.keys(fields)) {
    const kind: unknown = fields[name];
    if (!FIELD_NAME.test(name)) {
      throw new InvalidArgumentError(`log record ${typeName}: bad field name '${name}'`);
    }
    if (!isFieldKind(kind)) {
      throw new InvalidArgumentError(
        `log record ${typeName}: field '${name}' has unknown kind '${String(kind)}'`,
      );
    }
    compiled.push({ name, kind, codec: FIELD_CODECS[kind] });
  }
  return compiled;
}

function checkDeclaration(decl: LogRecordDeclaration<FieldSpec>): void {
  if (typeof decl.name !== 'string' || decl.name.length === 0 || /\s/.test(decl.name)) {
    throw new InvalidArgumentError(`log record name must be a non-empty word: '${decl.name}'`);
  }
  const id = decl.typeId;
  if (!Number.isInteger(id) || id < 1 || id > TYPE_ID_MAX) {
    throw new InvalidArgumentError(`log record ${decl.name}: typeId ${id} is not in 1..2^32-1`);
  }
  if (typeof decl.fields !== 'object' || decl.fields === null) {
    throw new InvalidArgumentError(`log record ${decl.name}: fields must be an object`);
  }
}

/**
 * Declares a log record type. The body type is inferred from `fields`.
 * @throws InvalidArgumentError on a bad name, type id, field name or field kind.
 */
export function defineLogRecord<const F extends FieldSpec>(
  decl: LogRecordDeclaration<F>,
): LogRecordType<BodyOf<F>> {
  checkDeclaration(decl);
  const fields = compileFields(decl.name, decl.fields);
  return new DeclaredRecordType<BodyOf<F>>(decl.name, decl.typeId, fields);
}

/** The record type built from a declaration. */
class DeclaredRecordType<B> implements LogRecordType<B> {
  readonly fields: readonly LogFieldInfo[];
  /** The body size when no field has a variable size, else undefined. */
  private readonly fixedSize: number | undefined;

  constructor(
    readonly name: string,
    readonly typeId: number,
    private readonly compiled: readonly CompiledField[],
  ) {
    this.fields = Object.freeze(compiled.map((f) => Object.freeze({ name: f.name, kind: f.kind })));
    let fixed: number | undefined = 0;
    for (const f of compiled) {
      const size = f.codec.fixedSize;
      fixed = size === undefined || fixed === undefined ? undefined : fixed + size;
    }
    this.fixedSize = fixed;
    Object.freeze(this);
  }

  bodySize(body: B): number {
    if (typeof body !== 'object' || body === null) {
      throw new InvalidArgumentError(`log record ${this.name}: body must be an object`);
    }
    if (this.fixedSize !== undefined) return this.fixedSize;
    const values = body as Record<string, unknown>;
    let total = 0;
    for (const f of this.compiled) total += f.codec.size(values[f.name], f.name);
    return total;
  }

  encodeInto(w: ByteWriter, body: B): void {
    const values = body as Record<string, unknown>;
    for (const f of this.compiled) f.codec.write(w, values[f.name], f.name);
  }

  encode(body: B): Uint8Array {
    const size = this.bodySize(body);
    const w = new ByteWriter(new Uint8Array(size));
    this.encodeInto(w, body);
    if (w.pos !== size) {
      throw new AssertionError(`log record ${this.name}: encoded ${w.pos} bytes, sized ${size}`);
    }
    return w.bytes;
  }

  decodeFrom(r: ByteReader): B {
    const body: Record<string, unknown> = {};
    for (const f of this.compiled) body[f.name] = f.codec.read(r);
    if (r.pos !== r.end) {
      throw new CorruptionError(
        `${r.what}: ${r.end - r.pos} bytes left over after the last field of ${this.name}`,
      );
    }
    return body as B;
  }

  decode(bytes: Uint8Array): B {
    return this.decodeFrom(new ByteReader(bytes, 0, bytes.length, `log record ${this.name}`));
  }

  print(body: B): string {
    const values = body as Record<string, unknown>;
    return this.compiled.map((f) => `${f.name}: ${f.codec.print(values[f.name])}`).join(' ');
  }

  is(record: LogRecord<unknown>): record is LogRecord<B> {
    return record.typeId === this.typeId;
  }
}
